import Foundation
import Hummingbird
import MarketplaceAPI
import ServiceKit

/// `/api/orders/...`: the signed-in user's cart and orders, and the internal
/// routes the checkout uses to create orders and move their status.
public struct OrderController: Sendable {
    let service: OrderService

    public init(service: OrderService) {
        self.service = service
    }

    public func addRoutes(to group: RouterGroup<AppRequestContext>) {
        let cart = group.group("cart")
        cart.get { _, context in
            let user = try context.requireUser()
            return try JSONBody.data(.ok, try await mapped { try await service.cart(userID: user.id.lowercasedString) })
        }
        cart.post("add") { request, context in
            let user = try context.requireUser()
            let body = try await request.decodeJSON(AddToCartRequest.self, context: context)
            let updated = try await mapped { try await service.addToCart(userID: user.id.lowercasedString, body) }
            return try JSONBody.data(.ok, message: "Item added to cart", updated)
        }
        cart.delete("remove") { request, context in
            let user = try context.requireUser()
            let body = try await request.decodeJSON(RemoveFromCartRequest.self, context: context)
            let updated = try await mapped { try await service.removeFromCart(userID: user.id.lowercasedString, body) }
            return try JSONBody.data(.ok, message: "Item removed from cart", updated)
        }
        cart.delete("clear") { _, context in
            let user = try context.requireUser()
            let cleared = try await mapped { try await service.clearCart(userID: user.id.lowercasedString) }
            return try JSONBody.data(.ok, message: "Cart cleared", cleared)
        }

        group.get { request, context in
            let user = try context.requireUser()
            let (page, limit) = try PageQuery.parse(request.uri.queryParameters)
            let result = try await mapped { try await service.orders(userID: user.id.lowercasedString, page: page, limit: limit) }
            return try JSONBody.response(.ok, PageEnvelope(data: result.orders, pagination: result.pagination))
        }
        group.get(":id") { _, context in
            guard let caller = context.caller else { _ = try context.requireUser(); throw AppError.unauthorized() }
            let id = try context.parameters.require("id")
            return try JSONBody.data(.ok, try await mapped { try await service.order(id: id, for: caller) })
        }
        group.post { request, context in
            try context.requireService()
            let body = try await request.decodeJSON(CreateOrderRequest.self, context: context)
            let (order, created) = try await mapped { try await service.createOrder(body) }
            if created {
                context.logger.info("order created", metadata: ["order_id": .string(order.id), "user_id": .string(order.userId)])
            }
            return try JSONBody.data(created ? .created : .ok, message: created ? "Order created" : "Order already created", order)
        }
        group.put(":id/status") { request, context in
            try context.requireService()
            let id = try context.parameters.require("id")
            let body = try await request.decodeJSON(UpdateOrderStatusRequest.self, context: context)
            let order = try await mapped { try await service.setStatus(orderID: id, to: try OrderRules.validate(body)) }
            context.logger.info("order status", metadata: ["order_id": .string(order.id), "status": .string(order.status.rawValue)])
            return try JSONBody.data(.ok, message: "Order status is \(order.status.rawValue)", order)
        }
        group.post(":id/restore-cart") { _, context in
            try context.requireService()
            let id = try context.parameters.require("id")
            let cart = try await mapped { try await service.restoreCart(orderID: id) }
            return try JSONBody.data(.ok, message: "Items put back in the cart", cart)
        }
    }

    private func mapped<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as OrderError {
            throw error.appError
        }
    }
}

extension UUID {
    /// Ids are stored and compared lower-cased, as tokens and responses carry them.
    var lowercasedString: String { uuidString.lowercased() }
}

extension OrderError {
    /// The one place order errors become HTTP answers.
    public var appError: AppError {
        switch self {
        case .invalid(let errors): return .validation(errors)
        case .unknownProduct(let id): return .notFound("No product with id \(id)")
        case .notInCart(let id): return .notFound("Product \(id) is not in your cart")
        case .emptyCart: return .badRequest("The cart is empty")
        case .cartTooLarge: return .badRequest("The cart would exceed the largest total we can take")
        case .orderNotFound(let id): return .notFound("No order with id \(id)")
        case .illegalTransition(let from, let to): return .conflict("An order cannot move from \(from.rawValue) to \(to.rawValue)")
        case .idempotencyKeyReused: return .conflict("This idempotency key belongs to another user's order")
        case .notCancelled(let id, let status): return .conflict("Order \(id) is \(status.rawValue); only a Cancelled order's items go back to the cart")
        }
    }
}
