import MarketplaceAPI
import ServiceKit

/// How other services (the checkout) reach the order service: directly when it
/// runs in the same process, over HTTP when it runs apart. Both answer alike:
/// `OrderError.emptyCart` when there is nothing to order, `OrderError.pricesChanged`
/// when the cart's prices were out of date (it now has the new ones), `PeerRefused` for any
/// other refusal that asking again cannot change, `ServiceUnavailable` when no
/// usable answer came.
public protocol OrdersClient: Sendable {
    /// Turns the user's cart into a Pending order. The same key answers the same order.
    func createOrder(userID: String, address: ShippingAddress, idempotencyKey: String) async throws -> Order
    func setStatus(orderID: String, to status: OrderStatus) async throws -> Order
    /// Puts a Cancelled order's items back in its owner's cart, priced afresh by
    /// the catalog. Safe to repeat: the order service puts them back only once.
    func restoreCart(orderID: String) async throws
    /// Writes a Cancelled order's refund (safe to repeat: the same values are written again).
    func recordRefund(orderID: String, refund: OrderRefund) async throws
    /// The order as the order service has it; nil when there is none.
    func order(id: String) async throws -> Order?
}

public struct InProcessOrdersClient: OrdersClient {
    let service: OrderService

    public init(service: OrderService) {
        self.service = service
    }

    public func createOrder(userID: String, address: ShippingAddress, idempotencyKey: String) async throws -> Order {
        try await reaching {
            try await service.createOrder(userID: userID, shippingAddress: address, idempotencyKey: idempotencyKey).order
        }
    }

    public func setStatus(orderID: String, to status: OrderStatus) async throws -> Order {
        try await reaching { try await service.setStatus(orderID: orderID, to: status) }
    }

    public func restoreCart(orderID: String) async throws {
        _ = try await reaching { try await service.restoreCart(orderID: orderID) }
    }

    public func recordRefund(orderID: String, refund: OrderRefund) async throws {
        _ = try await reaching { try await service.recordRefund(orderID: orderID, refund) }
    }

    public func order(id: String) async throws -> Order? {
        try await callInProcess("orders") {
            do {
                return try await service.order(id: id, for: .service(name: "in-process"))
            } catch OrderError.orderNotFound {
                return nil
            }
        }
    }

    /// An empty cart or changed prices are answers; any other failure is no usable answer, as over HTTP.
    private func reaching<T>(_ body: () async throws -> T) async throws -> T {
        try await callInProcess("orders", passing: { ($0 as? OrderError).map { $0 == .emptyCart || $0.isPricesChanged } ?? false }, body)
    }
}

public struct HTTPOrdersClient: OrdersClient {
    let client: ServiceHTTPClient

    public init(client: ServiceHTTPClient) {
        self.client = client
    }

    public func createOrder(userID: String, address: ShippingAddress, idempotencyKey: String) async throws -> Order {
        let body = CreateOrderRequest(
            userId: userID,
            shippingAddress: ShippingAddressInput(street: address.street, city: address.city, zip: address.zip, country: address.country),
            idempotencyKey: idempotencyKey)
        // The idempotency key makes a repeat answer the same order.
        let reply = try await client.call(Endpoints.createOrder, body: body, retry: .idempotent)
        if reply.code == .cartEmpty { throw OrderError.emptyCart }
        if reply.code == .priceChanged, let changed = try? reply.decode(PriceChangedResponse.self, from: client.service) {
            throw OrderError.pricesChanged(changed.priceChanges)
        }
        return try client.decode(reply, as: Endpoints.createOrder, success: [200, 201]).data
    }

    public func setStatus(orderID: String, to status: OrderStatus) async throws -> Order {
        // Asking again for the status the order already has answers it unchanged, so retrying is safe.
        let reply = try await client.call(Endpoints.setOrderStatus, orderID, body: UpdateOrderStatusRequest(status: status.rawValue), retry: .idempotent)
        return try client.decode(reply, as: Endpoints.setOrderStatus).data
    }

    public func restoreCart(orderID: String) async throws {
        // The order service puts an order's items back once, so a retry cannot double the cart.
        try client.requireOK(try await client.call(Endpoints.restoreCart, orderID, retry: .idempotent))
    }

    public func recordRefund(orderID: String, refund: OrderRefund) async throws {
        // The same refund written twice is the same refund.
        try client.requireOK(try await client.call(Endpoints.recordRefund, orderID, body: refund, retry: .idempotent))
    }

    public func order(id: String) async throws -> Order? {
        let reply = try await client.call(Endpoints.order, id, retry: .idempotent)
        if reply.code == .notFound { return nil }
        return try client.decode(reply, as: Endpoints.order).data
    }
}

extension OrderError {
    var isPricesChanged: Bool {
        if case .pricesChanged = self { return true }
        return false
    }
}
