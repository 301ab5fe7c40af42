import Foundation
import MarketplaceAPI
import OrderService
import ServiceKit

/// What a checkout request must hold before the saga starts: an address the
/// order rules accept, a payment method, and a well-formed Idempotency-Key.
public enum CheckoutRules {
    public static func validate(_ body: CheckoutRequest) throws -> (ShippingAddress, String) {
        var errors: [FieldError] = []
        var address: ShippingAddress?
        do {
            address = try OrderRules.validate(body.shippingAddress)
        } catch OrderError.invalid(let fieldErrors) {
            errors += fieldErrors
        }
        if let problem = InputRules.paymentMethodProblem(body.paymentMethod) {
            errors.append(FieldError(field: "paymentMethod", message: problem))
        }
        guard errors.isEmpty, let address else { throw AppError.validation(errors) }
        return (address, InputRules.normalized(body.paymentMethod ?? ""))
    }

    public static func idempotencyKey(_ header: String?) throws -> String? {
        guard let header else { return nil }
        let key = header.trimmingCharacters(in: .whitespaces)
        guard InputRules.isIdempotencyKey(key) else {
            throw AppError.badRequest("Idempotency-Key must be 1 to 255 visible ASCII characters")
        }
        return key
    }
}
