import AuthService
import CheckoutService
import Hummingbird
import InventoryService
import Logging
import MarketplaceAPI
import OrderService
import PaymentService
import ProductService
import ServiceKit
import ServiceLifecycle
import UserService

/// `background` receives the services that run beside the routes (checkout
/// recovery, the connection pool to other services).
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

    var peers = Peers(configuration: configuration, tokens: tokens, logger: logger)
    // First in the list, so graceful shutdown (last to first) closes the pool after
    // the recovery loop that may still be calling through it.
    defer { background.insert(contentsOf: peers.services, at: 0) }
    let here = stores.services

    if here.contains(.auth) {
        let auth = AuthService(
            accounts: PostgresAccountRepository(client: stores.client(.auth), logger: logger),
            hasher: PasswordHasher(cost: configuration.bcryptCost, pool: PasswordHasher.pool(threads: configuration.hashingThreads),
                                    maximumQueued: configuration.hashingQueue, perClient: configuration.hashingPerClient),
            tokens: tokens, throttle: LoginThrottle(limits: configuration.loginThrottle),
            signUps: configuration.signUpInterval.map { RateLimiter(perSecond: 1 / $0.timeInterval, burst: Double(configuration.signUpBurst)) })
        AuthController(service: auth).addRoutes(to: router)
    }
    if here.contains(.users), let documents = stores.documents {
        UserController(service: UserService(repository: documents.userRepository)).addRoutes(to: router)
    }
    // Stock and carts read names, prices and owners from the product service's catalog.
    var catalog: (any ProductCatalog)?
    if here.contains(.products), let documents = stores.documents {
        // Product answers carry stock: from the inventory's store when it is here, else over HTTP.
        let stock: any StockSource = here.contains(.inventory)
            ? RepositoryStockSource(repository: PostgresInventoryRepository(client: stores.client(.inventory), logger: logger))
            : HTTPStockSource(client: peers.client(.inventory, caller: .products))
        let products = ProductService(repository: documents.productRepository, cacheTTL: configuration.productCacheTTL,
                                      stock: stock, logger: logger)
        ProductController(service: products).addRoutes(to: router)
        catalog = products
    }
    func productCatalog() -> any ProductCatalog {
        if let catalog { return catalog }
        let remote = HTTPProductCatalog(client: peers.client(.products, caller: configuration.service))
        catalog = remote
        return remote
    }

    var inventory: InventoryService?
    if here.contains(.inventory) {
        let service = InventoryService(
            repository: PostgresInventoryRepository(client: stores.client(.inventory), logger: logger), catalog: productCatalog())
        InventoryController(service: service).addRoutes(to: router)
        inventory = service
    }
    var orders: OrderService?
    if here.contains(.orders) {
        let service = OrderService(
            repository: PostgresOrderRepository(client: stores.client(.orders), logger: logger), catalog: productCatalog())
        OrderController(service: service).addRoutes(to: router)
        orders = service
    }
    var payments: PaymentService?
    if here.contains(.payments) {
        let service = PaymentService(
            repository: PostgresPaymentRepository(client: stores.client(.payments), logger: logger),
            provider: SandboxPaymentProvider(latency: configuration.paymentLatency, failureRate: configuration.paymentFailureRate),
            orders: orders.map { InProcessOrdersClient(service: $0) } ?? HTTPOrdersClient(client: peers.client(.orders, caller: .payments)))
        PaymentController(service: service).addRoutes(to: router)
        payments = service
    }

    if here.contains(.checkout) {
        // Direct calls to the services of this process, HTTP to the others.
        let saga = CheckoutSaga(
            orders: orders.map { InProcessOrdersClient(service: $0) } ?? HTTPOrdersClient(client: peers.client(.orders, caller: .checkout)),
            inventory: inventory.map { InProcessInventoryClient(service: $0) } ?? HTTPInventoryClient(client: peers.client(.inventory, caller: .checkout)),
            payments: payments.map { InProcessPaymentsClient(service: $0) } ?? HTTPPaymentsClient(client: peers.client(.payments, caller: .checkout)),
            log: PostgresCheckoutLog(client: stores.client(.checkout), logger: logger), logger: logger,
            giveUpAfter: configuration.checkoutRecoveryAttempts)
        CheckoutController(saga: saga).addRoutes(to: router)
        background.append(CheckoutRecoveryService(saga: saga, interval: configuration.checkoutRecoveryInterval, staleAfter: configuration.checkoutStaleAfter))
        if configuration.checkoutStaleAfter <= configuration.requestTimeout {
            // A checkout still being served could then be taken for an abandoned one and undone under it.
            logger.warning("STOREFRONT_CHECKOUT_STALE_AFTER should be longer than STOREFRONT_REQUEST_TIMEOUT", metadata: [
                "stale_after": .stringConvertible(configuration.checkoutStaleAfter), "request_timeout": .stringConvertible(configuration.requestTimeout)])
        }
    }
    return router
}
