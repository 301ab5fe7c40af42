import Foundation
import HTTPTypes
import Hummingbird
import NIOConcurrencyHelpers

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

public final class RateLimiter: Sendable {
    private struct Bucket { var tokens: Double; var updated: Double }
    private let perSecond: Double
    private let burst: Double
    private let buckets = NIOLockedValueBox([String: Bucket]())

    public init(perSecond: Double, burst: Double) {
        self.perSecond = perSecond
        self.burst = burst
    }

    /// nil when the request may go ahead; otherwise the seconds until it may.
    public func take(_ key: String, now: Double = ProcessInfo.processInfo.systemUptime) -> Double? {
        buckets.withLockedValue { buckets in
            // Idle clients are forgotten, so the table stays as small as the set of active ones.
            if buckets.count > 50_000 {
                buckets = buckets.filter { now - $0.value.updated < burst / perSecond }
            }
            var bucket = buckets[key] ?? Bucket(tokens: burst, updated: now)
            bucket.tokens = min(burst, bucket.tokens + (now - bucket.updated) * perSecond)
            bucket.updated = now
            defer { buckets[key] = bucket }
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                return nil
            }
            return (1 - bucket.tokens) / perSecond
        }
    }
}

/// Cross-origin access for browser front ends on the listed origins (`*` for any).
public struct CORSPolicyMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext
    let origins: Set<String>

    public init(origins: Set<String>) {
        self.origins = origins
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let origin = request.headers[.origin], origins.contains("*") || origins.contains(origin) else {
            return try await next(request, context)
        }
        let allowed = origins.contains("*") ? "*" : origin
        if request.method == .options, request.headers[.accessControlRequestMethod] != nil {
            return Response(status: .noContent, headers: [
                .accessControlAllowOrigin: allowed,
                .accessControlAllowMethods: "GET, POST, PUT, DELETE, OPTIONS",
                .accessControlAllowHeaders: "Authorization, Content-Type, Idempotency-Key, X-Request-Id",
                .accessControlMaxAge: "600",
                .vary: "Origin",
            ])
        }
        var response = try await next(request, context)
        response.headers[.accessControlAllowOrigin] = allowed
        response.headers[.accessControlExposeHeaders] = "X-Request-Id, Retry-After"
        response.headers[.vary] = "Origin"
        return response
    }
}
