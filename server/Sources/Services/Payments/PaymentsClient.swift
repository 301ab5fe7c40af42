import MarketplaceAPI
import ServiceKit

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

/// How other services (the checkout) reach the payment service, in-process or
/// over HTTP.
public protocol PaymentsClient: Sendable {
    /// Completed or Failed; the same key never charges twice. Throws `PeerRefused`
    /// when the charge was refused before reaching the provider (nothing charged)
    /// and `ServiceUnavailable` when the outcome is unknown.
    func charge(_ request: ChargeRequest) async throws -> PaymentTransaction
    /// Gives back every payment of the order (safe to repeat); answers them as they end up.
    func refund(orderID: String, reason: String) async throws -> [PaymentTransaction]
}

public struct InProcessPaymentsClient: PaymentsClient {
    let service: PaymentService

    public init(service: PaymentService) {
        self.service = service
    }

    public func charge(_ request: ChargeRequest) async throws -> PaymentTransaction {
        try await callInProcess("payments") {
            try await service.pay(PaymentCharge(
                userID: request.userID, orderID: request.orderID, amount: request.amount, currency: "USD",
                paymentMethod: request.paymentMethod, idempotencyKey: request.idempotencyKey))
        }
    }

    public func refund(orderID: String, reason: String) async throws -> [PaymentTransaction] {
        try await callInProcess("payments") { try await service.refund(RefundRequest(orderId: orderID, reason: reason)) }
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
        // The idempotency key makes a repeated charge answer the first one.
        let reply = try await client.call(Endpoints.createPayment, body: body, retry: .idempotent)
        if reply.code == .paymentDeclined { return try reply.decode(PaymentDeclinedResponse.self, from: client.service).data }
        return try client.decode(reply, as: Endpoints.createPayment).data
    }

    public func refund(orderID: String, reason: String) async throws -> [PaymentTransaction] {
        // A refund is keyed by its payment: asking twice refunds once.
        let reply = try await client.call(Endpoints.refundPayments, body: RefundRequest(orderId: orderID, reason: reason), retry: .idempotent)
        return try client.decode(reply, as: Endpoints.refundPayments).data
    }
}
