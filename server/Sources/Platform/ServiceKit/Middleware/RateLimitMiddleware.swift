import Hummingbird

/// Per-caller request budget (a token bucket each): `burst` requests at once,
/// refilled at `perSecond`. A signed-in caller has one per account, wherever it
/// calls from; a guest one per client address (`context.client`: a kiosk
/// session or a shopper behind a trusted proxy counts on its own); other
/// services, with their credential, are not limited. Past it a caller gets 429
/// with `Retry-After`, and no work is done for it. Runs after the token middleware.
public struct RateLimitMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext
    let limiter: RateLimiter

    public init(perSecond: Double, burst: Double) {
        self.limiter = RateLimiter(perSecond: perSecond, burst: burst)
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let key: String
        switch context.caller {
        case .service?: return try await next(request, context)
        case .user(let user)?: key = "account:" + user.id.description
        case nil: key = "address:" + context.client.key
        }
        if let wait = limiter.take(key) {
            let seconds = max(1, Int(wait.rounded(.up)))
            throw AppError(.tooManyRequests, .rateLimited, "Too many requests; try again in \(seconds) s", headers: [.retryAfter: String(seconds)])
        }
        return try await next(request, context)
    }
}
