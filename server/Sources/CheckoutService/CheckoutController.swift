import Foundation
import Hummingbird
import HTTPTypes
import MarketplaceAPI
import OrderService
import ServiceKit

/// `POST /api/checkout`
public struct CheckoutController: Sendable {
    let saga: CheckoutSaga

    public init(saga: CheckoutSaga) {
        self.saga = saga
    }

    public func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post { request, context in
            let user = try context.requireUser()
            let body = try await request.decodeJSON(CheckoutRequest.self, context: context)
            let (address, method) = try Self.validate(body)
            let key = try Self.idempotencyKey(request.headers[.idempotencyKey])
            // The saga runs in a task of its own: a shopper who hangs up, or the request
            // deadline, stops the waiting but never the saga halfway; its answer is kept for a replay.
            let userID = user.id.uuidString.lowercased()
            let outcome = try await runToCompletion {
                try await saga.checkout(userID: userID, address: address, paymentMethod: method, idempotencyKey: key)
            }
            return try JSONBody.response(HTTPResponse.Status(code: outcome.status), outcome.body)
        }
    }

    static func validate(_ body: CheckoutRequest) throws -> (ShippingAddress, String) {
        var errors: [FieldError] = []
        var address: ShippingAddress?
        do {
            address = try OrderRules.validate(body.shippingAddress)
        } catch OrderError.invalid(let fieldErrors) {
            errors += fieldErrors
        }
        let method = (body.paymentMethod ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if method.isEmpty {
            errors.append(FieldError(field: "paymentMethod", message: "paymentMethod is required (e.g. tok_visa or Credit Card)"))
        } else if method.count > 50 {
            errors.append(FieldError(field: "paymentMethod", message: "paymentMethod must be at most 50 characters"))
        }
        guard errors.isEmpty, let address else { throw AppError.validation(errors) }
        return (address, method)
    }

    static func idempotencyKey(_ header: String?) throws -> String? {
        guard let header else { return nil }
        let key = header.trimmingCharacters(in: .whitespaces)
        guard !key.isEmpty, key.count <= 255, key.allSatisfy({ $0.isASCII && !$0.isWhitespace }) else {
            throw AppError.badRequest("Idempotency-Key must be 1 to 255 visible ASCII characters")
        }
        return key
    }
}
