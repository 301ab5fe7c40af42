/// Like `withDeadline`, but gives up on `body` without waiting for it: after
/// `timeout` (or when the caller is cancelled) the caller goes on and `body`,
/// cancelled, ends whenever it ends. For work that may not honour cancellation.
/// `cancellingAfter`: `body` is cancelled earlier, at that time, after
/// `whenCancelling` runs, and still awaited until `timeout`.
public func abandoningAfter<T: Sendable>(_ timeout: Duration, cancellingAfter cancelTime: Duration? = nil,
                                         whenCancelling: @escaping @Sendable () -> Void = {},
                                         _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    let waiter = SingleResume<T>()
    let work = Task { waiter.resume(with: await Result { try await body() }) }
    let abandon = DeadlineTimers.shared.schedule(in: timeout) {
        waiter.resume(with: .failure(DeadlineExceeded()))
        work.cancel()
    }
    let cancel = cancelTime.map { cancelTime in
        DeadlineTimers.shared.schedule(in: cancelTime) {
            whenCancelling()
            work.cancel()
        }
    }
    defer {
        DeadlineTimers.shared.cancel(abandon)
        if let cancel { DeadlineTimers.shared.cancel(cancel) }
    }
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { waiter.install($0) }
    } onCancel: {
        work.cancel()
        waiter.resume(with: .failure(CancellationError()))
    }
}
