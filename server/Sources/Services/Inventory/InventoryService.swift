import Foundation
import MarketplaceAPI
import ProductService
import ServiceKit

/// Stock levels and reservations. The controller calls it for HTTP; the checkout
/// saga calls it in-process.
public struct InventoryService: Sendable {
    let repository: any InventoryRepository
    let catalog: any ProductCatalog

    public init(repository: any InventoryRepository, catalog: any ProductCatalog) {
        self.repository = repository
        self.catalog = catalog
    }

    public func level(productID: String) async throws -> InventoryLevel {
        guard let level = try await repository.level(productID: productID) else {
            throw InventoryError.noInventory(productID)
        }
        return level
    }

    /// The levels of the stocked ones among `productIDs` (`productIds=a,b,c` as sent:
    /// 1 to `InputRules.maximumStockBatch` ids, each `InputRules.isQueryID`).
    public func levels(productIDs raw: String?) async throws -> [InventoryLevel] {
        let ids = (raw ?? "").split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        var validator = Validator()
        if raw == nil || ids.isEmpty {
            validator.fail("productIds", "productIds is required: 1 to \(InputRules.maximumStockBatch) product ids, separated by commas")
        } else if ids.count > InputRules.maximumStockBatch {
            validator.fail("productIds", "productIds names at most \(InputRules.maximumStockBatch) products")
        } else if !ids.allSatisfy(InputRules.isQueryID) {
            validator.fail("productIds", "each product id must be 1 to \(InputRules.maximumIDLength) visible ASCII characters")
        }
        if !validator.errors.isEmpty { throw InventoryError.invalid(validator.errors) }
        return try await repository.levels(productIDs: Array(Set(ids)))
    }

    /// Admins stock any product; a vendor stocks only products they own.
    public func addStock(_ request: AddStockRequest, by caller: SignedInUser) async throws -> InventoryLevel {
        let (productID, quantity, threshold) = try InventoryRules.validate(request)
        guard let product = try await catalog.product(id: productID) else {
            throw InventoryError.unknownProduct(productID)
        }
        if !caller.mayActFor(product.ownerID) {
            throw InventoryError.notOwner(productID)
        }
        return try await repository.addStock(productID: productID, quantity: quantity, lowStockThreshold: threshold)
    }

    /// The plan's single-line reserve: takes the units or throws `insufficientStock`.
    public func take(_ line: StockLine) async throws -> InventoryLevel {
        if let level = try await repository.take(productID: line.productId, quantity: line.quantity) { return level }
        let available = try await repository.level(productID: line.productId)?.quantity ?? 0
        throw InventoryError.insufficientStock([StockShortage(productId: line.productId, requested: line.quantity, available: available)])
    }

    /// The plan's single-line release: adds the units back.
    public func putBack(_ line: StockLine) async throws -> InventoryLevel {
        guard let level = try await repository.putBack(productID: line.productId, quantity: line.quantity) else {
            throw InventoryError.noInventory(line.productId)
        }
        return level
    }

    /// Reserves every line for the order or none. Repeating the same reservation
    /// answers it again without taking more stock, so callers may retry.
    public func reserve(orderID: String, lines: [StockLine]) async throws -> StockReservation {
        let lines = try InventoryRules.checkOrder(orderID: orderID, lines: lines)
        switch try await repository.reserve(orderID: orderID, lines: lines) {
        case .reserved(let held):
            return StockReservation(orderId: orderID, items: held, newlyReserved: true)
        case .alreadyHeld(let held):
            guard held == lines else { throw InventoryError.reservationMismatch(orderID: orderID, held: held) }
            return StockReservation(orderId: orderID, items: held, newlyReserved: false)
        case .alreadyReleased:
            throw InventoryError.reservationReleased(orderID: orderID)
        case .short(let shortages):
            throw InventoryError.insufficientStock(shortages)
        }
    }

    /// Returns what the order holds, once: a second release returns nothing.
    public func release(orderID: String) async throws -> StockRelease {
        _ = try InventoryRules.checkOrder(orderID: orderID, lines: nil)
        switch try await repository.release(orderID: orderID) {
        case .returned(let lines): return StockRelease(orderId: orderID, returned: lines, alreadyReleased: false)
        case .alreadyReleased: return StockRelease(orderId: orderID, returned: [], alreadyReleased: true)
        case .nothingHeld: return StockRelease(orderId: orderID, returned: [], alreadyReleased: false)
        }
    }

    public func lowStock(page: Int, limit: Int) async throws -> (levels: [InventoryLevel], pagination: Pagination) {
        let (levels, total) = try await repository.lowStock(offset: (page - 1) * limit, limit: limit)
        return (levels, Pagination(page: page, limit: limit, total: total))
    }
}
