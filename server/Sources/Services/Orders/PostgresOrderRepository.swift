import Foundation
import Logging
import MarketplaceAPI
import PostgresNIO
import ServiceKit

public struct PostgresOrderRepository: OrderRepository {
    let client: PostgresClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    // MARK: Carts

    public func cart(userID: String) async throws -> Cart {
        let logger = self.logger
        return try await client.transaction(logger: logger) { connection in
            let cartID = try await Self.upsertCart(userID: userID, connection, logger)
            return try await Self.readCart(cartID, connection, logger)
        }
    }

    public func addToCart(userID: String, line: PricedLine) async throws -> Cart {
        let logger = self.logger
        do {
            return try await client.transaction(logger: logger) { connection in
                let cartID = try await Self.upsertCart(userID: userID, connection, logger)
                try await Self.addLine(line, to: cartID, connection, logger)
                try await Self.recomputeTotal(cartID, connection, logger)
                return try await Self.readCart(cartID, connection, logger)
            }
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "22003" {
            throw OrderError.cartTooLarge
        }
    }

    public func restoreCart(orderID: UUID, userID: String, lines: [PricedLine]) async throws -> Cart {
        let logger = self.logger
        do {
            return try await client.transaction(logger: logger) { connection in
                let cartID = try await Self.upsertCart(userID: userID, connection, logger)
                let marked = try await connection.query("""
                    UPDATE orders SET cart_restored_at = now() WHERE id = \(orderID) AND cart_restored_at IS NULL RETURNING id
                    """, logger: logger)
                var first = false
                for try await _ in marked { first = true }
                if first {
                    for line in lines {
                        try await Self.addLine(line, to: cartID, connection, logger)
                    }
                    try await Self.recomputeTotal(cartID, connection, logger)
                }
                return try await Self.readCart(cartID, connection, logger)
            }
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "22003" {
            throw OrderError.cartTooLarge
        }
    }

    public func removeFromCart(userID: String, productID: String) async throws -> Cart? {
        let logger = self.logger
        return try await client.transaction(logger: logger) { connection -> Cart? in
            let cartID = try await Self.upsertCart(userID: userID, connection, logger)
            let deleted = try await connection.query("""
                DELETE FROM cart_items WHERE cart_id = \(cartID) AND product_id = \(productID) RETURNING id
                """, logger: logger)
            var found = false
            for try await _ in deleted { found = true }
            guard found else { return nil }
            try await Self.recomputeTotal(cartID, connection, logger)
            return try await Self.readCart(cartID, connection, logger)
        }
    }

    public func clearCart(userID: String) async throws -> Cart {
        let logger = self.logger
        return try await client.transaction(logger: logger) { connection in
            let cartID = try await Self.upsertCart(userID: userID, connection, logger)
            try await connection.query("DELETE FROM cart_items WHERE cart_id = \(cartID)", logger: logger)
            try await Self.recomputeTotal(cartID, connection, logger)
            return try await Self.readCart(cartID, connection, logger)
        }
    }

    /// The cart's id, creating the cart if needed; the row stays locked until the
    /// transaction ends, so changes to one cart happen one at a time.
    /// Throws `cartTooLarge` (and changes nothing) when the new prices would take
    /// the total past what the cart can hold.
    public func reprice(userID: String, lines: [PricedLine], removed: [String]) async throws -> Cart {
        let logger = self.logger
        do {
            return try await repricing(userID: userID, lines: lines, removed: removed, logger: logger)
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "22003" {
            throw OrderError.cartTooLarge
        }
    }

    private func repricing(userID: String, lines: [PricedLine], removed: [String], logger: Logger) async throws -> Cart {
        try await client.transaction(logger: logger) { connection in
            let cartID = try await Self.upsertCart(userID: userID, connection, logger)
            for line in lines {
                try await connection.query("""
                    UPDATE cart_items SET name = \(line.name), price = \(line.price.amount)
                    WHERE cart_id = \(cartID) AND product_id = \(line.productID)
                    """, logger: logger)
            }
            if !removed.isEmpty {
                try await connection.query("DELETE FROM cart_items WHERE cart_id = \(cartID) AND product_id = ANY(\(removed))", logger: logger)
            }
            try await Self.recomputeTotal(cartID, connection, logger)
            return try await Self.readCart(cartID, connection, logger)
        }
    }

    private static func upsertCart(userID: String, _ connection: PostgresConnection, _ logger: Logger) async throws -> UUID {
        let rows = try await connection.query("""
            INSERT INTO carts (user_id) VALUES (\(userID))
            ON CONFLICT (user_id) DO UPDATE SET updated_at = now()
            RETURNING id
            """, logger: logger)
        // Rows are read to the end before the next query on this connection.
        var cartID: UUID?
        for try await id in rows.decode(UUID.self) { cartID = id }
        guard let cartID else { throw AppError(.internalServerError, "Cart was not created") }
        return cartID
    }

    /// Exact: NUMERIC arithmetic in the database, never floating point.
    /// Adding a product already in the cart adds to its quantity; name and price
    /// follow the catalog's current ones.
    private static func addLine(_ line: PricedLine, to cartID: UUID, _ connection: PostgresConnection, _ logger: Logger) async throws {
        try await connection.query("""
            INSERT INTO cart_items (cart_id, product_id, name, price, quantity)
            VALUES (\(cartID), \(line.productID), \(line.name), \(line.price.amount), \(line.quantity))
            ON CONFLICT (cart_id, product_id) DO UPDATE SET
                quantity = cart_items.quantity + EXCLUDED.quantity,
                name = EXCLUDED.name, price = EXCLUDED.price
            """, logger: logger)
    }

    private static func recomputeTotal(_ cartID: UUID, _ connection: PostgresConnection, _ logger: Logger) async throws {
        try await connection.query("""
            UPDATE carts SET total_price = (SELECT COALESCE(SUM(price * quantity), 0) FROM cart_items WHERE cart_id = \(cartID)),
                updated_at = now()
            WHERE id = \(cartID)
            """, logger: logger)
    }

    private static func readCart(_ cartID: UUID, _ connection: PostgresConnection, _ logger: Logger) async throws -> Cart {
        let rows = try await connection.query("""
            SELECT id, user_id, total_price, updated_at FROM carts WHERE id = \(cartID)
            """, logger: logger)
        var cart: Cart?
        for try await (id, userID, total, updatedAt) in rows.decode((UUID, String, Decimal, Date).self) {
            cart = Cart(id: id.uuidString.lowercased(), userId: userID, items: [], totalPrice: try money(total), updatedAt: updatedAt)
        }
        guard var cart else { throw AppError(.internalServerError, "Cart disappeared") }
        let items = try await connection.query("""
            SELECT product_id, name, price, quantity FROM cart_items WHERE cart_id = \(cartID) ORDER BY name, product_id
            """, logger: logger)
        for try await row in items.decode((String, String?, Decimal?, Int).self) {
            cart.items.append(try lineItem(row))
        }
        return cart
    }

    // MARK: Orders

    private struct EmptyCart: Error {}
    private struct KeyOfAnotherUser: Error {}

    public func createOrder(userID: String, address: ShippingAddress, idempotencyKey: String?) async throws -> OrderCreation {
        let logger = self.logger
        do {
            return try await client.transaction(logger: logger) { connection -> OrderCreation in
                // Locking the cart first makes a retried request wait for the first
                // one and then find its order by the key.
                let carts = try await connection.query("SELECT id FROM carts WHERE user_id = \(userID) FOR UPDATE", logger: logger)
                var cartID: UUID?
                for try await id in carts.decode(UUID.self) { cartID = id }
                if let idempotencyKey {
                    let existing = try await connection.query("SELECT id FROM orders WHERE idempotency_key = \(idempotencyKey)", logger: logger)
                    var existingID: UUID?
                    for try await id in existing.decode(UUID.self) { existingID = id }
                    if let existingID, let order = try await Self.orders(ids: [existingID], connection, logger).first {
                        guard order.userId == userID else { throw KeyOfAnotherUser() }
                        return .existing(order)
                    }
                }
                guard let cartID else { return .emptyCart }
                let totals = try await connection.query("""
                    SELECT count(*)::int, COALESCE(SUM(price * quantity), 0) FROM cart_items WHERE cart_id = \(cartID)
                    """, logger: logger)
                var count = 0
                var total = Decimal(0)
                for try await (n, sum) in totals.decode((Int, Decimal).self) { (count, total) = (n, sum) }
                guard count > 0 else { return .emptyCart }

                let inserted = try await connection.query("""
                    INSERT INTO orders (user_id, total_amount, idempotency_key) VALUES (\(userID), \(total), \(idempotencyKey))
                    RETURNING id
                    """, logger: logger)
                var orderID: UUID?
                for try await id in inserted.decode(UUID.self) { orderID = id }
                guard let orderID else { throw AppError(.internalServerError, "Order was not created") }
                try await connection.query("""
                    INSERT INTO order_items (order_id, product_id, name, price, quantity)
                    SELECT \(orderID), product_id, name, price, quantity FROM cart_items WHERE cart_id = \(cartID)
                    """, logger: logger)
                try await connection.query("""
                    INSERT INTO shipping_addresses (order_id, street, city, zip, country)
                    VALUES (\(orderID), \(address.street), \(address.city), \(address.zip), \(address.country))
                    """, logger: logger)
                try await connection.query("DELETE FROM cart_items WHERE cart_id = \(cartID)", logger: logger)
                try await connection.query("UPDATE carts SET total_price = 0, updated_at = now() WHERE id = \(cartID)", logger: logger)
                guard let order = try await Self.orders(ids: [orderID], connection, logger).first else {
                    throw AppError(.internalServerError, "Order was not created")
                }
                return .created(order)
            }
        } catch is KeyOfAnotherUser {
            throw OrderError.idempotencyKeyReused
        } catch let error as PSQLError where error.isUniqueViolation {
            // Another user's order took this key between our check and our insert.
            throw OrderError.idempotencyKeyReused
        }
    }

    public func order(id: UUID) async throws -> Order? {
        try await client.withConnection { connection in
            try await Self.orders(ids: [id], connection, logger).first
        }
    }

    public func orders(userID: String, offset: Int, limit: Int) async throws -> (orders: [Order], total: Int) {
        try await client.withConnection { connection in
            var total = 0
            let count = try await connection.query("SELECT count(*)::int FROM orders WHERE user_id = \(userID)", logger: logger)
            for try await value in count.decode(Int.self) { total = value }
            let page = try await connection.query("""
                SELECT id FROM orders WHERE user_id = \(userID)
                ORDER BY created_at DESC, id DESC OFFSET \(offset) LIMIT \(limit)
                """, logger: logger)
            var ids: [UUID] = []
            for try await id in page.decode(UUID.self) { ids.append(id) }
            return (try await Self.orders(ids: ids, connection, logger), total)
        }
    }

    public func transition(orderID: UUID, to status: OrderStatus, from: [OrderStatus]) async throws -> Order? {
        try await client.withConnection { connection in
            // Checked and changed in one statement: two callers cannot both move the
            // order out of the same status.
            let rows = try await connection.query("""
                UPDATE orders SET status = \(status.rawValue)::order_status, updated_at = now()
                WHERE id = \(orderID) AND status::text = ANY(\(from.map(\.rawValue)))
                RETURNING id
                """, logger: logger)
            var changed = false
            for try await _ in rows { changed = true }
            guard changed else { return nil }
            return try await Self.orders(ids: [orderID], connection, logger).first
        }
    }

    /// Orders with their items and addresses, in the order of `ids`.
    private static func orders(ids: [UUID], _ connection: PostgresConnection, _ logger: Logger) async throws -> [Order] {
        guard !ids.isEmpty else { return [] }
        var byID: [UUID: Order] = [:]
        let rows = try await connection.query("""
            SELECT id, user_id, total_amount, status::text, created_at, updated_at FROM orders WHERE id = ANY(\(ids))
            """, logger: logger)
        for try await (id, userID, total, status, createdAt, updatedAt) in rows.decode((UUID, String, Decimal, String, Date, Date).self) {
            guard let status = OrderStatus(rawValue: status) else { throw AppError(.internalServerError, "Stored order has an unknown status") }
            byID[id] = Order(id: id.uuidString.lowercased(), userId: userID, items: [], totalAmount: try money(total),
                             status: status, shippingAddress: nil, createdAt: createdAt, updatedAt: updatedAt)
        }
        let items = try await connection.query("""
            SELECT order_id, product_id, name, price, quantity FROM order_items WHERE order_id = ANY(\(ids)) ORDER BY name, product_id
            """, logger: logger)
        for try await (orderID, productID, name, price, quantity) in items.decode((UUID, String, String?, Decimal?, Int).self) {
            byID[orderID]?.items.append(try lineItem((productID, name, price, quantity)))
        }
        let addresses = try await connection.query("""
            SELECT order_id, street, city, zip, country FROM shipping_addresses WHERE order_id = ANY(\(ids))
            """, logger: logger)
        for try await (orderID, street, city, zip, country) in addresses.decode((UUID, String?, String?, String?, String?).self) {
            byID[orderID]?.shippingAddress = ShippingAddress(street: street ?? "", city: city ?? "", zip: zip ?? "", country: country ?? "")
        }
        return ids.compactMap { byID[$0] }
    }
}

private func money(_ amount: Decimal) throws -> Money {
    guard let money = Money(exactly: amount) else { throw AppError(.internalServerError, "Stored amount is not a valid price") }
    return money
}

private func lineItem(_ row: (String, String?, Decimal?, Int)) throws -> LineItem {
    LineItem(productId: row.0, name: row.1 ?? "", price: try money(row.2 ?? 0), quantity: row.3)
}
