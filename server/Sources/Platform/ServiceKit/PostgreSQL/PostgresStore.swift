import Logging
import PostgresNIO

/// One service's PostgreSQL database as its store uses it: the connection pool,
/// the logger every statement logs to, and the ways the stores read rows.
public struct PostgresStore: Sendable {
    public let client: PostgresClient
    public let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Runs one statement; the caller reads its rows.
    @discardableResult
    public func query(_ query: PostgresQuery) async throws -> PostgresRowSequence {
        try await client.query(query, logger: logger)
    }

    /// Every row of `query`, each made into a value by `read`.
    public func all<Value>(_ query: PostgresQuery, _ read: (PostgresRow) throws -> Value) async throws -> [Value] {
        var values: [Value] = []
        for try await row in try await self.query(query) { values.append(try read(row)) }
        return values
    }

    /// The first row of `query` made into a value by `read`; nil when there is none.
    /// Every row is read, as the next statement on the connection needs.
    public func first<Value>(_ query: PostgresQuery, _ read: (PostgresRow) throws -> Value) async throws -> Value? {
        try await all(query, read).first
    }

    /// `PostgresClient.transaction` with this store's logger.
    public func transaction<T>(
        isolation: isolated (any Actor)? = #isolation, _ body: (PostgresConnection) async throws -> sending T
    ) async throws -> sending T {
        try await client.transaction(logger: logger, isolation: isolation, body)
    }
}

/// A service's store kept in PostgreSQL: made from its database (`PostgresStore`),
/// or from a client and a logger as the composition and the tools hold them.
public protocol PostgresRepository: Sendable {
    init(store: PostgresStore)
}

extension PostgresRepository {
    public init(client: PostgresClient, logger: Logger) {
        self.init(store: PostgresStore(client: client, logger: logger))
    }
}
