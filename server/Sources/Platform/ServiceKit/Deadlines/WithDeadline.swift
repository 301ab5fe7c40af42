import NIOConcurrencyHelpers

/// Runs `body`, giving up (and cancelling it) after `timeout`: the one timeout
/// race of the server (requests, calls between services, readiness pings).
/// `body` never outlives the call: it runs in a task of its own that is always
/// awaited. The deadline is an entry in `DeadlineTimers`, not a sleeping task (on
/// Linux every `Task.sleep` is a dispatch timer, a wake-up of dispatch's manager
/// thread per request) nor an event-loop timer (scheduling and cancelling one from
/// outside the loop wakes the loop twice per request).
public func withDeadline<T: Sendable>(_ timeout: Duration, _ body: () async throws -> T) async throws -> T {
    try await withoutActuallyEscaping(body) { body in
        // Awaited below whatever happens, so `body` never outlives this call even
        // though the compiler cannot see it.
        nonisolated(unsafe) let body = body
        let work = Task { try await body() }
        let expired = NIOLockedValueBox(false)
        let timer = DeadlineTimers.shared.schedule(in: timeout) {
            expired.withLockedValue { $0 = true }
            work.cancel()
        }
        defer { DeadlineTimers.shared.cancel(timer) }
        do {
            let value = try await withTaskCancellationHandler { try await work.value } onCancel: { work.cancel() }
            // Past the deadline the answer is the deadline's, even from work that
            // ignored the cancellation and finished anyway.
            if expired.withLockedValue({ $0 }) { throw DeadlineExceeded() }
            return value
        } catch let error as DeadlineExceeded {
            throw error
        } catch {
            if expired.withLockedValue({ $0 }) { throw DeadlineExceeded() }
            throw error
        }
    }
}
