import Foundation
import HTTPTypes
import Hummingbird
import MarketplaceAPI
import OrderService
import ServiceKit

/// `POST /api/checkout`, and `POST /api/orders/:id/cancel` (the cancellation
/// needs the same three services as the checkout).
public enum CheckoutController {
    public static func addRoutes(for service: CheckoutService, cancellations: CancellationService, to router: some RouterMethods<AppRequestContext>) {
        router.on(Endpoints.cancelOrder) { request, context in
            let user = try context.requireUser()
            let id = try context.parameters.require("id")
            let key = try CheckoutRules.idempotencyKey(request.headers[.idempotencyKey])
            guard try await cancellations.order(id: id, for: user) != nil else { throw AppError.notFound("Order not found") }
            // Like the checkout: the saga is never stopped halfway by a hang-up or the deadline.
            let userID = user.id.description
            let outcome = try await runToCompletion {
                try await cancellations.cancel(orderID: id, userID: userID, idempotencyKey: key)
            }
            if let failure = outcome.failure { return try JSONBody.response(failure.0, failure.1) }
            guard let order = try await cancellations.order(id: id, for: user) else { throw AppError.notFound("Order not found") }
            return try JSONBody.data(.ok, message: "Order cancelled", order)
        }
        router.on(Endpoints.checkout) { request, context, body in
            let user = try context.requireUser()
            let (address, method) = try CheckoutRules.validate(body)
            let key = try CheckoutRules.idempotencyKey(request.headers[.idempotencyKey])
            // The saga runs in a task of its own: a shopper who hangs up, or the request
            // deadline, stops the waiting but never the saga halfway; its answer is kept for a replay.
            let userID = user.id.description
            let outcome = try await runToCompletion {
                try await service.checkout(userID: userID, address: address, paymentMethod: method, idempotencyKey: key)
            }
            let (status, answer) = outcome.answer
            return try JSONBody.response(status, answer)
        }
    }
}
