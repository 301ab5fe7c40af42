import Foundation
import MarketplaceAPI
import PostgresNIO
import ServiceKit

public struct PostgresInventoryRepository: InventoryRepository, PostgresRepository {
    let store: PostgresStore

    public init(store: PostgresStore) {
        self.store = store
    }

    private static let columns = "product_id, quantity, low_stock_threshold, last_updated"

    private static func level(_ row: PostgresRow) throws -> InventoryLevel {
        let (productID, quantity, threshold, updated) = try row.decode((String, Int, Int, Date).self)
        return InventoryLevel(productId: productID, quantity: quantity, lowStockThreshold: threshold, lastUpdated: updated)
    }

    /// The one stock row `query` answers, if any.
    private func first(_ query: PostgresQuery) async throws -> InventoryLevel? {
        try await store.first(query, Self.level)
    }

    public func level(productID: String) async throws -> InventoryLevel? {
        try await first("SELECT \(unescaped: Self.columns) FROM inventories WHERE product_id = \(productID)")
    }

    public func levels(productIDs: [String]) async throws -> [InventoryLevel] {
        guard !productIDs.isEmpty else { return [] }
        return try await store.all("SELECT \(unescaped: Self.columns) FROM inventories WHERE product_id = ANY(\(productIDs))", Self.level)
    }

    public func addStock(productID: String, quantity: Int, lowStockThreshold: Int?) async throws -> InventoryLevel {
        do {
            // One statement: two admins adding at once both count.
            let level = try await first("""
                INSERT INTO inventories (product_id, quantity, low_stock_threshold)
                VALUES (\(productID), \(quantity), COALESCE(\(lowStockThreshold), 10))
                ON CONFLICT (product_id) DO UPDATE SET
                    quantity = inventories.quantity + EXCLUDED.quantity,
                    low_stock_threshold = COALESCE(\(lowStockThreshold), inventories.low_stock_threshold),
                    last_updated = now()
                RETURNING \(unescaped: Self.columns)
                """)
            guard let level else { throw AppError(.internalServerError, "Stock was not saved") }
            return level
        } catch let error as PSQLError where error.isNumericOverflow {
            throw InventoryError.quantityTooLarge(productID)
        }
    }

    public func take(productID: String, quantity: Int) async throws -> InventoryLevel? {
        // The condition and the decrement are one statement: the row lock orders
        // concurrent takers and none can see the same units.
        try await first("""
            UPDATE inventories SET quantity = quantity - \(quantity), last_updated = now()
            WHERE product_id = \(productID) AND quantity >= \(quantity)
            RETURNING \(unescaped: Self.columns)
            """)
    }

    public func putBack(productID: String, quantity: Int) async throws -> InventoryLevel? {
        do {
            return try await first("""
                UPDATE inventories SET quantity = quantity + \(quantity), last_updated = now()
                WHERE product_id = \(productID)
                RETURNING \(unescaped: Self.columns)
                """)
        } catch let error as PSQLError where error.isNumericOverflow {
            throw InventoryError.quantityTooLarge(productID)
        }
    }

    /// One statement (`reserve_stock`, migration 003): the stock rows stay locked
    /// for the function's own work and its commit, not for round trips.
    public func reserve(orderID: String, lines: [StockLine]) async throws -> ReserveOutcome {
        let rows = try await store.query("""
            SELECT outcome, line_product, line_quantity, line_available
            FROM reserve_stock(\(orderID)::varchar, \(lines.map(\.productId))::varchar[], \(lines.map(\.quantity))::int[])
            """)
        var outcome = ""
        var held: [StockLine] = []
        var shortages: [StockShortage] = []
        for try await (kind, product, quantity, available) in rows.decode((String, String?, Int?, Int?).self) {
            outcome = kind
            guard let product, let quantity else { continue }
            switch kind {
            case "short": shortages.append(StockShortage(productId: product, requested: quantity, available: available ?? 0))
            default: held.append(StockLine(productId: product, quantity: quantity))
            }
        }
        switch outcome {
        case "reserved": return .reserved(held)
        case "held": return .alreadyHeld(held)
        case "released": return .alreadyReleased
        case "short": return .short(shortages)
        default: throw AppError(.internalServerError, "Stock reservation answered nothing")
        }
    }

    /// One statement (`release_stock`, migration 003), as `reserve`.
    public func release(orderID: String) async throws -> ReleaseOutcome {
        let rows = try await store.query("""
            SELECT outcome, line_product, line_quantity FROM release_stock(\(orderID)::varchar)
            """)
        var outcome = ""
        var returned: [StockLine] = []
        for try await (kind, product, quantity) in rows.decode((String, String?, Int?).self) {
            outcome = kind
            if let product, let quantity { returned.append(StockLine(productId: product, quantity: quantity)) }
        }
        switch outcome {
        case "nothing": return .nothingHeld
        case "already": return .alreadyReleased
        case "returned": return .returned(returned)
        default: throw AppError(.internalServerError, "Stock release answered nothing")
        }
    }

    public func lowStock(offset: Int, limit: Int) async throws -> (levels: [InventoryLevel], total: Int) {
        let total = try await store.first("SELECT count(*)::int FROM inventories WHERE quantity < low_stock_threshold") { try $0.decode(Int.self) }
        let levels = try await store.all("""
            SELECT \(unescaped: Self.columns) FROM inventories
            WHERE quantity < low_stock_threshold
            ORDER BY quantity ASC, product_id ASC
            OFFSET \(offset) LIMIT \(limit)
            """, Self.level)
        return (levels, total ?? 0)
    }
}
