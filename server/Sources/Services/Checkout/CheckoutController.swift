import Foundation
import HTTPTypes
import Hummingbird
import MarketplaceAPI
import OrderService
import ServiceKit

/// `POST /api/checkout`.
public enum CheckoutController {
    public static func addRoutes(for service: CheckoutService, to router: some RouterMethods<AppRequestContext>) {
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
