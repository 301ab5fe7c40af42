import Foundation
import MarketplaceAPI
import OrderService
import ServiceKit

// The checkout's clients when the services run in processes of their own
// (`marketplace serve --service checkout`): each call goes over HTTP with a
// service credential, a deadline and, where the far side makes it safe to
// repeat (an idempotency key, or a step keyed by the order), bounded retries.

/// Runs one call and turns "no usable answer" into the checkout's words.
private func reaching<T>(_ service: String, _ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let error as ServiceUnavailable {
        throw CheckoutDependencyError.unavailable(service: service, detail: error.detail)
    }
}

private func unexpected(_ reply: ServiceReply, from service: String) -> CheckoutDependencyError {
    .unavailable(service: service, detail: "answered \(reply.status): \(reply.message ?? "no message")")
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
        return try await reaching("orders") {
            let reply = try await client.call(.POST, "/api/orders", body: body, retry: .idempotent)
            switch reply.status {
            case 200, 201:
                return try reply.decode(DataEnvelope<Order>.self, from: "orders").data
            case 400 where reply.message == OrderError.emptyCart.appError.message:
                throw CheckoutDependencyError.emptyCart
            default:
                throw unexpected(reply, from: "orders")
            }
        }
    }

    public func setStatus(orderID: String, to status: OrderStatus) async throws -> Order {
        // Asking again for the status the order already has answers it unchanged, so retrying is safe.
        try await reaching("orders") {
            let reply = try await client.call(
                .PUT, "/api/orders/\(orderID)/status", body: UpdateOrderStatusRequest(status: status.rawValue), retry: .idempotent)
            guard reply.status == 200 else { throw unexpected(reply, from: "orders") }
            return try reply.decode(DataEnvelope<Order>.self, from: "orders").data
        }
    }

    public func restoreCart(orderID: String) async throws {
        try await reaching("orders") {
            // The order service puts an order's items back once, so a retry cannot double the cart.
            let reply = try await client.call(.POST, "/api/orders/\(orderID)/restore-cart", retry: .idempotent)
            guard reply.status == 200 else { throw unexpected(reply, from: "orders") }
        }
    }
}

public struct HTTPInventoryClient: InventoryClient {
    let client: ServiceHTTPClient

    public init(client: ServiceHTTPClient) {
        self.client = client
    }

    public func reserve(orderID: String, lines: [StockLine]) async throws -> ReservationResult {
        let body = ReserveStockRequest(orderId: orderID, items: lines.map { StockLineInput(productId: $0.productId, quantity: $0.quantity) })
        return try await reaching("inventory") {
            // A reservation is keyed by its order: repeating it takes nothing more.
            let reply = try await client.call(.POST, "/api/inventory/reserve", body: body, retry: .idempotent)
            switch reply.status {
            case 200:
                return .reserved
            case 409:
                if let short = try? JSONBody.decoder.decode(InsufficientStockResponse.self, from: reply.body), !short.shortages.isEmpty {
                    return .short(short.shortages)
                }
                throw unexpected(reply, from: "inventory")
            default:
                throw unexpected(reply, from: "inventory")
            }
        }
    }

    public func release(orderID: String) async throws {
        try await reaching("inventory") {
            // Releasing returns an order's stock once; later calls return nothing.
            let reply = try await client.call(.POST, "/api/inventory/release", body: ReleaseStockRequest(orderId: orderID), retry: .idempotent)
            guard reply.status == 200 else { throw unexpected(reply, from: "inventory") }
        }
    }
}

public struct HTTPPaymentsClient: PaymentsClient {
    let client: ServiceHTTPClient

    public init(client: ServiceHTTPClient) {
        self.client = client
    }

    public func charge(_ request: ChargeRequest) async throws -> PaymentTransaction {
        let body = PaymentRequest(
            userId: request.userID, amount: request.amount, currency: "USD", paymentMethod: request.paymentMethod,
            orderId: request.orderID, idempotencyKey: request.idempotencyKey)
        return try await reaching("payments") {
            // The idempotency key makes a repeated charge answer the first one.
            let reply = try await client.call(.POST, "/api/payments", body: body, retry: .idempotent)
            switch reply.status {
            case 200:
                return try reply.decode(DataEnvelope<PaymentTransaction>.self, from: "payments").data
            case 402:
                return try reply.decode(PaymentDeclinedResponse.self, from: "payments").data
            default:
                throw unexpected(reply, from: "payments")
            }
        }
    }
}
