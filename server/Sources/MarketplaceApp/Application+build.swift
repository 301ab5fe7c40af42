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
import ServiceKit
import ServiceLifecycle

/// The stores every service of this process talks to, one client per database.
public struct Stores: Sendable {
    public let auth: PostgresClient
    public let inventory: PostgresClient
    public let orders: PostgresClient
    public let payments: PostgresClient
    public let checkouts: PostgresClient

    /// The user and product services' document store (one pool per URL, per process).
    public let documents: DocumentStores

    public init(configuration: AppConfiguration, logger: Logger) throws {
        self.documents = try DocumentStores(configuration: configuration)
        let location = try PostgresLocation(url: configuration.postgresURL)
        self.auth = location.client(database: configuration.databaseName("auth_service"), logger: logger)
        self.inventory = location.client(database: configuration.databaseName("inventory_service"), logger: logger)
        self.orders = location.client(database: configuration.databaseName("order_service"), logger: logger)
        self.payments = location.client(database: configuration.databaseName("payment_service"), logger: logger)
        self.checkouts = location.client(database: configuration.databaseName("checkout_service"), logger: logger)
    }

    /// Clients that must run for as long as the application does.
    public var services: [any Service] { [auth, inventory, orders, payments, checkouts] }

    func readiness() async -> [String: String] {
        async let auth = self.auth.ping()
        async let inventory = self.inventory.ping()
        async let orders = self.orders.ping()
        async let payments = self.payments.ping()
        async let checkouts = self.checkouts.ping()
        let states = await ["auth_service": auth, "inventory_service": inventory, "order_service": orders, "payment_service": payments, "checkout_service": checkouts]
        return states.mapValues { $0 ? "up" : "down" }.merging(await documents.readiness()) { $1 }
    }
}

/// Builds the whole marketplace: the app under test is the app that ships.
public func buildApplication(_ configuration: AppConfiguration, logger: Logger) async throws -> some ApplicationProtocol {
    let stores = try Stores(configuration: configuration, logger: logger)
    await stores.documents.prepare(logger: logger)
    let tokens = try await TokenService(
        userSecret: configuration.tokenSecret, serviceSecret: configuration.serviceSecret,
        lifetime: configuration.tokenLifetime)
    var background: [any Service] = []
    let router = buildRouter(stores: stores, tokens: tokens, configuration: configuration, logger: logger, background: &background)
    return Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "marketplace"),
        services: stores.services + background,
        logger: logger)
}

/// `background` receives the services that run beside the routes (checkout recovery).
func buildRouter(stores: Stores, tokens: TokenService, configuration: AppConfiguration, logger: Logger, background: inout [any Service]) -> Router<AppRequestContext> {
    let router = Router(context: AppRequestContext.self)
    router.addMiddleware {
        RequestIDMiddleware()
        AccessLogMiddleware()
        ErrorMiddleware()
        CORSPolicyMiddleware(origins: configuration.corsOrigins)
        DeadlineMiddleware(timeout: configuration.requestTimeout)
        TokenMiddleware(tokens: tokens)
    }
    if let perSecond = configuration.rateLimitPerSecond {
        router.add(middleware: RateLimitMiddleware(perSecond: perSecond, burst: configuration.rateLimitBurst))
    }

    router.get("health") { _, _ in
        try JSONBody.response(.ok, HealthStatus(status: "ok"))
    }
    router.get("ready") { _, _ in
        let checks = await stores.readiness()
        let ready = checks.values.allSatisfy { $0 == "up" }
        return try JSONBody.response(ready ? .ok : .serviceUnavailable, HealthStatus(status: ready ? "ready" : "unavailable", checks: checks))
    }

    let api = router.group("api")
    let auth = AuthService(
        accounts: PostgresAccountRepository(client: stores.auth, logger: logger),
        hasher: PasswordHasher(cost: configuration.bcryptCost),
        tokens: tokens)
    AuthController(service: auth).addRoutes(to: api.group("auth"))
    let catalog = addDocumentServiceRoutes(to: api, stores: stores.documents, configuration: configuration)

    // Stock and carts read names, prices and owners from the product service's catalog.
    let inventory = InventoryService(
        repository: PostgresInventoryRepository(client: stores.inventory, logger: logger), catalog: catalog)
    InventoryController(service: inventory).addRoutes(to: api.group("inventory"))
    let orders = OrderService(
        repository: PostgresOrderRepository(client: stores.orders, logger: logger), catalog: catalog)
    OrderController(service: orders).addRoutes(to: api.group("orders"))

    let payments = PaymentService(
        repository: PostgresPaymentRepository(client: stores.payments, logger: logger),
        provider: SandboxPaymentProvider(latency: configuration.paymentLatency, failureRate: configuration.paymentFailureRate))
    PaymentController(service: payments).addRoutes(to: api.group("payments"))

    let saga = CheckoutSaga(
        orders: InProcessOrdersClient(service: orders), inventory: InProcessInventoryClient(service: inventory),
        payments: InProcessPaymentsClient(service: payments),
        log: PostgresCheckoutLog(client: stores.checkouts, logger: logger), logger: logger)
    CheckoutController(saga: saga).addRoutes(to: api.group("checkout"))
    background.append(CheckoutRecoveryService(saga: saga, interval: configuration.checkoutRecoveryInterval, staleAfter: configuration.checkoutStaleAfter))
    return router
}
