/// Runs `body` in a task of its own and waits for it; a cancelled caller stops
/// waiting (CancellationError) while `body` carries on to its end. For work that
/// must never stop halfway because a client hung up or a deadline passed.
public func runToCompletion<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
    let waiter = SingleResume<T>()
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { continuation in
            waiter.install(continuation)
            Task { waiter.resume(with: await Result { try await body() }) }
        }
    } onCancel: {
        waiter.resume(with: .failure(CancellationError()))
    }
}
