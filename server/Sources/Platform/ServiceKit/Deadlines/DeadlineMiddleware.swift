import Foundation
import Hummingbird
import Logging
import Metrics
import MarketplaceAPI
import NIOConcurrencyHelpers
import NIOCore
import Synchronization

/// Gives a request past its deadline the deadline's answer: a clear 503 after
/// `timeout`, never a hang, even from work that ignored the cancellation and
/// finished anyway. `DeadlineResponder`, around the router, keeps the time and
/// cancels the work (an open transaction then rolls back); this layer, inside the
/// error and access-log layers, turns what the cancelled work answered into the
/// 503 they log and count. It runs no task and sets no timer of its own.
public struct DeadlineMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext

    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let response: Response
        do {
            response = try await next(request, context)
        } catch {
            if let deadline = context.deadline, deadline.hasPassed { throw deadline.answer }
            throw error
        }
        if let deadline = context.deadline, deadline.hasPassed { throw deadline.answer }
        return response
    }
}

/// A request's deadline, set by `DeadlineResponder` and marked when it passes.
public final class RequestDeadline: Sendable {
    public let timeout: Duration
    private let passed = Atomic<Bool>(false)

    init(timeout: Duration) {
        self.timeout = timeout
    }

    public var hasPassed: Bool { passed.load(ordering: .acquiring) }
    func pass() { passed.store(true, ordering: .releasing) }

    var answer: AppError {
        AppError.unavailable("The service did not answer within \(timeout.components.seconds) s; try again shortly")
    }
}

public struct DeadlineExceeded: Error, CustomStringConvertible {
    public init() {}
    public var description: String { "deadline exceeded" }
}

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

/// Every pending deadline of the process, watched by one thread that sleeps until
/// the earliest. Requests all carry the same timeout, so a new deadline is almost
/// never earlier than the ones waiting and setting one wakes nobody: a request
/// costs two short locked dictionary updates, no system call. Actions run on the
/// watching thread and must be quick (cancel a task, resume a continuation).
final class DeadlineTimers: @unchecked Sendable {
    static let shared = DeadlineTimers()

    struct Timer: Sendable { fileprivate let id: UInt64 }

    private let condition = NSCondition()
    private var entries: [UInt64: (deadline: ContinuousClock.Instant, action: @Sendable () -> Void)] = [:]
    private var nextID: UInt64 = 0
    /// When the watching thread wakes next; nil while it waits for a first entry.
    private var wakesAt: ContinuousClock.Instant?

    /// `shared` serves the process; tests make their own.
    init() {
        let thread = Thread { [self] in watch() }
        thread.name = "deadlines"
        thread.start()
    }

    func schedule(in timeout: Duration, _ action: @escaping @Sendable () -> Void) -> Timer {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        condition.lock()
        defer { condition.unlock() }
        nextID &+= 1
        entries[nextID] = (deadline, action)
        if wakesAt.map({ deadline < $0 }) ?? true { condition.signal() }
        return Timer(id: nextID)
    }

    func cancel(_ timer: Timer) {
        condition.lock()
        entries[timer.id] = nil
        condition.unlock()
    }

    /// Deadlines set and neither cancelled nor due yet.
    var pending: Int {
        condition.lock()
        defer { condition.unlock() }
        return entries.count
    }

    private func watch() {
        condition.lock()
        while true {
            let now = ContinuousClock.now
            var due: [@Sendable () -> Void] = []
            var earliest: ContinuousClock.Instant?
            for (id, entry) in entries {
                if entry.deadline <= now {
                    due.append(entry.action)
                    entries[id] = nil
                } else if earliest.map({ entry.deadline < $0 }) ?? true {
                    earliest = entry.deadline
                }
            }
            if !due.isEmpty {
                condition.unlock()
                for action in due { action() }
                condition.lock()
                continue
            }
            wakesAt = earliest
            if let earliest {
                _ = condition.wait(until: Date(timeIntervalSinceNow: (earliest - now).timeInterval))
            } else {
                condition.wait()
            }
        }
    }
}

/// The request deadline, around the whole router, in one task and two timer
/// entries per request: at `timeout` the work is cancelled (and
/// `DeadlineMiddleware` answers 503 for it); work that ignores cancellation (a
/// driver call blocking its thread, a continuation never resumed) cannot hold the
/// answer past `timeout + grace` either: the request then answers 503
/// `unavailable` at once and the work carries on alone, counted in
/// `storefront_requests_abandoned_total` and logged with its request id.
/// (One layer doing both halves the tasks a request costs: two nested deadlines,
/// each with a task, cost a cached catalogue page a fifth of its throughput.)
public struct DeadlineResponder<Inner: HTTPResponder>: HTTPResponder where Inner.Context == AppRequestContext {
    public typealias Context = AppRequestContext
    let inner: Inner
    let timeout: Duration
    let grace: Duration
    let logger: Logger

    public init(_ inner: Inner, timeout: Duration, grace: Duration = .seconds(2), logger: Logger) {
        self.inner = inner
        self.timeout = timeout
        self.grace = grace
        self.logger = logger
    }

    public func respond(to request: Request, context: Context) async throws -> Response {
        let deadline = RequestDeadline(timeout: timeout)
        var context = context
        context.deadline = deadline
        do {
            return try await abandoningAfter(timeout + grace, cancellingAfter: timeout, whenCancelling: deadline.pass) { [inner, context] in
                try await inner.respond(to: request, context: context)
            }
        } catch is DeadlineExceeded {
            Counter(label: "storefront_requests_abandoned_total").increment()
            logger.error("request abandoned past its deadline", metadata: [
                "method": .string(request.method.rawValue), "path": .string(request.uri.path),
                "request_id": .string(request.headers[.requestID] ?? ""),
            ])
            return try JSONBody.response(.serviceUnavailable, ErrorEnvelope(code: .unavailable, message: deadline.answer.message))
        }
    }
}

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

/// A continuation resumed exactly once, by whichever comes first: the result,
/// or the waiter's cancellation (which may arrive before the continuation exists).
final class SingleResume<T: Sendable>: Sendable {
    private enum State {
        case waiting
        case installed(CheckedContinuation<T, any Error>)
        case done(Result<T, any Error>?)
    }
    private let state = NIOLockedValueBox(State.waiting)

    func install(_ continuation: CheckedContinuation<T, any Error>) {
        let early: Result<T, any Error>? = state.withLockedValue { state in
            switch state {
            case .waiting:
                state = .installed(continuation)
                return nil
            case .done(let result):
                state = .done(nil)
                return result
            case .installed:
                preconditionFailure("continuation installed twice")
            }
        }
        if let early { continuation.resume(with: early) }
    }

    func resume(with result: Result<T, any Error>) {
        let continuation: CheckedContinuation<T, any Error>? = state.withLockedValue { state in
            switch state {
            case .waiting:
                state = .done(result)
                return nil
            case .installed(let continuation):
                state = .done(nil)
                return continuation
            case .done:
                return nil
            }
        }
        continuation?.resume(with: result)
    }
}

extension Result where Failure == any Error {
    init(catching body: () async throws -> Success) async {
        do {
            self = .success(try await body())
        } catch {
            self = .failure(error)
        }
    }
}
