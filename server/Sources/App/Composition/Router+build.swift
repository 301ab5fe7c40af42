import Hummingbird
import Logging
import MarketplaceAPI
import ServiceKit
import ServiceLifecycle

/// The router of this process: the middleware every request goes through, the
/// platform's own routes (health, readiness, metrics), then the routes of each
/// service it runs (`ServiceAssembly`). `background` receives the services that
/// run beside the routes (checkout recovery, the connection pool to other services).
func buildRouter(stores: Stores, tokens: TokenService, configuration: AppConfiguration, logger: Logger, background: inout [any Service]) -> Router<AppRequestContext> {
    ProcessMetrics.bootstrap()
    // HEAD answers wherever GET does, with the same headers and no body.
    let router = Router(context: AppRequestContext.self, options: .autoGenerateHeadEndpoints)
    if configuration.tracing {
        // Outermost: the server span continues the caller's traceparent and covers
        // everything below, the request id recorded beside it.
        router.add(middleware: TraceContextGuard())
        router.add(middleware: TracingMiddleware(recordingHeaders: [.requestID]))
    }
    router.addMiddleware {
        MetricsMiddleware()
        RequestIDMiddleware()
        ClientAddressMiddleware(proxies: TrustedProxies(configuration.trustedProxies), scrapers: configuration.metricsScrapers)
        AccessLogMiddleware()
        ErrorMiddleware()
        CORSPolicyMiddleware(origins: configuration.corsOrigins)
        DeadlineMiddleware()
        TokenMiddleware(tokens: tokens)
    }
    // Every form limits by identity: a verified account has its own budget, a guest
    // (or a made-up token) its address's. A service alone behind the gateway sees
    // the client the gateway forwards (a trusted proxy); peers calling with a
    // service credential are not limited. The gateway itself only caps each address.
    if let perSecond = configuration.rateLimitPerSecond {
        router.add(middleware: RateLimitMiddleware(perSecond: perSecond, burst: configuration.rateLimitBurst))
    }

    router.on(Endpoints.health) { _, _ in
        try JSONBody.response(.ok, HealthStatus(status: "ok"))
    }
    // Prometheus text format, for scrapers on the machine or holding a service
    // credential. The gateway does not route it: scrape each process directly.
    router.on(Endpoints.metrics) { _, _ in
        ProcessMetrics.response()
    }
    router.on(Endpoints.ready) { _, _ in
        let checks = await stores.readiness()
        let ready = checks.values.allSatisfy { $0 == "up" }
        return try JSONBody.response(ready ? .ok : .serviceUnavailable, HealthStatus(status: ready ? "ready" : "unavailable", checks: checks))
    }

    var services = ServiceAssembly(stores: stores, tokens: tokens, configuration: configuration, logger: logger)
    services.addRoutes(to: router)
    // The connection pool first in the list, so graceful shutdown (last to first)
    // closes it after the recovery loop that may still be calling through it.
    background.insert(contentsOf: services.peers.services, at: 0)
    background += services.background
    return router
}
