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
        for try await row in rows.decode(CartRow.self) {
            try add(row, to: &cart)
        }
        return cart
    }

    private typealias CartRow = (UUID, String, Decimal, Date, String?, String?, Decimal?, Int?)

    /// One row of (cart columns, item columns) into the cart it builds.
    private static func add(_ row: CartRow, to cart: inout Cart?) throws {
        if cart == nil {
            cart = Cart(id: row.0.uuidString.lowercased(), userId: row.1, items: [], totalPrice: try money(row.2), updatedAt: row.3)
        }
        if let productID = row.4, let quantity = row.7 {
            cart?.items.append(try lineItem((productID, row.5, row.6, quantity)))
        }
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

    public func createOrder(userID: String, address: ShippingAddress, idempotencyKey: String?, vendors: [String: String]) async throws -> OrderCreation {
        let products = vendors.keys.sorted()
        let owners = products.map { vendors[$0] ?? "" }
        do {
            // One statement (`create_order` with the vendors, migration 005).
            let rows = try await store.query("""
                SELECT outcome, o_id, o_user, o_total, o_status, o_created, o_updated, i_product, i_name, i_price, i_quantity
                FROM create_order(\(userID)::varchar, \(idempotencyKey)::varchar,
                                  \(address.street)::varchar, \(address.city)::varchar, \(address.zip)::varchar, \(address.country)::varchar,
                                  \(products)::varchar[], \(owners)::varchar[])
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
                    order?.items.append(try lineItem((productID, row.8, row.9, quantity), vendor: vendors[productID]))
                }
            }
            switch outcome {
            case "unpriced":
                return .unpriced
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
        try await page(count: "SELECT count(*)::int FROM orders WHERE user_id = \(userID)", ids: """
            SELECT id FROM orders WHERE user_id = \(userID)
            ORDER BY created_at DESC, id DESC OFFSET \(offset) LIMIT \(limit)
            """)
    }

    public func orders(vendorID: String, status: OrderStatus?, offset: Int, limit: Int) async throws -> (orders: [Order], total: Int) {
        // Each from one index of the vendor's parts (migration 005).
        guard let status else {
            return try await page(count: "SELECT count(*)::int FROM shipments WHERE vendor_id = \(vendorID)", ids: """
                SELECT order_id FROM shipments WHERE vendor_id = \(vendorID)
                ORDER BY placed_at DESC, order_id DESC OFFSET \(offset) LIMIT \(limit)
                """)
        }
        return try await page(
            count: "SELECT count(*)::int FROM shipments WHERE vendor_id = \(vendorID) AND order_status = \(status.rawValue)::order_status",
            ids: """
                SELECT order_id FROM shipments WHERE vendor_id = \(vendorID) AND order_status = \(status.rawValue)::order_status
                ORDER BY placed_at DESC, order_id DESC OFFSET \(offset) LIMIT \(limit)
                """)
    }

    public func allOrders(status: OrderStatus?, offset: Int, limit: Int) async throws -> (orders: [Order], total: Int) {
        guard let status else {
            return try await page(count: "SELECT count(*)::int FROM orders", ids: """
                SELECT id FROM orders ORDER BY created_at DESC, id DESC OFFSET \(offset) LIMIT \(limit)
                """)
        }
        return try await page(count: "SELECT count(*)::int FROM orders WHERE status = \(status.rawValue)::order_status", ids: """
            SELECT id FROM orders WHERE status = \(status.rawValue)::order_status
            ORDER BY created_at DESC, id DESC OFFSET \(offset) LIMIT \(limit)
            """)
    }

    /// A page of orders: how many there are in all (`count`), and those whose ids `ids` reads, in its order.
    private func page(count: PostgresQuery, ids: PostgresQuery) async throws -> (orders: [Order], total: Int) {
        try await store.client.withConnection { connection in
            var total = 0
            for try await value in try await connection.query(count, logger: logger).decode(Int.self) { total = value }
            var found: [UUID] = []
            for try await id in try await connection.query(ids, logger: logger).decode(UUID.self) { found.append(id) }
            return (try await Self.orders(ids: found, connection, logger), total)
        }
    }

    public func transition(orderID: UUID, to status: OrderStatus, from: [OrderStatus]) async throws -> (order: Order, was: OrderStatus)? {
        try await store.client.withConnection { connection in
            // Checked and changed in one statement: two callers cannot both move the
            // order out of the same status (the row is locked, and its status read, first).
            // The order is answered from the same statement; its parts, which the
            // change may have made or moved (migration 005's trigger), right after.
            let rows = try await connection.query("""
                WITH moved AS (
                    UPDATE orders o SET status = \(status.rawValue)::order_status, updated_at = now()
                    FROM (SELECT id, status::text AS status FROM orders WHERE id = \(orderID) FOR UPDATE) was
                    WHERE o.id = was.id AND o.status::text = ANY(\(from.map(\.rawValue)))
                      -- Once a vendor's part has shipped, the order is not cancelled under it.
                      AND NOT (\(status.rawValue) = 'Cancelled' AND EXISTS (
                          SELECT 1 FROM shipments s WHERE s.order_id = o.id AND s.status <> 'Pending'))
                    RETURNING o.id, o.user_id, o.total_amount, o.status::text AS status, o.created_at, o.updated_at, was.status AS was)
                SELECT m.id, m.user_id, m.total_amount, m.status, m.created_at, m.updated_at, m.was,
                       i.product_id, i.name, i.price, i.quantity, i.vendor_id,
                       a.street, a.city, a.zip, a.country, a.order_id IS NOT NULL
                FROM moved m
                LEFT JOIN order_items i ON i.order_id = m.id
                LEFT JOIN shipping_addresses a ON a.order_id = m.id
                ORDER BY i.name, i.product_id
                """, logger: logger)
            var order: Order?
            var was: OrderStatus?
            for try await row in rows.decode((UUID, String, Decimal, String, Date, Date, String,
                                              String?, String?, Decimal?, Int?, String?,
                                              String?, String?, String?, String?, Bool).self) {
                if order == nil {
                    order = try Self.order((row.0, row.1, row.2, row.3, row.4, row.5))
                    was = try Self.status(row.6)
                    if row.16 {
                        order?.shippingAddress = ShippingAddress(street: row.12 ?? "", city: row.13 ?? "", zip: row.14 ?? "", country: row.15 ?? "")
                    }
                }
                if let productID = row.7, let quantity = row.10 {
                    order?.items.append(try lineItem((productID, row.8, row.9, quantity), vendor: row.11))
                }
            }
            guard var order, let was else { return nil }
            order.shipments = try await Self.shipments(of: [orderID], connection, logger)[orderID] ?? []
            return (order, was)
        }
    }

    public func moveShipment(orderID: UUID, vendorID: String, to next: ShipmentStatus, carrier: String?, trackingNumber: String?) async throws -> ShipmentMove {
        let logger = self.logger
        return try await store.transaction { connection -> ShipmentMove in
            // The order's row is locked first, so the parts of one order move one at a
            // time and the last one to move sees every other where it is.
            let locked = try await connection.query("""
                SELECT o.status::text, EXISTS (SELECT 1 FROM order_items i WHERE i.order_id = o.id AND i.vendor_id = \(vendorID))
                FROM orders o WHERE o.id = \(orderID) FOR UPDATE
                """, logger: logger)
            var found: (status: String, vendorsLines: Bool)?
            for try await row in locked.decode((String, Bool).self) { found = row }
            guard let found, found.vendorsLines else { return .notFound }
            let current = try Self.status(found.status)
            var parts: [String: ShipmentStatus] = [:]
            let rows = try await connection.query("SELECT vendor_id, status::text FROM shipments WHERE order_id = \(orderID)", logger: logger)
            for try await (vendor, status) in rows.decode((String, String).self) { parts[vendor] = try Self.shipmentStatus(status) }

            let decision = OrderStatusMachine.decide(order: current, part: parts[vendorID], to: next)
            guard decision == .move else { return .refused(decision, order: current, part: parts[vendorID]) }
            try await connection.query("""
                UPDATE shipments SET status = \(next.rawValue)::shipment_status,
                    carrier = COALESCE(\(carrier)::varchar, carrier), tracking_number = COALESCE(\(trackingNumber)::varchar, tracking_number),
                    shipped_at = CASE WHEN \(next.rawValue)::text = 'Shipped' THEN now() ELSE shipped_at END,
                    delivered_at = CASE WHEN \(next.rawValue)::text = 'Delivered' THEN now() ELSE delivered_at END,
                    updated_at = now()
                WHERE order_id = \(orderID) AND vendor_id = \(vendorID)
                """, logger: logger)
            parts[vendorID] = next
            let following = OrderStatusMachine.following(current, parts: Array(parts.values))
            if following != current {
                try await connection.query("""
                    UPDATE orders SET status = \(following.rawValue)::order_status, updated_at = now() WHERE id = \(orderID)
                    """, logger: logger)
            }
            guard let order = try await Self.orders(ids: [orderID], connection, logger).first else {
                throw AppError(.internalServerError, "Order vanished")
            }
            return .moved(order, orderWas: current)
        }
    }

    public func nameVendors(_ names: [String: String]) async throws {
        let ids = names.keys.sorted()
        try await store.client.withConnection { connection in
            _ = try await connection.query("""
                INSERT INTO vendor_names (vendor_id, name)
                SELECT * FROM unnest(\(ids)::varchar[], \(ids.map { names[$0] ?? "" })::text[])
                ON CONFLICT (vendor_id) DO UPDATE SET name = EXCLUDED.name, updated_at = now()
                WHERE vendor_names.name <> EXCLUDED.name
                """, logger: logger)
        }
    }

    public func recordRefund(orderID: UUID, transactionID: UUID, amount: Money, at refundedAt: Date) async throws -> Order? {
        try await store.client.withConnection { connection in
            let rows = try await connection.query("""
                UPDATE orders SET refund_transaction_id = \(transactionID), refund_amount = \(amount.amount), refunded_at = \(refundedAt),
                    updated_at = now()
                WHERE id = \(orderID) AND status = 'Cancelled' RETURNING id
                """, logger: logger)
            var found: [UUID] = []
            for try await id in rows.decode(UUID.self) { found.append(id) }
            return try await Self.orders(ids: found, connection, logger).first
        }
    }

    public func orderOrCart(idempotencyKey: String, userID: String) async throws -> OrderOrCart {
        // One read for a new key: the key's order id beside the cart's rows (a row of
        // NULLs when there is no cart, so the id is always read).
        let rows = try await store.query("""
            SELECT (SELECT id FROM orders WHERE idempotency_key = \(idempotencyKey)), c.id, c.user_id, c.total_price, c.updated_at,
                   i.product_id, i.name, i.price, i.quantity
            FROM (SELECT 1) one
            LEFT JOIN carts c ON c.user_id = \(userID)
            LEFT JOIN cart_items i ON i.cart_id = c.id
            ORDER BY i.name, i.product_id
            """)
        var existing: UUID?
        var cart: Cart?
        for try await row in rows.decode((UUID?, UUID?, String?, Decimal?, Date?, String?, String?, Decimal?, Int?).self) {
            existing = existing ?? row.0
            guard existing == nil, let id = row.1, let user = row.2, let total = row.3, let updated = row.4 else { continue }
            try Self.add((id, user, total, updated, row.5, row.6, row.7, row.8), to: &cart)
        }
        // Made already (a resumed checkout): that order, read by its id. Gone meanwhile,
        // or no cart yet: the cart as `cart(userID:)` answers it.
        if let existing, let order = try await order(id: existing) { return .order(order) }
        if let cart { return .cart(cart) }
        return .cart(try await self.cart(userID: userID))
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

    /// An order row without its items, address and parts.
    private static func order(_ row: OrderRow) throws -> Order {
        let (id, userID, total, status, createdAt, updatedAt) = row
        return Order(id: id.uuidString.lowercased(), userId: userID, items: [], totalAmount: try money(total),
                     status: try self.status(status), shippingAddress: nil, createdAt: createdAt, updatedAt: updatedAt)
    }

    private static func status(_ text: String) throws -> OrderStatus {
        guard let status = OrderStatus(rawValue: text) else { throw AppError(.internalServerError, "Stored order has an unknown status") }
        return status
    }

    private static func shipmentStatus(_ text: String) throws -> ShipmentStatus {
        guard let status = ShipmentStatus(rawValue: text) else { throw AppError(.internalServerError, "Stored shipment has an unknown status") }
        return status
    }

    /// The parts of these orders, by order, each order's by vendor id.
    private static func shipments(of ids: [UUID], _ connection: PostgresConnection, _ logger: Logger) async throws -> [UUID: [Shipment]] {
        let rows = try await connection.query("""
            SELECT s.order_id, s.vendor_id, n.name, s.status::text, s.carrier, s.tracking_number, s.shipped_at, s.delivered_at
            FROM shipments s LEFT JOIN vendor_names n ON n.vendor_id = s.vendor_id
            WHERE s.order_id = ANY(\(ids)) ORDER BY s.vendor_id
            """, logger: logger)
        var byOrder: [UUID: [Shipment]] = [:]
        for try await (orderID, vendorID, vendorName, status, carrier, trackingNumber, shippedAt, deliveredAt)
            in rows.decode((UUID, String, String?, String, String?, String?, Date?, Date?).self) {
            byOrder[orderID, default: []].append(Shipment(
                vendorId: vendorID, vendorName: vendorName, status: try shipmentStatus(status), carrier: carrier, trackingNumber: trackingNumber,
                shippedAt: shippedAt, deliveredAt: deliveredAt))
        }
        return byOrder
    }

    /// Orders with their items and addresses, in the order of `ids`.
    private static func orders(ids: [UUID], _ connection: PostgresConnection, _ logger: Logger) async throws -> [Order] {
        guard !ids.isEmpty else { return [] }
        var byID: [UUID: Order] = [:]
        let rows = try await connection.query("""
            SELECT id, user_id, total_amount, status::text, created_at, updated_at, refund_transaction_id, refund_amount, refunded_at
            FROM orders WHERE id = ANY(\(ids))
            """, logger: logger)
        for try await row in rows.decode((UUID, String, Decimal, String, Date, Date, UUID?, Decimal?, Date?).self) {
            var order = try order((row.0, row.1, row.2, row.3, row.4, row.5))
            if let transactionID = row.6, let amount = row.7, let refundedAt = row.8 {
                order.refund = OrderRefund(transactionId: transactionID.uuidString.lowercased(), amount: try money(amount), refundedAt: refundedAt)
            }
            byID[row.0] = order
        }
        let items = try await connection.query("""
            SELECT order_id, product_id, name, price, quantity, vendor_id FROM order_items WHERE order_id = ANY(\(ids)) ORDER BY name, product_id
            """, logger: logger)
        for try await (orderID, productID, name, price, quantity, vendor) in items.decode((UUID, String, String?, Decimal?, Int, String?).self) {
            byID[orderID]?.items.append(try lineItem((productID, name, price, quantity), vendor: vendor))
        }
        let addresses = try await connection.query("""
            SELECT order_id, street, city, zip, country FROM shipping_addresses WHERE order_id = ANY(\(ids))
            """, logger: logger)
        for try await (orderID, street, city, zip, country) in addresses.decode((UUID, String?, String?, String?, String?).self) {
            byID[orderID]?.shippingAddress = ShippingAddress(street: street ?? "", city: city ?? "", zip: zip ?? "", country: country ?? "")
        }
        for (orderID, parts) in try await shipments(of: ids, connection, logger) { byID[orderID]?.shipments = parts }
        return ids.compactMap { byID[$0] }
    }
}

private func money(_ amount: Decimal) throws -> Money {
    guard let money = Money(exactly: amount) else { throw AppError(.internalServerError, "Stored amount is not a valid price") }
    return money
}

/// A cart line (no vendor) or an order line (its vendor, where the order knows it).
private func lineItem(_ row: (String, String?, Decimal?, Int), vendor: String? = nil) throws -> LineItem {
    LineItem(productId: row.0, name: row.1 ?? "", price: try money(row.2 ?? 0), quantity: row.3, vendorId: vendor)
}
