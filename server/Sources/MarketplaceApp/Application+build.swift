import AuthService
import Foundation
import Hummingbird
import Logging
import MarketplaceAPI
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

    /// The user and product services' document store (one pool per URL, per process).
    public let documents: DocumentStores

    public init(configuration: AppConfiguration, logger: Logger) throws {
        self.documents = try DocumentStores(configuration: configuration)
        let location = try PostgresLocation(url: configuration.postgresURL)
        self.auth = location.client(database: configuration.databaseName("auth_service"), logger: logger)
        self.inventory = location.client(database: configuration.databaseName("inventory_service"), logger: logger)
        self.orders = location.client(database: configuration.databaseName("order_service"), logger: logger)
        self.payments = location.client(database: configuration.databaseName("payment_service"), logger: logger)
    }

    /// Clients that must run for as long as the application does.
    public var services: [any Service] { [auth, inventory, orders, payments] }

    func readiness() async -> [String: String] {
        async let auth = self.auth.ping()
        async let inventory = self.inventory.ping()
        async let orders = self.orders.ping()
        async let payments = self.payments.ping()
        let states = await ["auth_service": auth, "inventory_service": inventory, "order_service": orders, "payment_service": payments]
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
    let router = buildRouter(stores: stores, tokens: tokens, configuration: configuration, logger: logger)
    return Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "marketplace"),
        services: stores.services,
        logger: logger)
}

func buildRouter(stores: Stores, tokens: TokenService, configuration: AppConfiguration, logger: Logger) -> Router<AppRequestContext> {
    let router = Router(context: AppRequestContext.self)
    router.addMiddleware {
        RequestIDMiddleware()
        AccessLogMiddleware()
        ErrorMiddleware()
        DeadlineMiddleware(timeout: configuration.requestTimeout)
        TokenMiddleware(tokens: tokens)
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
    _ = catalog  // the ProductCatalog the order and inventory services read names, prices and owners from

    let payments = PaymentService(
        repository: PostgresPaymentRepository(client: stores.payments, logger: logger),
        provider: SandboxPaymentProvider(latency: configuration.paymentLatency, failureRate: configuration.paymentFailureRate))
    PaymentController(service: payments).addRoutes(to: api.group("payments"))
    return router
}
