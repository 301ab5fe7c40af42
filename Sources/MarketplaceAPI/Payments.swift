import Foundation

/// `POST /api/payments`: internal, or a signed-in user paying for themselves.
/// An `Idempotency-Key` header (or `idempotencyKey`) makes a retried request
/// answer the first one's transaction instead of charging again.
public struct PaymentRequest: Codable, Sendable {
    public var userId: String?
    public var amount: Money?
    /// Defaults to USD.
    public var currency: String?
    /// Defaults to "Credit Card".
    public var paymentMethod: String?
    public var orderId: String?
    public var idempotencyKey: String?

    public init(userId: String?, amount: Money?, currency: String? = nil, paymentMethod: String? = nil,
                orderId: String? = nil, idempotencyKey: String? = nil) {
        self.userId = userId
        self.amount = amount
        self.currency = currency
        self.paymentMethod = paymentMethod
        self.orderId = orderId
        self.idempotencyKey = idempotencyKey
    }
}

public enum PaymentStatus: String, Codable, Sendable, CaseIterable {
    case pending = "Pending"
    case completed = "Completed"
    case failed = "Failed"
    /// Charged, then given back: the checkout it paid for could not be completed.
    case refunded = "Refunded"
}

/// `POST /api/payments/refund` (services only): gives back every payment of an
/// order whose checkout was abandoned. Safe to repeat.
public struct RefundRequest: Codable, Sendable {
    public var orderId: String?
    /// Why, for the record (at most 255 characters).
    public var reason: String?

    public init(orderId: String?, reason: String?) {
        self.orderId = orderId
        self.reason = reason
    }
}

/// A payment as the payment service records it.
public struct PaymentTransaction: Codable, Sendable, Equatable {
    public var transactionId: String
    public var userId: String
    public var orderId: String?
    public var amount: Money
    public var currency: String
    public var status: PaymentStatus
    public var paymentMethod: String
    public var providerTransactionId: String?
    /// Why the provider declined, for Failed transactions.
    public var failureReason: String?
    public var createdAt: Date
    /// When the payment was given back (Refunded transactions only).
    public var refundedAt: Date?

    public init(transactionId: String, userId: String, orderId: String?, amount: Money, currency: String,
                status: PaymentStatus, paymentMethod: String, providerTransactionId: String?,
                failureReason: String?, createdAt: Date, refundedAt: Date? = nil) {
        self.transactionId = transactionId
        self.userId = userId
        self.orderId = orderId
        self.amount = amount
        self.currency = currency
        self.status = status
        self.paymentMethod = paymentMethod
        self.providerTransactionId = providerTransactionId
        self.failureReason = failureReason
        self.createdAt = createdAt
        self.refundedAt = refundedAt
    }
}

/// 402 from `POST /api/payments`: the error envelope plus the Failed transaction.
public struct PaymentDeclinedResponse: Codable, Sendable, Equatable {
    public var success: Bool
    public var code: ErrorCode
    public var message: String
    public var errors: [FieldError]
    public var data: PaymentTransaction

    public init(message: String, data: PaymentTransaction) {
        self.success = false
        self.code = .paymentDeclined
        self.message = message
        self.errors = []
        self.data = data
    }
}
