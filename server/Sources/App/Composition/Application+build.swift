import AuthService
import CheckoutService
import Foundation
import Hummingbird
import InventoryService
import Logging
import MarketplaceAPI
import OrderService
import PaymentService
import PostgresNIO
import ProductService
import ServiceKit
import ServiceLifecycle
import UserService

/// The stores the services of this process talk to: one client per database
/// they own, and the document store when the user or product service runs here.
public struct Stores: Sendable {
    let postgres: [Database: PostgresClient]
    /// The user and product services' document store (one pool per URL, per process).
    public let documents: DocumentStores?
    let services: Set<ServiceName>

    public init(configuration: AppConfiguration, logger: Logger, for services: Set<ServiceName> = Set(ServiceName.allCases)) throws {
        self.services = services
        self.documents = services.contains(.users) || services.contains(.products) ? try DocumentStores(configuration: configuration) : nil
        let location = try PostgresLocation(url: configuration.postgresURL)
        var postgres: [Database: PostgresClient] = [:]
        for database in services.flatMap(\.postgresDatabases) {
            // A statement may take most of a request's time, never all of it.
            postgres[database] = location.client(database: configuration.databaseName(database), logger: logger,
                                                 statementTimeout: configuration.requestTimeout * 0.8)
        }
        self.postgres = postgres
    }

    /// The client of a database a service of this process owns.
    func client(_ database: Database) -> PostgresClient {
        guard let client = postgres[database] else { preconditionFailure("\(database.name) is not opened by this process") }
        return client
    }

    /// Clients that must run for as long as the application does.
    public var runningServices: [any Service] { postgres.keys.sorted { $0.name < $1.name }.map { postgres[$0]! } }

    func readiness() async -> [String: String] {
        var states = await withTaskGroup(of: (String, Bool).self) { group in
            for (name, client) in postgres {
                group.addTask { (name.name, await client.ping()) }
            }
            return await group.reduce(into: [String: String]()) { $0[$1.0] = $1.1 ? "up" : "down" }
        }
        if let documents {
            let up = await documents.client.ping(timeout: .seconds(2)) ? "up" : "down"
            if services.contains(.users) { states[Database.users.name] = up }
            if services.contains(.products) { states[Database.products.name] = up }
        }
        return states
    }
}

/// Builds the marketplace: every service (`configuration.service == nil`) or
/// one alone. The app under test is the app that ships.
public func buildApplication(_ configuration: AppConfiguration, logger: Logger) async throws -> some ApplicationProtocol {
    let services = configuration.service.map { Set([$0]) } ?? Set(ServiceName.allCases)
    let stores = try Stores(configuration: configuration, logger: logger, for: services)
    await stores.documents?.prepare(logger: logger)
    let tokens = try await TokenService(
        userSecrets: configuration.userTokenSecrets, serviceSecrets: configuration.serviceTokenSecrets,
        lifetime: configuration.tokenLifetime)
    var background: [any Service] = []
    let router = buildRouter(stores: stores, tokens: tokens, configuration: configuration, logger: logger, background: &background)
    // The request deadline: the work is cancelled at requestTimeout, and abandoned two
    // seconds later if that did not end it (work ignoring cancellation), so every
    // request answers and a shutdown drains.
    return Application(
        responder: DeadlineResponder(router.buildResponder(), timeout: configuration.requestTimeout, logger: logger),
        // HTTPS when STOREFRONT_TLS_CERT and STOREFRONT_TLS_KEY say so.
        server: try ServerTLS.serverBuilder(ServerTLS.fromEnvironment(), limits: configuration.connectionLimits,
                                            proxies: TrustedProxies(configuration.trustedProxies)),
        configuration: .init(
            address: .hostname(configuration.host, port: configuration.port),
            serverName: configuration.service.map { "marketplace-\($0.rawValue)" } ?? "marketplace"),
        services: stores.runningServices + background,
        logger: logger)
}

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

/// HTTP clients for the services this process does not run, sharing one
/// connection pool that is opened only when some service needs it.
struct Peers {
    let configuration: AppConfiguration
    let tokens: TokenService
    let logger: Logger
    private var connections: PeerConnections?

    init(configuration: AppConfiguration, tokens: TokenService, logger: Logger) {
        self.configuration = configuration
        self.tokens = tokens
        self.logger = logger
    }

    var services: [any Service] { connections.map { [$0] } ?? [] }

    mutating func client(_ peer: ServiceName, caller: ServiceName?) -> ServiceHTTPClient {
        let connections = self.connections ?? PeerConnections()
        self.connections = connections
        return ServiceHTTPClient(
            service: peer.rawValue, baseURL: configuration.peers.url(for: peer), connections: connections,
            credential: ServiceCredential(tokens: tokens, name: caller?.rawValue ?? "marketplace"),
            timeout: configuration.serviceCallTimeout, logger: logger)
    }
}

