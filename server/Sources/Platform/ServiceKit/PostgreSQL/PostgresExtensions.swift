import Logging
import PostgresNIO

extension PostgresClient {
    /// `SELECT 1` with a deadline, for `/ready`.
    public func ping(timeout: Duration = .seconds(3)) async -> Bool {
        (try? await withDeadline(timeout) { try await self.query("SELECT 1", logger: Logger(label: "ready")) }) != nil
    }
}

extension PostgresClient {
    /// `withTransaction`, but a failure inside the transaction surfaces as the
    /// error that caused it (after the rollback), not wrapped in `PostgresTransactionError`.
    public func transaction<T>(
        logger: Logger, isolation: isolated (any Actor)? = #isolation,
        _ body: (PostgresConnection) async throws -> sending T
    ) async throws -> sending T {
        do {
            return try await withTransaction(logger: logger, isolation: isolation, body)
        } catch let error as PostgresTransactionError {
            if let cause = error.closureError ?? error.beginError ?? error.commitError { throw cause }
            throw error
        }
    }
}

extension PSQLError {
    /// SQLSTATE 23505: a unique constraint said no.
    public var isUniqueViolation: Bool { serverInfo?[.sqlState] == "23505" }
    /// SQLSTATE 22003: a number left its column's range.
    public var isNumericOverflow: Bool { serverInfo?[.sqlState] == "22003" }
    /// SQLSTATE 23514: a CHECK constraint said no.
    public var isCheckViolation: Bool { serverInfo?[.sqlState] == "23514" }
    /// SQLSTATE 42P04: CREATE DATABASE raced with another creator.
    public var isDuplicateDatabase: Bool { serverInfo?[.sqlState] == "42P04" }
    public var constraintName: String? { serverInfo?[.constraintName] }
}
