import Foundation
import MarketplaceAPI
import ServiceKit

/// Input rules for payments, callable without HTTP.
public enum PaymentRules {
    /// NUMERIC(10,2) holds up to 99,999,999.99.
    public static let maximumAmount = Money("99999999.99")!
    public static let maximumKeyLength = InputRules.maximumIdempotencyKeyLength

    public static func validate(_ request: PaymentRequest, idempotencyKeyHeader: String?, caller: Caller) throws -> PaymentCharge {
        var validator = Validator()
        var userID = (request.userId ?? "").trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        if case .user(let user) = caller {
            let own = user.id.description
            if userID.isEmpty { userID = own }
            guard userID == own else { throw PaymentError.notYourAccount }
        }
        validator.check(!userID.isEmpty && userID.utf8.count <= 64 && !InputRules.hasControlCharacters(userID), "userId", "userId is required (at most 64 characters)")
        let amount = request.amount ?? .zero
        if request.amount == nil {
            validator.fail("amount", "amount is required")
        } else {
            validator.check(amount > .zero, "amount", "amount must be more than 0")
            validator.check(amount <= maximumAmount, "amount", "amount must be at most \(maximumAmount)")
        }
        let currency = (request.currency ?? "USD").uppercased()
        validator.check(currency.utf8.count == 3 && currency.allSatisfy { $0 >= "A" && $0 <= "Z" }, "currency", "currency must be a three-letter code such as USD")
        let method = (request.paymentMethod ?? "Credit Card").trimmingCharacters(in: .whitespacesAndNewlines)
        validator.check(!method.isEmpty && InputRules.length(method) <= InputRules.maximumPaymentMethodLength && !InputRules.hasControlCharacters(method), "paymentMethod", "paymentMethod must be 1 to \(InputRules.maximumPaymentMethodLength) characters")
        var orderID: String?
        if let raw = request.orderId {
            let trimmed = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            validator.check(!trimmed.isEmpty && trimmed.utf8.count <= 64 && !InputRules.hasControlCharacters(trimmed), "orderId", "orderId must be 1 to 64 characters")
            orderID = trimmed
        }
        let key = idempotencyKeyHeader ?? request.idempotencyKey
        if let key {
            validator.check(InputRules.isIdempotencyKey(key),
                            "idempotencyKey", "the idempotency key must be 1 to \(maximumKeyLength) printable characters without spaces")
        }
        if let header = idempotencyKeyHeader, let body = request.idempotencyKey, header != body {
            validator.fail("idempotencyKey", "the Idempotency-Key header and idempotencyKey differ")
        }
        if !validator.errors.isEmpty { throw PaymentError.invalid(validator.errors) }
        return PaymentCharge(userID: userID, orderID: orderID, amount: amount, currency: currency, paymentMethod: method, idempotencyKey: key)
    }

    /// The same limits for a charge built in-process (the checkout), so a bad one
    /// is refused with field errors before anything is stored or charged.
    public static func check(_ charge: PaymentCharge) throws {
        var validator = Validator()
        validator.check(!charge.userID.isEmpty && charge.userID.utf8.count <= 64, "userId", "userId is required (at most 64 characters)")
        validator.check(charge.amount > .zero && charge.amount <= maximumAmount, "amount", "amount must be more than 0 and at most \(maximumAmount)")
        validator.check(charge.currency.utf8.count == 3 && charge.currency.allSatisfy { $0 >= "A" && $0 <= "Z" }, "currency", "currency must be a three-letter code such as USD")
        validator.check(!charge.paymentMethod.isEmpty && InputRules.length(charge.paymentMethod) <= InputRules.maximumPaymentMethodLength, "paymentMethod", "paymentMethod must be 1 to \(InputRules.maximumPaymentMethodLength) characters")
        if let orderID = charge.orderID {
            validator.check(!orderID.isEmpty && orderID.utf8.count <= 64, "orderId", "orderId must be 1 to 64 characters")
        }
        if let key = charge.idempotencyKey {
            validator.check(!key.isEmpty && key.utf8.count <= maximumKeyLength, "idempotencyKey", "the idempotency key must be 1 to \(maximumKeyLength) characters")
        }
        if !validator.errors.isEmpty { throw PaymentError.invalid(validator.errors) }
    }
}
