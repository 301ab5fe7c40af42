import CMongoc
import Foundation
import NIOConcurrencyHelpers
import NIOPosix

enum MongoRuntime {
    /// `mongoc_init` exactly once per process, before any other driver call.
    private static let once: Void = {
        mongoc_init()
        // The driver logs to stderr by default, debug lines included; our logs are
        // JSON lines, so only its errors get through, in that shape.
        mongoc_log_set_handler({ level, domain, message, _ in
            guard level.rawValue <= MONGOC_LOG_LEVEL_ERROR.rawValue, let message else { return }
            let text = String(cString: message).replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            let line = #"{"level":"error","logger":"mongoc","message":""# + text + "\"}\n"
            FileHandle.standardError.write(Data(line.utf8))
        }, nil)
    }()
    static func initialize() { _ = once }

    /// Driver calls block their thread while the server works, so they run here
    /// and never on an event loop. Sized for I/O waits, not for CPU.
    static let threadPool: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: 8)
        pool.start()
        return pool
    }()
}

/// One connection pool per server URL for the whole process. Thread-safe: each
/// call borrows a client from the pool on a worker thread and returns it after.
public final class MongoClient: @unchecked Sendable {
    /// The URL with any password replaced, for logs and errors.
    public let redactedURL: String
    // mongoc_client_pool_t is documented thread-safe; it lives as long as the process.
    private let pool: OpaquePointer

    private static let registry = NIOLockedValueBox<[String: MongoClient]>([:])

    /// The process's client for `url`, created on first use.
    public static func shared(url: String) throws -> MongoClient {
        try registry.withLockedValue { clients in
            if let client = clients[url] { return client }
            let client = try MongoClient(url: url)
            clients[url] = client
            return client
        }
    }

    private init(url: String) throws {
        MongoRuntime.initialize()
        self.redactedURL = Self.redacted(url)
        var error = bson_error_t()
        guard let uri = mongoc_uri_new_with_error(url, &error) else {
            throw MongoConfigurationError("not a MongoDB URL (mongodb://host:port): \(Self.redacted(url)) — \(MongoError(error).message)")
        }
        defer { mongoc_uri_destroy(uri) }
        // Fail fast when the server is down: the driver's default waits 30 s.
        if mongoc_uri_get_option_as_int32(uri, MONGOC_URI_SERVERSELECTIONTIMEOUTMS, 0) == 0 {
            mongoc_uri_set_option_as_int32(uri, MONGOC_URI_SERVERSELECTIONTIMEOUTMS, 3000)
        }
        if mongoc_uri_get_option_as_int32(uri, MONGOC_URI_CONNECTTIMEOUTMS, 0) == 0 {
            mongoc_uri_set_option_as_int32(uri, MONGOC_URI_CONNECTTIMEOUTMS, 3000)
        }
        // A reply that never comes (a server restarted under an open socket) must not
        // hold a call, and its request, for the driver's default five minutes.
        if mongoc_uri_get_option_as_int32(uri, MONGOC_URI_SOCKETTIMEOUTMS, 0) == 0 {
            mongoc_uri_set_option_as_int32(uri, MONGOC_URI_SOCKETTIMEOUTMS, 8000)
        }
        mongoc_uri_set_appname(uri, "storefront-marketplace")
        guard let pool = mongoc_client_pool_new_with_error(uri, &error) else {
            throw MongoConfigurationError("cannot create a MongoDB client for \(Self.redacted(url)): \(MongoError(error).message)")
        }
        mongoc_client_pool_set_error_api(pool, Int32(MONGOC_ERROR_API_VERSION_2))
        self.pool = pool
    }

    deinit {
        mongoc_client_pool_destroy(pool)
    }

    public func database(_ name: String) -> MongoDatabase {
        MongoDatabase(client: self, name: name)
    }

    /// Runs `body` on the driver's thread pool with a client borrowed from the pool.
    func withClient<T: Sendable>(_ body: @escaping @Sendable (OpaquePointer) throws -> T) async throws -> T {
        // The closure holds `self`, so the pool outlives every call that uses it.
        try await MongoRuntime.threadPool.runIfActive {
            let client = mongoc_client_pool_pop(self.pool)!
            defer { mongoc_client_pool_push(self.pool, client) }
            return try body(client)
        }
    }

    /// Runs a command on the `admin` database and answers whether the server said ok.
    public func ping() async -> Bool {
        do {
            return try await withClient { client in
                try BSONDocument(dictionaryLiteral: ("ping", .int32(1))).withBSON { command in
                    BSONMemory.withReply { reply in
                        var error = bson_error_t()
                        return mongoc_client_command_simple(client, "admin", command, nil, reply, &error)
                    }
                }
            }
        } catch {
            return false
        }
    }

    static func redacted(_ url: String) -> String {
        guard var components = URLComponents(string: url), components.password != nil else { return url }
        components.password = "***"
        return components.string ?? "mongodb://***"
    }
}

public struct MongoConfigurationError: Error, CustomStringConvertible, Sendable {
    public var description: String
    init(_ description: String) { self.description = description }
}

extension BSONDocument {
    func withBSON<R>(_ body: (OpaquePointer) throws -> R) throws -> R {
        try BSONMemory.with(self, body)
    }
}

/// A database on one server.
public struct MongoDatabase: Sendable {
    public let client: MongoClient
    public let name: String

    public func collection(_ name: String) -> MongoCollection {
        MongoCollection(database: self, name: name)
    }

    /// Drops the whole database (tests and benchmarks start from nothing).
    public func drop() async throws {
        let name = self.name
        try await client.withClient { client in
            let database = mongoc_client_get_database(client, name)
            defer { mongoc_database_destroy(database) }
            var error = bson_error_t()
            if !mongoc_database_drop_with_opts(database, nil, &error) {
                let failure = MongoError(error)
                // "ns not found": there was nothing to drop.
                if failure.code != 26 { throw failure }
            }
        }
    }
}
