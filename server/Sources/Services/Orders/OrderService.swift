import Foundation
import MarketplaceAPI
import Metrics
import NIOConcurrencyHelpers
import ProductService
import ServiceKit

/// Carts and orders. The controller calls it for HTTP; the checkout saga calls
/// `createOrder` and `setStatus` in-process.
public struct OrderService: Sendable {
    let repository: any OrderRepository
    let catalog: any ProductCatalog
    /// The vendors' names this process has written, so an unchanged name is not written again.
    private let namesWritten = NIOLockedValueBox<[String: String]>([:])

    public init(repository: any OrderRepository, catalog: any ProductCatalog) {
        self.repository = repository
        self.catalog = catalog
    }

    public func cart(userID: String) async throws -> Cart {
        try await repository.cart(userID: userID)
    }

    /// Name and price come from the catalog, never from the caller.
    public func addToCart(userID: String, _ request: AddToCartRequest) async throws -> Cart {
        let (productID, quantity) = try OrderRules.validate(request)
        guard let product = try await catalog.product(id: productID) else {
            throw OrderError.unknownProduct(productID)
        }
        return try await repository.addToCart(
            userID: userID,
            line: PricedLine(productID: product.id, name: product.name, price: product.price, quantity: quantity))
    }

    public func removeFromCart(userID: String, _ request: RemoveFromCartRequest) async throws -> Cart {
        let productID = try OrderRules.validate(request)
        guard let cart = try await repository.removeFromCart(userID: userID, productID: productID) else {
            throw OrderError.notInCart(productID)
        }
        return cart
    }

    public func clearCart(userID: String) async throws -> Cart {
        try await repository.clearCart(userID: userID)
    }

    /// Turns the user's cart into a Pending order. With an idempotency key, a
    /// repeated request answers the first order (`created` false) instead of
    /// failing on the emptied cart.
    public func createOrder(userID: String, shippingAddress: ShippingAddress, idempotencyKey: String? = nil) async throws -> (order: Order, created: Bool) {
        // The same rules as over HTTP, so an in-process caller cannot store what a request could not.
        let (userID, address, idempotencyKey) = try OrderRules.validate(CreateOrderRequest(
            userId: userID,
            shippingAddress: ShippingAddressInput(street: shippingAddress.street, city: shippingAddress.city, zip: shippingAddress.zip, country: shippingAddress.country),
            idempotencyKey: idempotencyKey))
        // A repeated request is answered its order first: the cart it was made from is
        // gone, and whatever is in the cart now must not change that answer. With a new
        // key, the same read brings the cart the first round prices.
        var read: Cart?
        if let idempotencyKey {
            switch try await repository.orderOrCart(idempotencyKey: idempotencyKey, userID: userID) {
            case .order(let existing):
                guard existing.userId == userID else { throw OrderError.idempotencyKeyReused }
                return (existing, false)
            case .cart(let cart):
                read = cart
            }
        }
        // A product added while the prices were checked is checked in another round.
        for _ in 0..<3 {
            let products = try await checkPrices(userID: userID, cart: read)
            read = nil
            try await rememberVendorNames(products.values)
            let vendors = products.mapValues(\.ownerID)
            switch try await repository.createOrder(userID: userID, address: address, idempotencyKey: idempotencyKey, vendors: vendors) {
            case .created(let order):
                Self.countMove(from: nil, to: order.status)
                return (order, true)
            case .existing(let order): return (order, false)
            case .emptyCart: throw OrderError.emptyCart
            case .unpriced: continue
            }
        }
        throw OrderError.cartKeptChanging
    }

    /// An order is made at the catalog's current prices, never at the ones the cart
    /// remembers: when any differ, the cart takes the new ones and the shopper is told.
    /// Answers the owner of each product in the cart (by product id): its vendor.
    /// `cart`: the cart as just read, when it was.
    private func checkPrices(userID: String, cart read: Cart? = nil) async throws -> [String: ProductSnapshot] {
        let cart = if let read { read } else { try await repository.cart(userID: userID) }
        var changes: [PriceChange] = []
        var repriced: [PricedLine] = []
        var removed: [String] = []
        let current = cart.items.isEmpty ? [:] : try await catalog.products(ids: cart.items.map(\.productId))
        for item in cart.items {
            guard let product = current[item.productId] else {
                changes.append(PriceChange(productId: item.productId, name: item.name, oldPrice: item.price, newPrice: nil))
                removed.append(item.productId)
                continue
            }
            guard product.price != item.price || product.name != item.name else { continue }
            if product.price != item.price {
                changes.append(PriceChange(productId: item.productId, name: product.name, oldPrice: item.price, newPrice: product.price))
            }
            repriced.append(PricedLine(productID: item.productId, name: product.name, price: product.price, quantity: item.quantity))
        }
        if !repriced.isEmpty || !removed.isEmpty {
            _ = try await repository.reprice(userID: userID, lines: repriced, removed: removed)
        }
        if !changes.isEmpty { throw OrderError.pricesChanged(changes) }
        return current
    }

    /// The names the catalog gives these products' vendors, for the order's parts;
    /// written when this process has not written that name for that vendor yet.
    private func rememberVendorNames(_ products: some Sequence<ProductSnapshot>) async throws {
        var named: [String: String] = [:]
        for product in products { if let name = product.ownerName { named[product.ownerID] = name } }
        let changed = namesWritten.withLockedValue { written in named.filter { written[$0.key] != $0.value } }
        guard !changed.isEmpty else { return }
        try await repository.nameVendors(changed)
        namesWritten.withLockedValue { written in
            if written.count > 10_000 { written.removeAll() }
            written.merge(changed, uniquingKeysWith: { _, new in new })
        }
    }

    public func createOrder(_ request: CreateOrderRequest) async throws -> (order: Order, created: Bool) {
        let (userID, address, key) = try OrderRules.validate(request)
        return try await createOrder(userID: userID, shippingAddress: address, idempotencyKey: key)
    }

    /// Moves the order along `OrderStatusMachine`; asking for the status it already has changes nothing.
    public func setStatus(orderID: String, to status: OrderStatus) async throws -> Order {
        guard let id = UUID(uuidString: orderID) else { throw OrderError.orderNotFound(orderID) }
        if let (order, was) = try await repository.transition(orderID: id, to: status, from: OrderStatusMachine.sources(of: status)) {
            Self.countMove(from: was, to: status)
            return order
        }
        guard let order = try await repository.order(id: id) else { throw OrderError.orderNotFound(orderID) }
        // Cancelled would be a legal move but for a part already shipped: say so.
        if status == .cancelled, OrderStatusMachine.canMove(from: order.status, to: .cancelled),
           order.shipments.contains(where: { $0.status != .pending }) {
            throw OrderError.partShipped(orderID: orderID)
        }
        switch OrderStatusMachine.decide(from: order.status, to: status) {
        case .unchanged:
            return order
        case .move, .refuse:
            // `.move` here means the order changed between our update and our read; refusing is the safe answer.
            throw OrderError.illegalTransition(from: order.status, to: status)
        }
    }

    /// Puts a Cancelled order's items back in its owner's cart, priced afresh by
    /// the catalog; items that left the catalog meanwhile are skipped. Safe to
    /// repeat: the items go back once, all together, and later calls change nothing.
    public func restoreCart(orderID: String) async throws -> Cart {
        guard let uuid = UUID(uuidString: orderID), let order = try await repository.order(id: uuid) else {
            throw OrderError.orderNotFound(orderID)
        }
        guard order.status == .cancelled else { throw OrderError.notCancelled(orderID: orderID, status: order.status) }
        // Prices first (they may come over the network), then one transaction.
        var lines: [PricedLine] = []
        let current = order.items.isEmpty ? [:] : try await catalog.products(ids: order.items.map(\.productId))
        for item in order.items {
            guard let product = current[item.productId] else { continue }
            lines.append(PricedLine(productID: product.id, name: product.name, price: product.price, quantity: item.quantity))
        }
        return try await repository.restoreCart(orderID: uuid, userID: order.userId, lines: lines)
    }

    /// Writes a Cancelled order's refund; an order in any other status is refused.
    public func recordRefund(orderID: String, _ refund: OrderRefund) async throws -> Order {
        let transactionID = try OrderRules.validate(refund)
        guard let uuid = UUID(uuidString: orderID) else { throw OrderError.orderNotFound(orderID) }
        if let order = try await repository.recordRefund(orderID: uuid, transactionID: transactionID, amount: refund.amount, at: refund.refundedAt) {
            return order
        }
        guard let order = try await repository.order(id: uuid) else { throw OrderError.orderNotFound(orderID) }
        throw OrderError.notCancelled(orderID: orderID, status: order.status)
    }

    /// The order if `caller` may see it: its owner, an admin, or another service.
    /// Anyone else is told it does not exist.
    public func order(id: String, for caller: Caller) async throws -> Order {
        guard let uuid = UUID(uuidString: id), let order = try await repository.order(id: uuid), caller.mayActFor(order.userId) else {
            throw OrderError.orderNotFound(id)
        }
        return order
    }

    public func orders(userID: String, page: Int, limit: Int) async throws -> (orders: [Order], pagination: Pagination) {
        let (orders, total) = try await repository.orders(userID: userID, offset: (page - 1) * limit, limit: limit)
        return (orders, Pagination(page: page, limit: limit, total: total))
    }

    // MARK: Fulfilment: vendors ship their parts

    /// A vendor's orders (their lines and part) or, for an admin, every order (every
    /// line and part), newest first, only those of `status` when given.
    public func fulfilment(for user: SignedInUser, status: OrderStatus?, page: Int, limit: Int) async throws -> (orders: [FulfilmentOrder], pagination: Pagination) {
        let offset = (page - 1) * limit
        let vendorID = user.isAdmin ? nil : user.id.description
        let (orders, total) = if let vendorID {
            try await repository.orders(vendorID: vendorID, status: status, offset: offset, limit: limit)
        } else {
            try await repository.allOrders(status: status, offset: offset, limit: limit)
        }
        return (orders.map { $0.fulfilment(forVendor: vendorID) }, Pagination(page: page, limit: limit, total: total))
    }

    /// The vendor's part of the order becomes Shipped, with the carrier and tracking
    /// number when given; the order becomes Shipped when every part is.
    public func ship(orderID: String, by user: SignedInUser, _ request: ShipOrderRequest) async throws -> FulfilmentOrder {
        let (carrier, trackingNumber, named) = try OrderRules.validate(request)
        let vendorID = try OrderRules.partVendor(for: user, named: named)
        return try await move(orderID: orderID, vendorID: vendorID, by: user, to: .shipped, carrier: carrier, trackingNumber: trackingNumber)
    }

    /// The vendor's part of the order becomes Delivered; the order becomes Delivered when every part is.
    public func deliver(orderID: String, by user: SignedInUser, _ request: DeliverOrderRequest) async throws -> FulfilmentOrder {
        let vendorID = try OrderRules.partVendor(for: user, named: try OrderRules.validate(request))
        return try await move(orderID: orderID, vendorID: vendorID, by: user, to: .delivered, carrier: nil, trackingNumber: nil)
    }

    private func move(orderID: String, vendorID named: String?, by user: SignedInUser, to status: ShipmentStatus,
                      carrier: String?, trackingNumber: String?) async throws -> FulfilmentOrder {
        guard let id = UUID(uuidString: orderID) else { throw OrderError.orderNotFound(orderID) }
        var vendorID = named ?? ""
        if named == nil {
            // An admin who names no vendor means the order's only part.
            guard let order = try await repository.order(id: id) else { throw OrderError.orderNotFound(orderID) }
            guard order.shipments.count == 1, let only = order.shipments.first else {
                throw OrderError.partNotNamed(orderID: orderID, parts: order.shipments.count)
            }
            vendorID = only.vendorId
        }
        switch try await repository.moveShipment(orderID: id, vendorID: vendorID, to: status, carrier: carrier, trackingNumber: trackingNumber) {
        case .notFound:
            throw OrderError.orderNotFound(orderID)
        case .refused(.orderNotShippable, let order, _):
            throw OrderError.orderNotShippable(orderID: orderID, status: order)
        case .refused(_, _, let part):
            throw OrderError.shipmentNotAllowed(orderID: orderID, part: part, to: status)
        case .moved(let order, let was):
            Counter(label: "storefront_shipments_total", dimensions: [("status", status.rawValue)]).increment()
            if order.status != was { Self.countMove(from: was, to: order.status) }
            return order.fulfilment(forVendor: user.isAdmin ? nil : vendorID)
        }
    }

    /// `storefront_order_transitions_total{from, to}`: orders entering each status, by
    /// the status they left (`new` for a new order).
    private static func countMove(from: OrderStatus?, to: OrderStatus) {
        Counter(label: "storefront_order_transitions_total", dimensions: [("from", from?.rawValue ?? "new"), ("to", to.rawValue)]).increment()
    }
}
