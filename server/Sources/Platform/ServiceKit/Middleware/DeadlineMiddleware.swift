import Hummingbird

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
