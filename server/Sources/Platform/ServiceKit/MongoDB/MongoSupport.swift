import Logging
import MongoKit

extension MongoError {
    /// What a store failure the service did not handle itself tells the client.
    /// Services map the duplicate keys they expect to their own messages first.
    func appError(logger: Logger) -> AppError {
        switch kind {
        case .duplicateKey:
            return .conflict("This conflicts with an existing record")
        case .unreachable:
            logger.error("document store unreachable", metadata: ["error": .string(message)])
            return .unavailable("The document store (MongoDB) is unavailable; try again shortly")
        case .invalidDocument, .other:
            logger.error("document store error", metadata: ["error": .string(description)])
            return AppError(.internalServerError, "Internal server error")
        }
    }
}

extension MongoClient {
    /// `ping` with a deadline, for `/ready`.
    public func ping(timeout: Duration) async -> Bool {
        (try? await withDeadline(timeout) { await self.ping() }) ?? false
    }
}

/// A document store answer a service cannot use (a stored value it cannot read,
/// an upsert that kept losing a race); answered as an internal error.
public struct MongoStoreFailure: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
