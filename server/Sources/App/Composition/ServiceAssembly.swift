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

/// The services this process runs, each built from its store and from clients of
/// the services it calls: direct calls to those of this process, HTTP to the
/// others (`Peers`). Built in the order they depend on each other: the catalog
/// before the inventory and the orders that read it, the orders before the
/// payments, all three before the checkout.
struct ServiceAssembly {
    let stores: Stores
    let tokens: TokenService
    let configuration: AppConfiguration
    let logger: Logger
    private(set) var peers: Peers
    /// What runs beside the routes (checkout recovery).
    private(set) var background: [any Service] = []
    private var catalog: (any ProductCatalog)?
    private var accounts: AuthService?
    private var inventory: InventoryService?
    private var orders: OrderService?
    private var payments: PaymentService?

    init(stores: Stores, tokens: TokenService, configuration: AppConfiguration, logger: Logger) {
        self.stores = stores
        self.tokens = tokens
        self.configuration = configuration
        self.logger = logger
        self.peers = Peers(configuration: configuration, tokens: tokens, logger: logger)
    }

    mutating func addRoutes(to router: Router<AppRequestContext>) {
        let here = stores.services
        if here.contains(.auth) {
            let service = auth()
            AuthController.addRoutes(for: service, to: router)
            accounts = service
        }
        if here.contains(.users), let documents = stores.documents {
            UserController.addRoutes(for: UserService(repository: documents.userRepository), to: router)
        }
        if here.contains(.products), let documents = stores.documents {
            let products = ProductService(repository: documents.productRepository, cacheTTL: configuration.productCacheTTL,
                                          stock: stockSource(), accounts: accountNames(), logger: logger)
            ProductController.addRoutes(for: products, to: router)
            catalog = products
        }
        if here.contains(.inventory) {
            let service = InventoryService(repository: PostgresInventoryRepository(store: stores.postgres(.inventory)), catalog: productCatalog())
            InventoryController.addRoutes(for: service, to: router)
            inventory = service
        }
        if here.contains(.orders) {
            let service = OrderService(repository: PostgresOrderRepository(store: stores.postgres(.orders)), catalog: productCatalog())
            OrderController.addRoutes(for: service, to: router)
            orders = service
        }
        if here.contains(.payments) {
            let service = PaymentService(
                repository: PostgresPaymentRepository(store: stores.postgres(.payments)),
                provider: SandboxPaymentProvider(latency: configuration.paymentLatency, failureRate: configuration.paymentFailureRate),
                orders: ordersClient(for: .payments),
                providerTimeout: configuration.paymentProviderTimeout)
            PaymentController.addRoutes(for: service, to: router)
            payments = service
        }
        if here.contains(.checkout) {
            let (checkout, cancellations) = checkoutAndCancellation()
            CheckoutController.addRoutes(for: checkout, cancellations: cancellations, to: router)
        }
    }

    private func auth() -> AuthService {
        if configuration.bcryptCost < 10 {
            logger.warning("STOREFRONT_BCRYPT_COST is below 10: passwords are hashed at a cost meant for tests only",
                           metadata: ["cost": .stringConvertible(configuration.bcryptCost)])
        }
        return AuthService(
            accounts: PostgresAccountRepository(store: stores.postgres(.auth)),
            hasher: PasswordHasher(cost: configuration.bcryptCost, pool: PasswordHasher.pool(threads: configuration.hashingThreads),
                                   maximumQueued: configuration.hashingQueue, perClient: configuration.hashingPerClient),
            tokens: tokens, throttle: LoginThrottle(limits: configuration.loginThrottle),
            signUps: configuration.signUpInterval.map { RateLimiter(perSecond: 1 / $0.timeInterval, burst: Double(configuration.signUpBurst)) })
    }

    /// The checkout and cancellation sagas, and their recovery running beside the routes.
    private mutating func checkoutAndCancellation() -> (CheckoutService, CancellationService) {
        let cancellations = CancellationService(
            orders: ordersClient(for: .checkout), inventory: inventoryClient(for: .checkout), payments: paymentsClient(for: .checkout),
            log: PostgresCancellationLog(store: stores.postgres(.checkout)), logger: logger)
        let saga = CheckoutService(
            orders: ordersClient(for: .checkout), inventory: inventoryClient(for: .checkout), payments: paymentsClient(for: .checkout),
            log: PostgresCheckoutLog(store: stores.postgres(.checkout)), logger: logger,
            giveUpAfter: configuration.checkoutRecoveryAttempts)
        background.append(CheckoutRecoveryService(saga: saga, cancellations: cancellations,
                                                  interval: configuration.checkoutRecoveryInterval, staleAfter: configuration.checkoutStaleAfter))
        if configuration.checkoutStaleAfter <= configuration.requestTimeout {
            // A checkout still being served could then be taken for an abandoned one and undone under it.
            logger.warning("STOREFRONT_CHECKOUT_STALE_AFTER should be longer than STOREFRONT_REQUEST_TIMEOUT", metadata: [
                "stale_after": .stringConvertible(configuration.checkoutStaleAfter), "request_timeout": .stringConvertible(configuration.requestTimeout)])
        }
        return (saga, cancellations)
    }

    // MARK: Reaching the other services

    /// Product answers carry stock: from the inventory's store when it is here, else over HTTP.
    private mutating func stockSource() -> any StockSource {
        if stores.services.contains(.inventory) {
            return RepositoryStockSource(repository: PostgresInventoryRepository(store: stores.postgres(.inventory)))
        }
        return HTTPStockSource(client: peers.client(.inventory, caller: .products))
    }

    /// Product answers name their vendor: from the auth service when it is here, else over HTTP.
    private mutating func accountNames() -> any AccountNames {
        if let accounts { return InProcessAccountNames(service: accounts) }
        return HTTPAccountNames(client: peers.client(.auth, caller: .products))
    }

    /// Stock and carts read names, prices and owners from the product service's catalog.
    private mutating func productCatalog() -> any ProductCatalog {
        if let catalog { return catalog }
        let remote = HTTPProductCatalog(client: peers.client(.products, caller: configuration.service))
        catalog = remote
        return remote
    }

    private mutating func ordersClient(for caller: ServiceName) -> any OrdersClient {
        if let orders { return InProcessOrdersClient(service: orders) }
        return HTTPOrdersClient(client: peers.client(.orders, caller: caller))
    }

    private mutating func inventoryClient(for caller: ServiceName) -> any InventoryClient {
        if let inventory { return InProcessInventoryClient(service: inventory) }
        return HTTPInventoryClient(client: peers.client(.inventory, caller: caller))
    }

    private mutating func paymentsClient(for caller: ServiceName) -> any PaymentsClient {
        if let payments { return InProcessPaymentsClient(service: payments) }
        return HTTPPaymentsClient(client: peers.client(.payments, caller: caller))
    }
}
