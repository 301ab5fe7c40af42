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
    /// Products kept going into the cart while the order was being made from it.
    case cartKeptChanging
    /// A vendor named another vendor's part.
    case notYourPart
    /// An admin named no vendor, and the order has several parts (or none).
    case partNotNamed(orderID: String, parts: Int)
    /// No part of the order can move now: it is not Confirmed (or, to deliver, Shipped).
    case orderNotShippable(orderID: String, status: OrderStatus)
    /// A part of the order has shipped: it can no longer be cancelled.
    case partShipped(orderID: String)
    /// The vendor's part is not where this move starts (`part` nil: the order has no parts).
    case shipmentNotAllowed(orderID: String, part: ShipmentStatus?, to: ShipmentStatus)
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
    /// The cart holds a product that is not among the priced ones (it was added
    /// after the prices were checked); nothing was made.
    case unpriced
}

/// What became of a request to move a vendor's part of an order.
public enum ShipmentMove: Sendable, Equatable {
    /// The part moved; the order as it is now, and the status it had before
    /// (the same as now unless the order followed its parts).
    case moved(Order, orderWas: OrderStatus)
    /// No such order, or none of its lines is the vendor's.
    case notFound
    /// `OrderStatusMachine.decide` said no: the order's status and the part's (nil: none yet).
    case refused(OrderStatusMachine.ShipmentDecision, order: OrderStatus, part: ShipmentStatus?)
}

/// What a key names when an order is to be made: the order already made with it, or
/// the cart to make it from.
public enum OrderOrCart: Sendable {
    case order(Order)
    case cart(Cart)
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
    /// `vendors` names the owner of every product priced for it (by product id); each
    /// line keeps its product's, and a cart line not among them answers `unpriced`.
    func createOrder(userID: String, address: ShippingAddress, idempotencyKey: String?, vendors: [String: String]) async throws -> OrderCreation
    func order(id: UUID) async throws -> Order?
    /// The order made with this idempotency key, whoever made it.
    func order(idempotencyKey: String) async throws -> Order?
    /// The order made with this idempotency key (whoever made it) or else the user's
    /// cart, in one read when there is no such order: an order's first step.
    func orderOrCart(idempotencyKey: String, userID: String) async throws -> OrderOrCart
    /// Newest first.
    func orders(userID: String, offset: Int, limit: Int) async throws -> (orders: [Order], total: Int)
    /// Sets the status when the order currently has one of `from`; nil otherwise.
    /// Becoming Confirmed makes the order's parts, one Pending part per vendor of its
    /// lines; becoming Shipped or Delivered as a whole moves its parts along.
    /// Answers the order and the status it left.
    func transition(orderID: UUID, to status: OrderStatus, from: [OrderStatus]) async throws -> (order: Order, was: OrderStatus)?
    /// The orders with a part for this vendor (those that reached Confirmed), newest
    /// first, only those of `status` when given.
    func orders(vendorID: String, status: OrderStatus?, offset: Int, limit: Int) async throws -> (orders: [Order], total: Int)
    /// Every order, newest first, only those of `status` when given.
    func allOrders(status: OrderStatus?, offset: Int, limit: Int) async throws -> (orders: [Order], total: Int)
    /// Moves the vendor's part of the order to `status` (with the carrier and tracking
    /// number when shipping) where `OrderStatusMachine.decide` allows, and the order
    /// to `OrderStatusMachine.following` its parts, in one transaction.
    func moveShipment(orderID: UUID, vendorID: String, to status: ShipmentStatus, carrier: String?, trackingNumber: String?) async throws -> ShipmentMove
    /// Adds `lines` to `userID`'s cart the first time it is called for the order,
    /// marking the order in the same transaction; later calls add nothing.
    func restoreCart(orderID: UUID, userID: String, lines: [PricedLine]) async throws -> Cart
    /// Keeps the vendors' names (by vendor id) that the orders' parts show.
    func nameVendors(_ names: [String: String]) async throws
    /// Writes the refund of a Cancelled order and answers it; nil when no Cancelled order has this id.
    func recordRefund(orderID: UUID, transactionID: UUID, amount: Money, at: Date) async throws -> Order?
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
        case .cartKeptChanging: return .conflict("The cart changed while the order was being made; try again", code: .conflict)
        case .notYourPart: return .forbidden("A vendor ships and delivers only their own part of an order")
        case .partNotNamed(let id, let parts):
            return .conflict("Order \(id) has \(parts) vendors' parts: name the vendor whose part moves (vendorId)", code: .shipmentNotAllowed)
        case .partShipped(let id):
            return .conflict("A part of order \(id) has shipped, so it can no longer be cancelled", code: .orderNotCancellable)
        case .orderNotShippable(let id, let status):
            return .conflict("Order \(id) is \(status.rawValue); its parts ship while it is Confirmed", code: .orderNotShippable)
        case .shipmentNotAllowed(let id, let part, let next):
            let now = part.map { "is \($0.rawValue)" } ?? "has not been made yet"
            return .conflict("The vendor's part of order \(id) \(now); it cannot become \(next.rawValue)", code: .shipmentNotAllowed)
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

extension Order {
    /// The order as those who fulfil it see it: for a vendor (`vendorID`), their own
    /// lines and part; for an admin (nil), every line and every part.
    public func fulfilment(forVendor vendorID: String?) -> FulfilmentOrder {
        guard let vendorID else {
            return FulfilmentOrder(orderId: id, placedAt: createdAt, status: status, shippingAddress: shippingAddress,
                                   items: items, shipments: shipments)
        }
        return FulfilmentOrder(orderId: id, placedAt: createdAt, status: status, shippingAddress: shippingAddress,
                               items: items.filter { $0.vendorId == vendorID }, shipment: shipments.first { $0.vendorId == vendorID })
    }
}
