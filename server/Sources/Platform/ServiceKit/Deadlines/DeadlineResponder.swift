import Hummingbird
import Logging
import MarketplaceAPI
import Metrics

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
