import Foundation
import Glibc
import StorefrontTestSupport

/// The stores' databases the terminal suites' servers use, emptied once per test
/// run before the first server on them starts, as the server's own suites do
/// (`TestStores.prepare`): a run never meets the tables, rows or migration
/// history an earlier run (of another branch, say) left behind. The server then
/// creates and migrates them afresh (`serve --migrate`).
enum TestDatabases {
    /// The services' databases, as server/Sources/Platform/ServiceKit/Configuration/Database.swift
    /// names them: those PostgreSQL holds, and those the Mongo-wire store holds.
    static let postgres = ["auth_service", "inventory_service", "order_service", "payment_service", "checkout_service"]
    static let documents = ["user_service", "product_service"]

    /// A suite's suffix (`_tui_test`) with `STOREFRONT_TEST_DB_SUFFIX` in place of its
    /// closing `_test` when set (`_tui_test_mine`), as the server suites read it: two test
    /// runs on one machine then neither share nor drop each other's databases.
    static func suffix(_ base: String) -> String {
        guard let own = ProcessInfo.processInfo.environment["STOREFRONT_TEST_DB_SUFFIX"], !own.isEmpty, base.hasSuffix("_test") else { return base }
        return String(base.dropLast("_test".count)) + own
    }

    /// The stores' settings: the environment's (`eval "$(server/dev/stores env)"`), and
    /// what `server/dev/stores env` says for any it leaves out.
    static func storesEnvironment() throws -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        let needed = ["STOREFRONT_POSTGRES_URL", "STOREFRONT_MONGO_URL", "STOREFRONT_JWT_SECRET", "STOREFRONT_SERVICE_SECRET"]
        if needed.contains(where: { (environment[$0] ?? "").isEmpty }) {
            let settings = try shell(repositoryRoot.appendingPathComponent("server/dev/stores").path, ["env"])
            for line in settings.split(separator: "\n") where line.hasPrefix("export ") {
                let assignment = line.dropFirst("export ".count)
                guard let equals = assignment.firstIndex(of: "=") else { continue }
                let name = String(assignment[..<equals])
                var value = String(assignment[assignment.index(after: equals)...])
                if value.hasPrefix("'") && value.hasSuffix("'") { value = String(value.dropFirst().dropLast()) }
                if (environment[name] ?? "").isEmpty { environment[name] = value }
            }
        }
        guard environment["STOREFRONT_POSTGRES_URL"] != nil, environment["STOREFRONT_MONGO_URL"] != nil else {
            throw HarnessError("no STOREFRONT_POSTGRES_URL or STOREFRONT_MONGO_URL: are the stores up (server/dev/stores up)?")
        }
        return environment
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var emptied: Set<String> = []

    /// Drops the databases named with `suffix` the first time a server asks for them
    /// in this process; servers asking meanwhile wait until that is done.
    static func resetOnce(_ suffix: String, environment: [String: String]) throws {
        lock.lock()
        defer { lock.unlock() }
        guard !emptied.contains(suffix) else { return }
        try dropPostgres(postgres.map { $0 + suffix }, url: environment["STOREFRONT_POSTGRES_URL"]!)
        try dropDocuments(documents.map { $0 + suffix }, url: environment["STOREFRONT_MONGO_URL"]!)
        emptied.insert(suffix)
    }

    /// `DROP DATABASE IF EXISTS … WITH (FORCE)` through psql, each its own statement
    /// (PostgreSQL drops no database inside a transaction).
    static func dropPostgres(_ names: [String], url: String) throws {
        guard let psql = ["/usr/bin/psql", "/usr/lib/postgresql/15/bin/psql", "/usr/local/bin/psql"].first(where: FileManager.default.isExecutableFile(atPath:)) else {
            throw HarnessError("psql is not installed (apt-get install postgresql-client); the suites empty their databases with it")
        }
        let maintenance = databaseURL(url, database: "postgres")
        let statements = names.flatMap { ["-c", "DROP DATABASE IF EXISTS \"\($0)\" WITH (FORCE)"] }
        do {
            try shell(psql, ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", maintenance] + statements)
        } catch {
            throw HarnessError("could not drop the test databases \(names.joined(separator: ", ")) (\(error)); are the stores up (server/dev/stores up)?")
        }
    }

    /// `postgres://user:password@host:port` with `/database` as its path (any path it had replaced).
    static func databaseURL(_ url: String, database: String) -> String {
        guard let scheme = url.range(of: "://") else { return url + "/" + database }
        let rest = url[scheme.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" }
        let query = rest.firstIndex(of: "?").map { String(rest[$0...]) } ?? ""
        return String(url[..<scheme.upperBound]) + authority + "/" + database + query
    }

    /// `{dropDatabase: 1}` to each database over the Mongo wire protocol (one OP_MSG
    /// each); a database that does not exist is dropped without complaint.
    static func dropDocuments(_ names: [String], url: String) throws {
        guard let scheme = url.range(of: "://") else { throw HarnessError("cannot read the Mongo URL \(url)") }
        let authority = url[scheme.upperBound...].prefix { $0 != "/" && $0 != "?" }
        let hostPort = authority.split(separator: "@").last.map(String.init) ?? ""
        let parts = hostPort.split(separator: ":")
        guard parts.count == 2, ["127.0.0.1", "localhost"].contains(String(parts[0])), let port = Int(parts[1]) else {
            throw HarnessError("the Mongo-wire store is expected on 127.0.0.1:<port>, not \(hostPort)")
        }
        guard let socket = Loopback.connection(to: port) else {
            throw HarnessError("nothing answers on 127.0.0.1:\(port) for the Mongo-wire store: are the stores up (server/dev/stores up)?")
        }
        defer { close(socket) }
        for (index, name) in names.enumerated() {
            let reply = try exchange(socket, message(requestID: Int32(index + 1), command: BSON.document([("dropDatabase", .int32(1)), ("$db", .string(name))])))
            guard let ok = reply["ok"], ok == 1 else {
                throw HarnessError("the Mongo-wire store would not drop \(name): \(reply)")
            }
        }
    }

    /// An OP_MSG (opcode 2013) carrying one command document.
    static func message(requestID: Int32, command: [UInt8]) -> [UInt8] {
        let body = BSON.int32(0) + [0] + command
        return BSON.int32(Int32(16 + body.count)) + BSON.int32(requestID) + BSON.int32(0) + BSON.int32(2013) + body
    }

    /// Sends a message and reads the answer; its document's numbers by name (`ok`).
    static func exchange(_ socket: Int32, _ message: [UInt8]) throws -> [String: Double] {
        var sent = 0
        while sent < message.count {
            let count = message[sent...].withUnsafeBytes { write(socket, $0.baseAddress, $0.count) }
            guard count > 0 else { throw HarnessError("the Mongo-wire store closed the connection") }
            sent += count
        }
        let header = try read(socket, 4)
        let length = Int(BSON.readInt32(header, at: 0))
        guard (21...16_000_000).contains(length) else { throw HarnessError("the Mongo-wire store answered a message of \(length) bytes") }
        let rest = try read(socket, length - 4)
        // requestID, responseTo, opCode, flagBits, section kind: then the document.
        guard BSON.readInt32(rest, at: 8) == 2013 else { throw HarnessError("the Mongo-wire store answered no OP_MSG") }
        return BSON.numbers(Array(rest[17...]))
    }

    /// Exactly `count` bytes, within 10 s.
    static func read(_ socket: Int32, _ count: Int) throws -> [UInt8] {
        var bytes: [UInt8] = []
        let deadline = Date().addingTimeInterval(10)
        var buffer = [UInt8](repeating: 0, count: 65536)
        while bytes.count < count {
            var ready = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
            let left = Int32(max(0, deadline.timeIntervalSinceNow) * 1000)
            guard left > 0, poll(&ready, 1, left) > 0 else { throw HarnessError("the Mongo-wire store did not answer within 10 s") }
            let got = Glibc.read(socket, &buffer, min(buffer.count, count - bytes.count))
            guard got > 0 else { throw HarnessError("the Mongo-wire store closed the connection") }
            bytes += buffer[0..<got]
        }
        return bytes
    }

    /// The few pieces of BSON a command and its answer need.
    enum BSON {
        enum Value { case int32(Int32), string(String) }

        static func int32(_ value: Int32) -> [UInt8] { withUnsafeBytes(of: value.littleEndian, Array.init) }

        static func readInt32(_ bytes: [UInt8], at offset: Int) -> Int32 {
            bytes[offset..<offset + 4].reversed().reduce(Int32(0)) { $0 << 8 | Int32($1) }
        }

        static func document(_ fields: [(String, Value)]) -> [UInt8] {
            var elements: [UInt8] = []
            for (name, value) in fields {
                switch value {
                case .int32(let number): elements += [0x10] + Array(name.utf8) + [0] + int32(number)
                case .string(let text): elements += [0x02] + Array(name.utf8) + [0] + int32(Int32(text.utf8.count + 1)) + Array(text.utf8) + [0]
                }
            }
            return int32(Int32(elements.count + 5)) + elements + [0]
        }

        /// The top-level numeric fields (double, int32, int64, boolean) of a document, by name;
        /// reading stops at a type it does not know.
        static func numbers(_ document: [UInt8]) -> [String: Double] {
            var found: [String: Double] = [:]
            var offset = 4
            while offset < document.count, document[offset] != 0 {
                let type = document[offset]
                guard let end = document[(offset + 1)...].firstIndex(of: 0) else { break }
                let name = String(decoding: document[(offset + 1)..<end], as: UTF8.self)
                offset = end + 1
                switch type {
                case 0x01:
                    guard offset + 8 <= document.count else { return found }
                    let bits = document[offset..<offset + 8].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
                    found[name] = Double(bitPattern: bits)
                    offset += 8
                case 0x10:
                    guard offset + 4 <= document.count else { return found }
                    found[name] = Double(readInt32(document, at: offset))
                    offset += 4
                case 0x09, 0x11:
                    offset += 8
                case 0x12:
                    guard offset + 8 <= document.count else { return found }
                    found[name] = Double(document[offset..<offset + 8].reversed().reduce(Int64(0)) { $0 << 8 | Int64($1) })
                    offset += 8
                case 0x08:
                    guard offset < document.count else { return found }
                    found[name] = document[offset] == 0 ? 0 : 1
                    offset += 1
                case 0x02:
                    guard offset + 4 <= document.count else { return found }
                    offset += 4 + Int(readInt32(document, at: offset))
                case 0x03, 0x04:
                    guard offset + 4 <= document.count else { return found }
                    offset += Int(readInt32(document, at: offset))
                default:
                    return found
                }
            }
            return found
        }
    }
}
