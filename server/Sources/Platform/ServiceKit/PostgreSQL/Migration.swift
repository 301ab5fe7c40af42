import Crypto
import Foundation

/// One versioned SQL file, e.g. `001_create_users.sql`.
public struct Migration: Sendable, Equatable {
    public var version: Int
    public var name: String
    public var sql: String

    public var checksum: String {
        SHA256.hash(data: Data(sql.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }

    /// Reads `NNN_name.sql` files from a folder, ordered by version.
    public static func load(from directory: URL) throws -> [Migration] {
        let files = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "sql" }
        var migrations: [Migration] = []
        for file in files {
            let base = file.deletingPathExtension().lastPathComponent
            guard let underscore = base.firstIndex(of: "_"), let version = Int(base[..<underscore]) else {
                throw MigrationError("migration file name must look like 001_name.sql: \(file.lastPathComponent)")
            }
            migrations.append(Migration(version: version, name: String(base[base.index(after: underscore)...]),
                                        sql: try String(contentsOf: file, encoding: .utf8)))
        }
        migrations.sort { $0.version < $1.version }
        for (a, b) in zip(migrations, migrations.dropFirst()) where a.version == b.version {
            throw MigrationError("two migrations share version \(a.version) in \(directory.path)")
        }
        return migrations
    }
}

public struct MigrationError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
