import Foundation
import HTTPTypes
import Hummingbird
import MarketplaceAPI
import ServiceKit

/// `POST /api/payments` and `GET /api/payments/:transactionId`.
public enum PaymentController {
    public static func addRoutes(for service: PaymentService, to router: some RouterMethods<AppRequestContext>) {
        router.on(Endpoints.createPayment) { request, context, body in
            let caller = try context.requireCaller()
            let transaction = try await service.pay(body, idempotencyKeyHeader: request.headers[.idempotencyKey], caller: caller)
            context.logger.info("payment", metadata: [
                "transaction_id": .string(transaction.transactionId), "status": .string(transaction.status.rawValue),
            ])
            if transaction.status == .failed {
                let reason = transaction.failureReason ?? "The payment was declined"
                return try JSONBody.response(HTTPResponse.Status(code: 402, reasonPhrase: "Payment Required"), PaymentDeclinedResponse(message: reason, data: transaction))
            }
            return try JSONBody.data(.ok, message: "Payment completed", transaction)
        }
        router.on(Endpoints.refundPayments) { _, context, body in
            let refunded = try await service.refund(body)
            if !refunded.isEmpty {
                context.logger.notice("payments refunded", metadata: [
                    "order_id": .string(body.orderId ?? ""), "transactions": .string(refunded.map(\.transactionId).joined(separator: ",")),
                ])
            }
            return try JSONBody.data(.ok, message: "Payments of the order refunded", refunded)
        }
        router.on(Endpoints.payment) { _, context in
            let id = try context.parameters.require("transactionId")
            return try JSONBody.data(.ok, try await service.transaction(id: id, for: try context.requireCaller()))
        }
    }
}
