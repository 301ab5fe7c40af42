import Hummingbird

/// Bounds how long a request may wait. A store that stopped answering (its
/// connection pool retrying in the background) then costs the caller a clear 503
/// after `timeout`, never a hang; the abandoned work is cancelled, so an open
/// transaction rolls back.
public struct DeadlineMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext
    let timeout: Duration

    public init(timeout: Duration) {
        self.timeout = timeout
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let timeout = self.timeout
        return try await withoutActuallyEscaping(next) { next in
            // The task group waits for both children before returning, so `next`
            // never outlives this call even though the compiler cannot see it.
            nonisolated(unsafe) let next = next
            return try await withThrowingTaskGroup(of: Response?.self) { group in
                group.addTask { try await next(request, context) }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let response = first else {
                    throw AppError.unavailable("The service did not answer within \(timeout.components.seconds) s; try again shortly")
                }
                return response
            }
        }
    }
}
