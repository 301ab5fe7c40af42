import Hummingbird

/// Works out who is calling (`context.client`) before anything counts or logs by
/// it, and hands on the networks besides loopback that may read `/metrics`
/// (judged on that client, not on a proxy in front of it, when `/metrics` asks).
public struct ClientAddressMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext
    let proxies: TrustedProxies
    let scrapers: [IPNetwork]

    public init(proxies: TrustedProxies, scrapers: [IPNetwork]) {
        self.proxies = proxies
        self.scrapers = scrapers
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let client = proxies.client(peer: context.remoteIP, forwarded: request.headers[.forwarded], forwardedFor: request.headers[.xForwardedFor])
        context.client = client
        context.metricsScrapers = scrapers
        if client.ip != context.remoteIP {
            context.logger[metadataKey: "client"] = .string(client.key)
        }
        return try await next(request, context)
    }
}
