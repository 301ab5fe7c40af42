import Foundation
import Hummingbird
import MarketplaceAPI
import ServiceKit

/// `/api/orders/...`: the signed-in user's cart and orders, the internal routes
/// the checkout uses to create orders and move their status, and the vendors'
/// fulfilment: their orders, and shipping and delivering their parts.
public enum OrderController {
    public static func addRoutes(for service: OrderService, to router: some RouterMethods<AppRequestContext>) {
        router.on(Endpoints.cart) { _, context in
            try JSONBody.data(.ok, try await service.cart(userID: context.requireUserID()))
        }
        router.on(Endpoints.addToCart) { _, context, body in
            try JSONBody.data(.ok, message: "Item added to cart", try await service.addToCart(userID: context.requireUserID(), body))
        }
        router.on(Endpoints.removeFromCart) { _, context, body in
            try JSONBody.data(.ok, message: "Item removed from cart", try await service.removeFromCart(userID: context.requireUserID(), body))
        }
        router.on(Endpoints.clearCart) { _, context in
            try JSONBody.data(.ok, message: "Cart cleared", try await service.clearCart(userID: context.requireUserID()))
        }

        router.on(Endpoints.orders) { request, context in
            let userID = try context.requireUserID()
            let (page, limit) = try PageQuery.parse(request.uri.queryParameters)
            let result = try await service.orders(userID: userID, page: page, limit: limit)
            return try JSONBody.response(.ok, PageEnvelope(data: result.orders, pagination: result.pagination))
        }
        router.on(Endpoints.order) { _, context in
            let id = try context.parameters.require("id")
            return try JSONBody.data(.ok, try await service.order(id: id, for: try context.requireCaller()))
        }
        router.on(Endpoints.createOrder) { _, context, body in
            let order: Order, created: Bool
            do {
                (order, created) = try await service.createOrder(body)
            } catch OrderError.pricesChanged(let changes) {
                return try JSONBody.response(.conflict, PriceChangedResponse(message: OrderError.describe(changes), priceChanges: changes))
            }
            if created {
                context.logger.info("order created", metadata: ["order_id": .string(order.id), "user_id": .string(order.userId)])
            }
            return try JSONBody.data(created ? .created : .ok, message: created ? "Order created" : "Order already created", order)
        }
        router.on(Endpoints.setOrderStatus) { _, context, body in
            let id = try context.parameters.require("id")
            let order = try await service.setStatus(orderID: id, to: try OrderRules.validate(body))
            context.logger.info("order status", metadata: ["order_id": .string(order.id), "status": .string(order.status.rawValue)])
            return try JSONBody.data(.ok, message: "Order status is \(order.status.rawValue)", order)
        }
        router.on(Endpoints.restoreCart) { _, context in
            let id = try context.parameters.require("id")
            return try JSONBody.data(.ok, message: "Items put back in the cart", try await service.restoreCart(orderID: id))
        }

        router.on(Endpoints.recordRefund) { _, context, body in
            let id = try context.parameters.require("id")
            let order = try await service.recordRefund(orderID: id, body)
            context.logger.info("order refund recorded", metadata: ["order_id": .string(order.id), "transaction_id": .string(body.transactionId)])
            return try JSONBody.data(.ok, message: "Refund recorded", order)
        }

        // Fulfilment: vendors (and admins for them) ship and deliver their parts.
        router.on(Endpoints.fulfilment) { request, context in
            let (status, page, limit) = try OrderRules.fulfilmentQuery(request.uri.queryParameters)
            let result = try await service.fulfilment(for: try context.requireUser(), status: status, page: page, limit: limit)
            return try JSONBody.response(.ok, PageEnvelope(data: result.orders, pagination: result.pagination))
        }
        router.on(Endpoints.shipOrder) { _, context, body in
            let id = try context.parameters.require("id")
            let order = try await service.ship(orderID: id, by: try context.requireUser(), body)
            context.logger.info("order part shipped", metadata: ["order_id": .string(id), "status": .string(order.status.rawValue)])
            return try JSONBody.data(.ok, message: "Shipped", order)
        }
        router.on(Endpoints.deliverOrder) { _, context, body in
            let id = try context.parameters.require("id")
            let order = try await service.deliver(orderID: id, by: try context.requireUser(), body)
            context.logger.info("order part delivered", metadata: ["order_id": .string(id), "status": .string(order.status.rawValue)])
            return try JSONBody.data(.ok, message: "Delivered", order)
        }
    }
}
