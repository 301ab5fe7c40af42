import Foundation
import Hummingbird
import MarketplaceAPI
import ServiceKit

/// `/api/inventory/...`: reading stock is public, adding is for admins and the
/// product's vendor, reserving and releasing only for other services.
public struct InventoryController: Sendable {
    let service: InventoryService

    public init(service: InventoryService) {
        self.service = service
    }

    public func addRoutes(to group: RouterGroup<AppRequestContext>) {
        // Registered before `:productId`; the router prefers the longer constant path anyway.
        group.get("status/low-stock") { request, _ in
            let (page, limit) = try PageQuery.parse(request.uri.queryParameters, defaultLimit: 50, maximumLimit: 200)
            let result = try await mapped { try await service.lowStock(page: page, limit: limit) }
            return try JSONBody.response(.ok, PageEnvelope(data: result.levels, pagination: result.pagination))
        }
        group.get(":productId") { _, context in
            let productID = try context.parameters.require("productId")
            return try JSONBody.data(.ok, try await mapped { try await service.level(productID: productID) })
        }
        group.post("add") { request, context in
            let caller = try context.requireRole([.admin, .vendor])
            let body = try await request.decodeJSON(AddStockRequest.self, context: context)
            let level = try await mapped { try await service.addStock(body, by: caller) }
            context.logger.info("stock added", metadata: ["product_id": .string(level.productId), "quantity": .stringConvertible(level.quantity)])
            return try JSONBody.data(.ok, message: "Inventory updated", level)
        }
        group.post("reserve") { request, context in
            try context.requireService()
            let body = try await request.decodeJSON(ReserveStockRequest.self, context: context)
            do {
                switch try StockRules.validate(body) {
                case .single(let line):
                    return try JSONBody.data(.ok, message: "Stock reserved", try await service.take(line))
                case .order(let orderID, let lines):
                    let reservation = try await service.reserve(orderID: orderID, lines: lines)
                    return try JSONBody.data(.ok, message: reservation.newlyReserved ? "Stock reserved" : "Stock was already reserved for this order", reservation)
                }
            } catch InventoryError.insufficientStock(let shortages) {
                let names = shortages.map(\.productId).joined(separator: ", ")
                return try JSONBody.response(.conflict, InsufficientStockResponse(message: "Insufficient stock for \(names)", shortages: shortages))
            } catch let error as InventoryError {
                throw error.appError
            }
        }
        group.post("release") { request, context in
            try context.requireService()
            let body = try await request.decodeJSON(ReleaseStockRequest.self, context: context)
            if body.orderId != nil {
                guard body.productId == nil, body.quantity == nil else {
                    throw AppError.badRequest("Release an order's reservation by orderId alone, or units by productId and quantity")
                }
                var validator = Validator()
                let orderID = StockRules.checkOrderID(body.orderId, &validator) ?? ""
                try validator.throwIfInvalid()
                let release = try await mapped { try await service.release(orderID: orderID) }
                let message = release.alreadyReleased ? "Stock was already released for this order"
                    : release.returned.isEmpty ? "The order held no stock" : "Stock released"
                return try JSONBody.data(.ok, message: message, release)
            }
            let level = try await mapped {
                try await service.putBack(try StockRules.validateLine(productId: body.productId, quantity: body.quantity))
            }
            return try JSONBody.data(.ok, message: "Stock released", level)
        }
    }

    private func mapped<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as InventoryError {
            throw error.appError
        }
    }
}

extension InventoryError {
    /// The one place inventory errors become HTTP answers.
    public var appError: AppError {
        switch self {
        case .invalid(let errors): return .validation(errors)
        case .unknownProduct(let id): return .notFound("No product with id \(id)")
        case .noInventory(let id): return .notFound("No inventory for product \(id)")
        case .notOwner: return .forbidden("Vendors can only stock their own products")
        case .insufficientStock(let shortages):
            return AppError(.conflict, "Insufficient stock for \(shortages.map(\.productId).joined(separator: ", "))",
                            errors: InsufficientStockResponse(message: "", shortages: shortages).errors)
        case .reservationReleased(let orderID): return .conflict("The reservation for order \(orderID) was released; it cannot reserve again")
        case .reservationMismatch(let orderID, _): return .conflict("Order \(orderID) already holds a reservation with other items")
        case .quantityTooLarge(let id): return .conflict("Stock of product \(id) would exceed the largest quantity we hold")
        }
    }
}
