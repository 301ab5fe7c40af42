import Foundation
import Logging
import MarketplaceAPI
import PostgresNIO
import ServiceKit

public struct PostgresInventoryRepository: InventoryRepository {
    let client: PostgresClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    private typealias LevelRow = (String, Int, Int, Date)

    private static func level(_ row: LevelRow) -> InventoryLevel {
        InventoryLevel(productId: row.0, quantity: row.1, lowStockThreshold: row.2, lastUpdated: row.3)
    }

    private func first(_ query: PostgresQuery) async throws -> InventoryLevel? {
        let rows = try await client.query(query, logger: logger)
        var level: InventoryLevel?
        for try await row in rows.decode(LevelRow.self) { level = Self.level(row) }
        return level
    }

    public func level(productID: String) async throws -> InventoryLevel? {
        try await first("""
            SELECT product_id, quantity, low_stock_threshold, last_updated FROM inventories WHERE product_id = \(productID)
            """)
    }

    public func levels(productIDs: [String]) async throws -> [InventoryLevel] {
        guard !productIDs.isEmpty else { return [] }
        let rows = try await client.query("""
            SELECT product_id, quantity, low_stock_threshold, last_updated FROM inventories WHERE product_id = ANY(\(productIDs))
            """, logger: logger)
        var levels: [InventoryLevel] = []
        for try await row in rows.decode(LevelRow.self) { levels.append(Self.level(row)) }
        return levels
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
                RETURNING product_id, quantity, low_stock_threshold, last_updated
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
            RETURNING product_id, quantity, low_stock_threshold, last_updated
            """)
    }

    public func putBack(productID: String, quantity: Int) async throws -> InventoryLevel? {
        do {
            return try await first("""
                UPDATE inventories SET quantity = quantity + \(quantity), last_updated = now()
                WHERE product_id = \(productID)
                RETURNING product_id, quantity, low_stock_threshold, last_updated
                """)
        } catch let error as PSQLError where error.isNumericOverflow {
            throw InventoryError.quantityTooLarge(productID)
        }
    }

    /// Thrown inside the transaction to roll back the lines already taken.
    private struct Short: Error {
        var shortages: [StockShortage]
    }

    public func reserve(orderID: String, lines: [StockLine]) async throws -> ReserveOutcome {
        let logger = self.logger
        do {
            return try await client.transaction(logger: logger) { connection -> ReserveOutcome in
                // Claims the order first: a concurrent reserve of the same order waits
                // here for this one to commit or roll back.
                let claimed = try await connection.query("""
                    INSERT INTO reservations (order_id) VALUES (\(orderID))
                    ON CONFLICT (order_id) DO NOTHING RETURNING order_id
                    """, logger: logger)
                var isNew = false
                for try await _ in claimed { isNew = true }
                if !isNew {
                    let status = try await connection.query("SELECT status FROM reservations WHERE order_id = \(orderID)", logger: logger)
                    var current = ""
                    for try await value in status.decode(String.self) { current = value }
                    if current == "released" { return .alreadyReleased }
                    return .alreadyHeld(try await Self.lines(of: orderID, connection, logger))
                }
                var short: [StockLine] = []
                for line in lines {
                    let taken = try await connection.query("""
                        UPDATE inventories SET quantity = quantity - \(line.quantity), last_updated = now()
                        WHERE product_id = \(line.productId) AND quantity >= \(line.quantity)
                        RETURNING quantity
                        """, logger: logger)
                    var took = false
                    for try await _ in taken { took = true }
                    if took {
                        try await connection.query("""
                            INSERT INTO reservation_lines (order_id, product_id, quantity)
                            VALUES (\(orderID), \(line.productId), \(line.quantity))
                            """, logger: logger)
                    } else {
                        short.append(line)
                    }
                }
                guard short.isEmpty else {
                    let ids = short.map(\.productId)
                    let rows = try await connection.query(
                        "SELECT product_id, quantity FROM inventories WHERE product_id = ANY(\(ids))", logger: logger)
                    var available: [String: Int] = [:]
                    for try await (id, quantity) in rows.decode((String, Int).self) { available[id] = quantity }
                    throw Short(shortages: short.map {
                        StockShortage(productId: $0.productId, requested: $0.quantity, available: available[$0.productId] ?? 0)
                    })
                }
                return .reserved(lines)
            }
        } catch let short as Short {
            return .short(short.shortages)
        }
    }

    public func release(orderID: String) async throws -> ReleaseOutcome {
        let logger = self.logger
        return try await client.transaction(logger: logger) { connection -> ReleaseOutcome in
            // An order that never reserved is marked released, so a reserve that
            // arrives after its compensation (a slow network) cannot hold stock forever.
            let tombstone = try await connection.query("""
                INSERT INTO reservations (order_id, status, released_at) VALUES (\(orderID), 'released', now())
                ON CONFLICT (order_id) DO NOTHING RETURNING order_id
                """, logger: logger)
            var markedOnly = false
            for try await _ in tombstone { markedOnly = true }
            if markedOnly { return .nothingHeld }
            // Only the request that flips 'held' to 'released' returns the stock.
            let flipped = try await connection.query("""
                UPDATE reservations SET status = 'released', released_at = now()
                WHERE order_id = \(orderID) AND status = 'held' RETURNING order_id
                """, logger: logger)
            var didFlip = false
            for try await _ in flipped { didFlip = true }
            guard didFlip else { return .alreadyReleased }
            let lines = try await Self.lines(of: orderID, connection, logger)
            for line in lines {
                try await connection.query("""
                    UPDATE inventories SET quantity = quantity + \(line.quantity), last_updated = now()
                    WHERE product_id = \(line.productId)
                    """, logger: logger)
            }
            return .returned(lines)
        }
    }

    public func lowStock(offset: Int, limit: Int) async throws -> (levels: [InventoryLevel], total: Int) {
        var total = 0
        let count = try await client.query("SELECT count(*)::int FROM inventories WHERE quantity < low_stock_threshold", logger: logger)
        for try await value in count.decode(Int.self) { total = value }
        let rows = try await client.query("""
            SELECT product_id, quantity, low_stock_threshold, last_updated FROM inventories
            WHERE quantity < low_stock_threshold
            ORDER BY quantity ASC, product_id ASC
            OFFSET \(offset) LIMIT \(limit)
            """, logger: logger)
        var levels: [InventoryLevel] = []
        for try await row in rows.decode(LevelRow.self) { levels.append(Self.level(row)) }
        return (levels, total)
    }

    private static func lines(of orderID: String, _ connection: PostgresConnection, _ logger: Logger) async throws -> [StockLine] {
        let rows = try await connection.query("""
            SELECT product_id, quantity FROM reservation_lines WHERE order_id = \(orderID) ORDER BY product_id
            """, logger: logger)
        var lines: [StockLine] = []
        for try await (id, quantity) in rows.decode((String, Int).self) { lines.append(StockLine(productId: id, quantity: quantity)) }
        return lines
    }
}

extension PSQLError {
    /// SQLSTATE 22003: a number left its column's range.
    var isNumericOverflow: Bool { serverInfo?[.sqlState] == "22003" }
}
