import Foundation
import MarketplaceAPI
import ServiceKit

/// What can go wrong with stock, in the shop's words. `appError` (below) maps
/// these to HTTP in one place; in-process callers (the checkout) match on them.
public enum InventoryError: Error, Equatable, Sendable {
    case invalid([FieldError])
    /// The catalog has no product with this id.
    case unknownProduct(String)
    /// The product has no stock row yet.
    case noInventory(String)
    /// A vendor tried to stock somebody else's product.
    case notOwner(String)
    /// Nothing was reserved: these lines are short.
    case insufficientStock([StockShortage])
    /// The order's stock was released (or its release came first); it cannot reserve again.
    case reservationReleased(orderID: String)
    /// The order already holds a reservation with other lines.
    case reservationMismatch(orderID: String, held: [StockLine])
    /// The stock row would pass the largest quantity we hold.
    case quantityTooLarge(String)
}

/// The outcome of reserving an order's lines in the store.
public enum ReserveOutcome: Sendable, Equatable {
    case reserved([StockLine])
    /// The order holds a reservation from an earlier request.
    case alreadyHeld([StockLine])
    case alreadyReleased
    case short([StockShortage])
}

/// The outcome of releasing an order's reservation in the store.
public enum ReleaseOutcome: Sendable, Equatable {
    /// This request put these lines back.
    case returned([StockLine])
    /// An earlier request put them back.
    case alreadyReleased
    /// The order held nothing; it is marked released so a late reserve cannot hold stock.
    case nothingHeld
}

/// Storage of stock levels and reservations. Every method is atomic on its own.
public protocol InventoryRepository: Sendable {
    func level(productID: String) async throws -> InventoryLevel?
    /// The levels of those of `productIDs` that have a stock row, in one query.
    func levels(productIDs: [String]) async throws -> [InventoryLevel]
    /// Creates the row with `quantity` or adds `quantity` to it; replaces the threshold when given.
    func addStock(productID: String, quantity: Int, lowStockThreshold: Int?) async throws -> InventoryLevel
    /// Takes `quantity` units if that many are there; nil (and nothing taken) otherwise.
    func take(productID: String, quantity: Int) async throws -> InventoryLevel?
    /// Puts units back; nil when the product has no stock row.
    func putBack(productID: String, quantity: Int) async throws -> InventoryLevel?
    /// Takes every line for `orderID` or none. `lines` hold distinct products, sorted by id.
    func reserve(orderID: String, lines: [StockLine]) async throws -> ReserveOutcome
    func release(orderID: String) async throws -> ReleaseOutcome
    /// Rows where quantity < low_stock_threshold, lowest quantity first.
    func lowStock(offset: Int, limit: Int) async throws -> (levels: [InventoryLevel], total: Int)
}

extension InventoryError: DomainError {
    /// The one place inventory errors become HTTP answers.
    public var appError: AppError {
        switch self {
        case .invalid(let errors): return .validation(errors)
        case .unknownProduct(let id): return .notFound("No product with id \(id)")
        case .noInventory(let id): return .notFound("No inventory for product \(id)")
        case .notOwner: return .forbidden("Vendors can only stock their own products")
        case .insufficientStock(let shortages):
            return AppError(.conflict, .outOfStock, "Insufficient stock for \(shortages.map(\.productId).joined(separator: ", "))",
                            errors: InsufficientStockResponse(message: "", shortages: shortages).errors)
        case .reservationReleased(let orderID): return .conflict("The reservation for order \(orderID) was released; it cannot reserve again")
        case .reservationMismatch(let orderID, _): return .conflict("Order \(orderID) already holds a reservation with other items")
        case .quantityTooLarge(let id): return .conflict("Stock of product \(id) would exceed the largest quantity we hold")
        }
    }
}
