import MarketplaceAPI

// The checkout talks to the other services only through these protocols. The
// in-process implementations call the services directly (`marketplace serve`);
// HTTP ones serve the split topology. The saga is written, and tested, against
// the protocols.

public protocol OrdersClient: Sendable {
    /// Turns the user's cart into a Pending order. The same key answers the same order.
    /// Throws `CheckoutDependencyError.emptyCart` when there is nothing to order.
    func createOrder(userID: String, address: ShippingAddress, idempotencyKey: String) async throws -> Order
    func setStatus(orderID: String, to status: OrderStatus) async throws -> Order
    /// Puts a Cancelled order's items back in its owner's cart, priced afresh by
    /// the catalog. Safe to repeat: the order service puts them back only once.
    func restoreCart(orderID: String) async throws
}

public enum ReservationResult: Sendable, Equatable {
    case reserved
    case short([StockShortage])
}

public protocol InventoryClient: Sendable {
    /// All lines or none; repeating it for the same order takes nothing more.
    func reserve(orderID: String, lines: [StockLine]) async throws -> ReservationResult
    /// Returns what the order holds, once; later calls return nothing.
    func release(orderID: String) async throws
}

public struct ChargeRequest: Sendable, Equatable {
    public var userID: String
    public var orderID: String
    public var amount: Money
    public var paymentMethod: String
    public var idempotencyKey: String

    public init(userID: String, orderID: String, amount: Money, paymentMethod: String, idempotencyKey: String) {
        self.userID = userID
        self.orderID = orderID
        self.amount = amount
        self.paymentMethod = paymentMethod
        self.idempotencyKey = idempotencyKey
    }
}

public protocol PaymentsClient: Sendable {
    /// Completed or Failed; the same key never charges twice. Throws
    /// `CheckoutDependencyError.unavailable` when the outcome is unknown.
    func charge(_ request: ChargeRequest) async throws -> PaymentTransaction
}

/// Failures of the services the checkout calls, in the checkout's words.
public enum CheckoutDependencyError: Error, Equatable {
    case emptyCart
    /// The service did not answer, or answered with something the checkout cannot act on.
    case unavailable(service: String, detail: String)
}
