import Foundation
import Logging
import PostgresNIO

/// Applies versioned migrations, each once and in its own transaction, recording
/// them in `schema_migrations`. Refuses to go on when the recorded history
/// disagrees with the files (an edited or missing migration), rather than guess.
public struct MigrationRunner: Sendable {
    let client: PostgresClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Returns the versions it applied.
    @discardableResult
    public func migrate(_ migrations: [Migration], database: String) async throws -> [Int] {
        // Under the same lock as the migrations: two migrators creating the table at
        // once would otherwise collide in PostgreSQL's catalogue.
        try await client.transaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(7158032114)", logger: logger)
            try await connection.query("""
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version INTEGER PRIMARY KEY,
                    name TEXT NOT NULL,
                    checksum TEXT NOT NULL,
                    applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
                )
                """, logger: logger)
        }
        var applied: [Int] = []
        for migration in migrations {
            let didApply = try await client.transaction(logger: logger) { connection -> Bool in
                // Two migrators started at once take turns here instead of both applying.
                try await connection.query("SELECT pg_advisory_xact_lock(7158032114)", logger: logger)
                let recorded = try await Self.recorded(connection, logger: logger)
                try Self.check(recorded, against: migrations, database: database)
                if recorded[migration.version] != nil { return false }
                for statement in SQLScript.statements(migration.sql) {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query("""
                    INSERT INTO schema_migrations (version, name, checksum)
                    VALUES (\(migration.version), \(migration.name), \(migration.checksum))
                    """, logger: logger)
                return true
            }
            if didApply {
                logger.info("migration applied", metadata: ["database": .string(database), "version": .stringConvertible(migration.version), "name": .string(migration.name)])
                applied.append(migration.version)
            }
        }
        return applied
    }

    private static func recorded(_ connection: PostgresConnection, logger: Logger) async throws -> [Int: (name: String, checksum: String)] {
        var result: [Int: (name: String, checksum: String)] = [:]
        let rows = try await connection.query("SELECT version, name, checksum FROM schema_migrations", logger: logger)
        for try await (version, name, checksum) in rows.decode((Int, String, String).self) {
            result[version] = (name, checksum)
        }
        return result
    }

    static func check(_ recorded: [Int: (name: String, checksum: String)], against migrations: [Migration], database: String) throws {
        let byVersion = Dictionary(uniqueKeysWithValues: migrations.map { ($0.version, $0) })
        for (version, entry) in recorded.sorted(by: { $0.key < $1.key }) {
            guard let migration = byVersion[version] else {
                throw MigrationError("\(database): migration \(version) (\(entry.name)) was applied but its file is missing")
            }
            guard migration.name == entry.name, migration.checksum == entry.checksum else {
                throw MigrationError("\(database): migration \(version) (\(migration.name)) changed after it was applied; add a new migration instead")
            }
        }
    }

    /// Creates `name` on the server unless it exists. Database names are checked
    /// against a strict alphabet because CREATE DATABASE cannot take a bound parameter.
    public static func createDatabaseIfMissing(_ name: String, maintenance: PostgresClient, logger: Logger) async throws {
        guard !name.isEmpty, name.utf8.count <= 63,
              name.utf8.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F })
        else {
            throw MigrationError("database name must be lower-case letters, digits and underscores: \(name)")
        }
        let rows = try await maintenance.query("SELECT 1 FROM pg_database WHERE datname = \(name)", logger: logger)
        for try await _ in rows { return }
        do {
            try await maintenance.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger)
            logger.info("database created", metadata: ["database": .string(name)])
        } catch let error as PSQLError where error.isDuplicateDatabase || error.isUniqueViolation {
            // Someone else created it between our check and our CREATE: that is what we wanted.
        }
    }
}
