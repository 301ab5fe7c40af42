import Foundation
import MarketplaceAPI
import ServiceKit

/// What can go wrong with a payment. `appError` (below) maps these to HTTP.
public enum PaymentError: Error, Equatable, Sendable {
    case invalid([FieldError])
    case notYourAccount
    case transactionNotFound(String)
    /// The key was first used for a different payment.
    case idempotencyKeyReused
    /// The order already has a Pending or Completed payment under another key.
    case orderAlreadyPaid(orderID: String, transactionID: String)
    /// The processor did not answer; the transaction stays Pending.
    case providerUnavailable(transactionID: String)
    /// No order of the paying shopper has this id.
    case orderNotFound(String)
    /// Only a Pending order is paid.
    case orderNotPayable(orderID: String, status: OrderStatus)
    /// The processor did not confirm a refund; asking again is safe.
    case refundUnavailable(transactionID: String)
}

/// A payment that passed validation.
public struct PaymentCharge: Sendable, Equatable {
    public var userID: String
    public var orderID: String?
    public var amount: Money
    public var currency: String
    public var paymentMethod: String
    public var idempotencyKey: String?

    public init(userID: String, orderID: String?, amount: Money, currency: String, paymentMethod: String, idempotencyKey: String?) {
        self.userID = userID
        self.orderID = orderID
        self.amount = amount
        self.currency = currency
        self.paymentMethod = paymentMethod
        self.idempotencyKey = idempotencyKey
    }

    /// Whether `transaction` records this same payment (a retry) rather than another one.
    func matches(_ transaction: PaymentTransaction) -> Bool {
        transaction.userId == userID && transaction.orderId == orderID && transaction.amount == amount
            && transaction.currency == currency && transaction.paymentMethod == paymentMethod
    }
}

public enum PaymentStart: Sendable, Equatable {
    /// A new Pending row.
    case started(PaymentTransaction)
    /// A row with the same idempotency key already exists.
    case existing(PaymentTransaction)
    /// Another live payment for the same order exists.
    case orderTaken(PaymentTransaction)
}

/// Storage of payment transactions.
public protocol PaymentRepository: Sendable {
    /// Writes the Pending row, committed before the processor is called.
    func start(_ charge: PaymentCharge) async throws -> PaymentStart
    /// Moves a Pending row to Completed or Failed; answers the row as it ends up
    /// (unchanged if another request finished it first).
    func finish(transactionID: UUID, status: PaymentStatus, providerTransactionID: String?, failureReason: String?) async throws -> PaymentTransaction
    func transaction(id: UUID) async throws -> PaymentTransaction?
    /// Every payment of an order, oldest first, with the idempotency key it was asked under.
    func payments(orderID: String) async throws -> [(transaction: PaymentTransaction, idempotencyKey: String?)]
    /// Moves a Completed row to Refunded; answers the row as it ends up.
    func markRefunded(transactionID: UUID, reason: String) async throws -> PaymentTransaction
}

extension PaymentError: DomainError {
    /// The one place payment errors become HTTP answers.
    public var appError: AppError {
        switch self {
        case .invalid(let errors): return .validation(errors)
        case .notYourAccount: return .forbidden("You can only pay for your own account")
        case .transactionNotFound(let id): return .notFound("No transaction with id \(id)")
        case .idempotencyKeyReused: return .conflict("This idempotency key was used for a different payment", code: .idempotencyKeyReused)
        case .orderAlreadyPaid(let orderID, let transactionID):
            return .conflict("Order \(orderID) already has payment \(transactionID)", code: .orderAlreadyPaid)
        case .orderNotFound(let orderID):
            return .notFound("No order with id \(orderID)")
        case .orderNotPayable(let orderID, .confirmed):
            return .conflict("Order \(orderID) is Confirmed: it is paid already", code: .orderAlreadyPaid)
        case .orderNotPayable(let orderID, let status):
            return .conflict("Order \(orderID) is \(status.rawValue); only a Pending order can be paid", code: .illegalTransition)
        case .refundUnavailable(let transactionID):
            return .unavailable("The payment provider did not confirm the refund of payment \(transactionID); try again")
        case .providerUnavailable(let transactionID):
            return .unavailable("The payment provider did not answer; payment \(transactionID) is pending. Retry with the same idempotency key")
        }
    }
}
