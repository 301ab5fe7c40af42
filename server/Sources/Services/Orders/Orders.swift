import Foundation
import MarketplaceAPI
import ServiceKit

/// What can go wrong with carts and orders. `appError` (below) maps these to HTTP.
public enum OrderError: Error, Equatable, Sendable {
    case invalid([FieldError])
    case unknownProduct(String)
    case notInCart(String)
    case emptyCart
    /// The cart's total would pass what NUMERIC(10,2) holds.
    case cartTooLarge
    case orderNotFound(String)
    case illegalTransition(from: OrderStatus, to: OrderStatus)
    /// The idempotency key was used for another user's order.
    case idempotencyKeyReused
    /// Only a Cancelled order's items go back to the cart.
    case notCancelled(orderID: String, status: OrderStatus)
    /// The catalog's prices (or names) differ from the cart's, or products are
    /// gone; the cart was brought up to date and no order was made.
    case pricesChanged([PriceChange])
}

/// A product line as the cart stores it, priced by the catalog.
public struct PricedLine: Sendable, Equatable {
    public var productID: String
    public var name: String
    public var price: Money
    public var quantity: Int

    public init(productID: String, name: String, price: Money, quantity: Int) {
        self.productID = productID
        self.name = name
        self.price = price
        self.quantity = quantity
    }
}

public enum OrderCreation: Sendable, Equatable {
    case created(Order)
    /// An order made earlier with the same idempotency key.
    case existing(Order)
    case emptyCart
}

/// Storage of carts and orders. Every method is atomic on its own.
public protocol OrderRepository: Sendable {
    /// The user's cart, created empty when they have none. Reading a cart that
    /// exists writes nothing.
    func cart(userID: String) async throws -> Cart
    /// Adds the line (or its quantity to the same product's line, refreshing name and price).
    func addToCart(userID: String, line: PricedLine) async throws -> Cart
    /// nil when the product is not in the cart.
    func removeFromCart(userID: String, productID: String) async throws -> Cart?
    func clearCart(userID: String) async throws -> Cart
    /// Copies the cart into a Pending order with the address and empties the cart, in one transaction.
    func createOrder(userID: String, address: ShippingAddress, idempotencyKey: String?) async throws -> OrderCreation
    func order(id: UUID) async throws -> Order?
    /// The order made with this idempotency key, whoever made it.
    func order(idempotencyKey: String) async throws -> Order?
    /// Newest first.
    func orders(userID: String, offset: Int, limit: Int) async throws -> (orders: [Order], total: Int)
    /// Sets the status when the order currently has one of `from`; nil otherwise.
    func transition(orderID: UUID, to status: OrderStatus, from: [OrderStatus]) async throws -> Order?
    /// Adds `lines` to `userID`'s cart the first time it is called for the order,
    /// marking the order in the same transaction; later calls add nothing.
    func restoreCart(orderID: UUID, userID: String, lines: [PricedLine]) async throws -> Cart
    /// Sets the name and price of the cart's lines for these products and removes
    /// the lines of `removed` ones; quantities stay as they are.
    func reprice(userID: String, lines: [PricedLine], removed: [String]) async throws -> Cart
}

extension OrderError: DomainError {
    /// The one place order errors become HTTP answers.
    public var appError: AppError {
        switch self {
        case .invalid(let errors): return .validation(errors)
        case .unknownProduct(let id): return .notFound("No product with id \(id)")
        case .notInCart(let id): return AppError(.notFound, .notInCart, "Product \(id) is not in your cart")
        case .emptyCart: return AppError(.badRequest, .cartEmpty, "The cart is empty")
        case .cartTooLarge: return AppError(.badRequest, .cartTooLarge, "The cart would exceed the largest total we can take")
        case .orderNotFound(let id): return .notFound("No order with id \(id)")
        case .illegalTransition(let from, let to): return .conflict("An order cannot move from \(from.rawValue) to \(to.rawValue)", code: .illegalTransition)
        case .idempotencyKeyReused: return .conflict("This idempotency key belongs to another user's order", code: .idempotencyKeyReused)
        case .pricesChanged(let changes): return .conflict(Self.describe(changes), code: .priceChanged)
        case .notCancelled(let id, let status): return .conflict("Order \(id) is \(status.rawValue); only a Cancelled order's items go back to the cart", code: .illegalTransition)
        }
    }
}

extension OrderError {
    /// "Prices changed since these were added to your cart: Lamp $19.99 → $24.99, Chair (no longer sold)".
    public static func describe(_ changes: [PriceChange]) -> String {
        "Prices changed since these were added to your cart: " + changes.map { change in
            change.newPrice.map { "\(change.name) $\(change.oldPrice) → $\($0)" } ?? "\(change.name) (no longer sold)"
        }.joined(separator: ", ") + ". Your cart has the new prices; check out again to accept them"
    }
}
