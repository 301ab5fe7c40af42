import Foundation
import Hummingbird
import MarketplaceAPI
import ServiceKit

/// The inventory's routes: reading stock is public, adding is for admins and the
/// product's vendor, reserving and releasing only for other services.
public enum InventoryController {
    public static func addRoutes(for service: InventoryService, to router: some RouterMethods<AppRequestContext>) {
        // The router prefers the constant `status/low-stock` over `:productId`.
        router.on(Endpoints.lowStock) { request, _ in
            let (page, limit) = try PageQuery.parse(request.uri.queryParameters, defaultLimit: 50, maximumLimit: 200)
            let result = try await service.lowStock(page: page, limit: limit)
            return try JSONBody.response(.ok, PageEnvelope(data: result.levels, pagination: result.pagination))
        }
        router.on(Endpoints.stockLevels) { request, _ in
            try JSONBody.data(.ok, try await service.levels(productIDs: request.uri.queryParameters["productIds"].map(String.init)))
        }
        router.on(Endpoints.stockLevel) { _, context in
            let productID = try context.parameters.require("productId")
            return try JSONBody.data(.ok, try await service.level(productID: productID))
        }
        router.on(Endpoints.addStock) { _, context, body in
            let level = try await service.addStock(body, by: try context.requireUser())
            context.logger.info("stock added", metadata: ["product_id": .string(level.productId), "quantity": .stringConvertible(level.quantity)])
            return try JSONBody.data(.ok, message: "Inventory updated", level)
        }
        router.on(Endpoints.reserveStock) { _, _, body in
            do {
                switch try InventoryRules.validate(body) {
                case .single(let line):
                    return try JSONBody.data(.ok, message: "Stock reserved", try await service.take(line))
                case .order(let orderID, let lines):
                    let reservation = try await service.reserve(orderID: orderID, lines: lines)
                    return try JSONBody.data(.ok, message: reservation.newlyReserved ? "Stock reserved" : "Stock was already reserved for this order", reservation)
                }
            } catch InventoryError.insufficientStock(let shortages) {
                let names = shortages.map(\.productId).joined(separator: ", ")
                return try JSONBody.response(.conflict, InsufficientStockResponse(message: "Insufficient stock for \(names)", shortages: shortages))
            }
        }
        router.on(Endpoints.releaseStock) { _, _, body in
            if body.orderId != nil {
                guard body.productId == nil, body.quantity == nil else {
                    throw AppError.badRequest("Release an order's reservation by orderId alone, or units by productId and quantity")
                }
                var validator = Validator()
                let orderID = InventoryRules.checkOrderID(body.orderId, &validator) ?? ""
                try validator.throwIfInvalid(InventoryError.invalid)
                let release = try await service.release(orderID: orderID)
                let message = release.alreadyReleased ? "Stock was already released for this order"
                    : release.returned.isEmpty ? "The order held no stock" : "Stock released"
                return try JSONBody.data(.ok, message: message, release)
            }
            let level = try await service.putBack(try InventoryRules.validateLine(productId: body.productId, quantity: body.quantity))
            return try JSONBody.data(.ok, message: "Stock released", level)
        }
    }
}
