import Foundation
import HTTPTypes
import Hummingbird
import MarketplaceAPI
import OrderService
import ServiceKit

/// `POST /api/checkout`, and the one place a checkout's result becomes an HTTP answer.
public struct CheckoutController: Sendable {
    let saga: CheckoutSaga

    public init(saga: CheckoutSaga) {
        self.saga = saga
    }

    public func addRoutes(to router: some RouterMethods<AppRequestContext>) {
        router.on(Endpoints.checkout) { request, context, body in
            let user = try context.requireUser()
            let (address, method) = try Self.validate(body)
            let key = try Self.idempotencyKey(request.headers[.idempotencyKey])
            // The saga runs in a task of its own: a shopper who hangs up, or the request
            // deadline, stops the waiting but never the saga halfway; its answer is kept for a replay.
            let userID = user.id.description
            let outcome = try await runToCompletion {
                try await saga.checkout(userID: userID, address: address, paymentMethod: method, idempotencyKey: key)
            }
            let (status, answer) = Self.answer(outcome)
            return try JSONBody.response(status, answer)
        }
    }

    /// What the shopper is told about a checkout's result.
    static func answer(_ outcome: CheckoutOutcome) -> (HTTPResponse.Status, CheckoutResponse) {
        func failure(_ status: HTTPResponse.Status, _ code: ErrorCode, _ message: String) -> (HTTPResponse.Status, CheckoutResponse) {
            (status, CheckoutResponse(success: false, code: code, message: message, orderId: outcome.orderID, transactionId: outcome.transactionID))
        }
        switch outcome.result {
        case .placed:
            return (.ok, CheckoutResponse(success: true, message: "Order placed successfully", orderId: outcome.orderID, transactionId: outcome.transactionID))
        case .cartEmpty:
            return failure(.badRequest, .cartEmpty, "Your cart is empty")
        case .shortStock(let items):
            let words = items.map { "\($0.name) (\($0.available) left, \($0.requested) wanted)" }
            var answer = failure(.conflict, .outOfStock, "Not enough stock for " + words.joined(separator: ", "))
            answer.1.shortages = items.map(\.shortage)
            return answer
        case .pricesChanged(let changes):
            var answer = failure(.conflict, .priceChanged, OrderError.describe(changes))
            answer.1.priceChanges = changes
            return answer
        case .declined(let reason):
            var answer = failure(HTTPResponse.Status(code: 402, reasonPhrase: "Payment Required"), .paymentDeclined, "Payment was declined: \(reason)")
            answer.1.reason = reason
            return answer
        case .refused(let code, let message):
            return failure(HTTPResponse.Status(code: code.status), code, "We could not place your order: \(message)")
        case .inProgress:
            return failure(.conflict, .checkoutInProgress, "A checkout with this Idempotency-Key is still in progress; try again in a moment")
        case .interrupted(let stage):
            let message = switch stage {
            case .nothingCharged: "We could not finish your checkout just now; nothing was charged. Please try again shortly"
            case .notReserved: "We could not reserve your items just now; nothing was charged and your cart is as it was. Please try again shortly"
            case .undone: "The checkout was interrupted and has been undone; your cart is as it was"
            case .finishing: "Your checkout is taking longer than expected. It will finish shortly and appear in your orders, or be cancelled with nothing charged and your cart restored"
            }
            return failure(.serviceUnavailable, .checkoutInterrupted, message)
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
        if let problem = InputRules.paymentMethodProblem(body.paymentMethod) {
            errors.append(FieldError(field: "paymentMethod", message: problem))
        }
        guard errors.isEmpty, let address else { throw AppError.validation(errors) }
        return (address, InputRules.normalized(body.paymentMethod ?? ""))
    }

    static func idempotencyKey(_ header: String?) throws -> String? {
        guard let header else { return nil }
        let key = header.trimmingCharacters(in: .whitespaces)
        guard InputRules.isIdempotencyKey(key) else {
            throw AppError.badRequest("Idempotency-Key must be 1 to 255 visible ASCII characters")
        }
        return key
    }
}
