import Foundation
import Logging
import MarketplaceAPI
import PostgresNIO
import ServiceKit

public struct PostgresOrderRepository: OrderRepository, PostgresRepository {
    let store: PostgresStore

    public init(store: PostgresStore) {
        self.store = store
    }

    private var logger: Logger { store.logger }

    // MARK: Carts

    public func cart(userID: String) async throws -> Cart {
        let logger = self.logger
        // One read, no transaction: most shoppers who look at a cart have one.
        let rows = try await store.query("""
            SELECT c.id, c.user_id, c.total_price, c.updated_at, i.product_id, i.name, i.price, i.quantity
            FROM carts c LEFT JOIN cart_items i ON i.cart_id = c.id
            WHERE c.user_id = \(userID)
            ORDER BY i.name, i.product_id
            """)
        if let cart = try await Self.cart(rows) { return cart }
        return try await store.transaction { connection in
            let cartID = try await Self.upsertCart(userID: userID, connection, logger)
            return try await Self.readCart(cartID, connection, logger)
        }
    }

    public func addToCart(userID: String, line: PricedLine) async throws -> Cart {
        do {
            // One statement (`cart_add`, migration 004).
            let rows = try await store.query("""
                SELECT c_id, c_user, c_total, c_updated, i_product, i_name, i_price, i_quantity
                FROM cart_add(\(userID)::varchar, \(line.productID)::varchar, \(line.name)::varchar, \(line.price.amount)::numeric, \(line.quantity)::int)
                """)
            guard let cart = try await Self.cart(rows) else { throw AppError(.internalServerError, "Cart was not saved") }
            return cart
        } catch let error as PSQLError where error.isNumericOverflow {
            throw OrderError.cartTooLarge
        }
    }

    /// A cart from rows of (cart columns, item columns), the items NULL for an empty cart.
    private static func cart(_ rows: PostgresRowSequence) async throws -> Cart? {
        var cart: Cart?
        for try await row in rows.decode((UUID, String, Decimal, Date, String?, String?, Decimal?, Int?).self) {
            if cart == nil {
                cart = Cart(id: row.0.uuidString.lowercased(), userId: row.1, items: [], totalPrice: try money(row.2), updatedAt: row.3)
            }
            if let productID = row.4, let quantity = row.7 {
                cart?.items.append(try lineItem((productID, row.5, row.6, quantity)))
            }
        }
        return cart
    }

    public func restoreCart(orderID: UUID, userID: String, lines: [PricedLine]) async throws -> Cart {
        let logger = self.logger
        do {
            return try await store.transaction { connection in
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
        } catch let error as PSQLError where error.isNumericOverflow {
            throw OrderError.cartTooLarge
        }
    }

    public func removeFromCart(userID: String, productID: String) async throws -> Cart? {
        let logger = self.logger
        return try await store.transaction { connection -> Cart? in
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
        return try await store.transaction { connection in
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
        } catch let error as PSQLError where error.isNumericOverflow {
            throw OrderError.cartTooLarge
        }
    }

    private func repricing(userID: String, lines: [PricedLine], removed: [String], logger: Logger) async throws -> Cart {
        try await store.transaction { connection in
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

    /// The cart and its items in one read, with the rows `cart(_:)` reads.
    private static func readCart(_ cartID: UUID, _ connection: PostgresConnection, _ logger: Logger) async throws -> Cart {
        guard let cart = try await cart(connection.query("""
            SELECT c.id, c.user_id, c.total_price, c.updated_at, i.product_id, i.name, i.price, i.quantity
            FROM carts c LEFT JOIN cart_items i ON i.cart_id = c.id
            WHERE c.id = \(cartID)
            ORDER BY i.name, i.product_id
            """, logger: logger)) else { throw AppError(.internalServerError, "Cart disappeared") }
        return cart
    }

    // MARK: Orders

    public func createOrder(userID: String, address: ShippingAddress, idempotencyKey: String?) async throws -> OrderCreation {
        do {
            // One statement (`create_order`, migration 004).
            let rows = try await store.query("""
                SELECT outcome, o_id, o_user, o_total, o_status, o_created, o_updated, i_product, i_name, i_price, i_quantity
                FROM create_order(\(userID)::varchar, \(idempotencyKey)::varchar,
                                  \(address.street)::varchar, \(address.city)::varchar, \(address.zip)::varchar, \(address.country)::varchar)
                """)
            var outcome = ""
            var earlier: UUID?
            var order: Order?
            for try await row in rows.decode((String, UUID?, String?, Decimal?, String?, Date?, Date?, String?, String?, Decimal?, Int?).self) {
                outcome = row.0
                earlier = row.1
                guard outcome == "created", let id = row.1, let user = row.2, let total = row.3, let status = row.4,
                      let created = row.5, let updated = row.6 else { continue }
                if order == nil {
                    order = try Self.order((id, user, total, status, created, updated))
                    order?.shippingAddress = address
                }
                if let productID = row.7, let quantity = row.10 {
                    order?.items.append(try lineItem((productID, row.8, row.9, quantity)))
                }
            }
            switch outcome {
            case "created":
                guard let order else { throw AppError(.internalServerError, "Order was not created") }
                return .created(order)
            case "existing":
                guard let earlier, let order = try await self.order(id: earlier) else { throw AppError(.internalServerError, "Order vanished") }
                guard order.userId == userID else { throw OrderError.idempotencyKeyReused }
                return .existing(order)
            case "empty":
                return .emptyCart
            default:
                throw AppError(.internalServerError, "Order creation answered nothing")
            }
        } catch let error as PSQLError where error.isUniqueViolation {
            // Another user's order took this key between our check and our insert.
            throw OrderError.idempotencyKeyReused
        }
    }

    public func order(id: UUID) async throws -> Order? {
        try await store.client.withConnection { connection in
            try await Self.orders(ids: [id], connection, logger).first
        }
    }

    public func orders(userID: String, offset: Int, limit: Int) async throws -> (orders: [Order], total: Int) {
        try await store.client.withConnection { connection in
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
        // Checked and changed in one statement: two callers cannot both move the
        // order out of the same status. The order is answered from the same statement.
        let rows = try await store.query("""
            WITH moved AS (
                UPDATE orders SET status = \(status.rawValue)::order_status, updated_at = now()
                WHERE id = \(orderID) AND status::text = ANY(\(from.map(\.rawValue)))
                RETURNING id, user_id, total_amount, status::text AS status, created_at, updated_at)
            SELECT m.id, m.user_id, m.total_amount, m.status, m.created_at, m.updated_at,
                   i.product_id, i.name, i.price, i.quantity, a.street, a.city, a.zip, a.country, a.order_id IS NOT NULL
            FROM moved m
            LEFT JOIN order_items i ON i.order_id = m.id
            LEFT JOIN shipping_addresses a ON a.order_id = m.id
            ORDER BY i.name, i.product_id
            """)
        var order: Order?
        for try await row in rows.decode(
            (UUID, String, Decimal, String, Date, Date, String?, String?, Decimal?, Int?, String?, String?, String?, String?, Bool).self) {
            if order == nil {
                order = try Self.order((row.0, row.1, row.2, row.3, row.4, row.5))
                if row.14 {
                    order?.shippingAddress = ShippingAddress(street: row.10 ?? "", city: row.11 ?? "", zip: row.12 ?? "", country: row.13 ?? "")
                }
            }
            if let productID = row.6, let quantity = row.9 {
                order?.items.append(try lineItem((productID, row.7, row.8, quantity)))
            }
        }
        return order
    }

    public func order(idempotencyKey: String) async throws -> Order? {
        try await store.client.withConnection { connection in
            let rows = try await connection.query("SELECT id FROM orders WHERE idempotency_key = \(idempotencyKey)", logger: logger)
            var ids: [UUID] = []
            for try await id in rows.decode(UUID.self) { ids.append(id) }
            return try await Self.orders(ids: ids, connection, logger).first
        }
    }

    private typealias OrderRow = (UUID, String, Decimal, String, Date, Date)

    /// An order row without its items and address.
    private static func order(_ row: OrderRow) throws -> Order {
        let (id, userID, total, status, createdAt, updatedAt) = row
        guard let status = OrderStatus(rawValue: status) else { throw AppError(.internalServerError, "Stored order has an unknown status") }
        return Order(id: id.uuidString.lowercased(), userId: userID, items: [], totalAmount: try money(total),
                     status: status, shippingAddress: nil, createdAt: createdAt, updatedAt: updatedAt)
    }

    /// Orders with their items and addresses, in the order of `ids`.
    private static func orders(ids: [UUID], _ connection: PostgresConnection, _ logger: Logger) async throws -> [Order] {
        guard !ids.isEmpty else { return [] }
        var byID: [UUID: Order] = [:]
        let rows = try await connection.query("""
            SELECT id, user_id, total_amount, status::text, created_at, updated_at FROM orders WHERE id = ANY(\(ids))
            """, logger: logger)
        for try await row in rows.decode(OrderRow.self) { byID[row.0] = try order(row) }
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
