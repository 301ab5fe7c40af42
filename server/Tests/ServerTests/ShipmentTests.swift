import Foundation
import HTTPTypes
import MarketplaceAPI
import PostgresNIO
import ServiceKit
import Testing

/// A vendor of the tests, with one stocked product.
struct TestVendor: Sendable {
    let token: String
    let id: String
    let productID: String

    static func make(_ client: some APIClient, product name: String, price: String) async throws -> TestVendor {
        let account = try await client.signUp(role: .vendor, name: "Vendor of \(name)")
        let product = try await createTestProduct(client, vendorToken: account.token, name: name, price: price)
        let added = try await client.send(.post, "/api/inventory/add", token: account.token, json: AddStockRequest(productId: product, quantity: 10))
        #expect(added.status == .ok, "add failed: \(added.body)")
        return TestVendor(token: account.token, id: account.id, productID: product)
    }
}

/// What vendors and admins ask of an order after checkout.
enum Fulfilment {
    /// A shopper's order with a lamp from one vendor and two mugs from another,
    /// checked out (Confirmed, with one Pending part per vendor).
    static func confirmedOrder(_ client: some APIClient) async throws -> (orderID: String, shopper: String, lamp: TestVendor, mug: TestVendor) {
        let lamp = try await TestVendor.make(client, product: "Brass lamp", price: "19.99")
        let mug = try await TestVendor.make(client, product: "Blue mug", price: "4.50")
        let shopper = try await client.signUp()
        try await CheckoutTests.addToCart(client, token: shopper.token, lamp.productID, 1)
        try await CheckoutTests.addToCart(client, token: shopper.token, mug.productID, 2)
        let placed = try await CheckoutTests.checkout(client, token: shopper.token)
        #expect(placed.status == .ok, "checkout failed: \(placed.body)")
        return (try #require(try placed.reply(Endpoints.checkout).orderId), shopper.token, lamp, mug)
    }

    static func ship(_ client: some APIClient, token: String?, _ orderID: String, _ request: ShipOrderRequest = ShipOrderRequest()) async throws -> JSONResult {
        try await client.send(.post, Endpoints.shipOrder.path(orderID), token: token, json: request)
    }

    static func deliver(_ client: some APIClient, token: String?, _ orderID: String, vendorID: String? = nil) async throws -> JSONResult {
        try await client.send(.post, Endpoints.deliverOrder.path(orderID), token: token, json: DeliverOrderRequest(vendorId: vendorID))
    }

    static func list(_ client: some APIClient, token: String?, _ query: String = "") async throws -> JSONResult {
        try await client.send(.get, Endpoints.fulfilment.template + (query.isEmpty ? "" : "?" + query), token: token)
    }

    /// The order in the admin's list, looked for page by page (other suites add orders meanwhile).
    static func adminView(_ client: some APIClient, admin: String, _ orderID: String, status: OrderStatus? = nil) async throws -> FulfilmentOrder? {
        for page in 1...10 {
            let answer = try await list(client, token: admin, "limit=100&page=\(page)" + (status.map { "&status=\($0.rawValue)" } ?? ""))
            #expect(answer.status == .ok, "\(answer.body)")
            let orders = try answer.reply(Endpoints.fulfilment).data
            if let found = orders.first(where: { $0.orderId == orderID }) { return found }
            if orders.count < 100 { return nil }
        }
        return nil
    }

    static func order(_ client: some APIClient, token: String, _ orderID: String) async throws -> Order {
        try await client.send(.get, Endpoints.order.path(orderID), token: token).reply(Endpoints.order).data
    }
}

/// Orders after checkout, over real HTTP against both topologies: each vendor
/// ships and delivers their part, and the order follows its parts.
@Suite("Shipments end to end", .deployments) struct ShipmentTests {
    @Test(arguments: Topology.allCases) func eachVendorSeesTheirOwnPartAndAnAdminSeesEveryPart(_ topology: Topology) async throws {
        let client = try Deployments.client(topology)
        let (orderID, shopper, lamp, mug) = try await Fulfilment.confirmedOrder(client)

        // The shopper's order names its parts, one Pending per vendor, and each line's vendor.
        let order = try await Fulfilment.order(client, token: shopper, orderID)
        #expect(order.status == .confirmed)
        #expect(order.shipments.map(\.vendorId).sorted() == [lamp.id, mug.id].sorted())
        #expect(order.shipments.allSatisfy { $0.status == .pending && $0.shippedAt == nil })
        // Each part names its vendor as the catalog did when the order was made.
        #expect(Set(order.shipments.compactMap(\.vendorName)) == ["Vendor of Brass lamp", "Vendor of Blue mug"], "\(order.shipments)")
        #expect(Dictionary(uniqueKeysWithValues: order.items.map { ($0.productId, $0.vendorId) }) == [lamp.productID: lamp.id, mug.productID: mug.id])
        let history = try await client.send(.get, Endpoints.orders.template, token: shopper).reply(Endpoints.orders).data
        #expect(history.first { $0.id == orderID }?.shipments.count == 2)

        // A vendor: only their own lines and part.
        let mine = try await Fulfilment.list(client, token: lamp.token)
        #expect(mine.status == .ok, "\(mine.body)")
        let page = try mine.reply(Endpoints.fulfilment)
        #expect(page.pagination.total == 1)
        let seen = try #require(page.data.first)
        #expect(seen.orderId == orderID && seen.status == .confirmed)
        #expect(seen.items.map(\.productId) == [lamp.productID])
        #expect(seen.shipment?.vendorId == lamp.id && seen.shipment?.status == .pending)
        #expect(seen.shipments == nil)
        #expect(!mine.body.contains(mug.productID) && !mine.body.contains(mug.id), "nothing of the other vendor's: \(mine.body)")
        #expect(seen.shippingAddress?.city == "Paris")
        #expect(try await Fulfilment.list(client, token: lamp.token, "status=Confirmed").reply(Endpoints.fulfilment).data.map(\.orderId) == [orderID])
        #expect(try await Fulfilment.list(client, token: lamp.token, "status=Shipped").reply(Endpoints.fulfilment).data.isEmpty)

        // An admin: every line and every part.
        let admin = try await client.signUp(role: .admin)
        let whole = try #require(try await Fulfilment.adminView(client, admin: admin.token, orderID, status: .confirmed))
        #expect(whole.items.count == 2 && whole.shipment == nil)
        #expect(whole.shipments?.map(\.vendorId).sorted() == [lamp.id, mug.id].sorted())

        // A shopper may not look; a list query it does not take answers 400.
        let refused = try await Fulfilment.list(client, token: shopper)
        #expect(refused.status == .forbidden && refused.code == .forbidden, "\(refused.body)")
        #expect(try await Fulfilment.list(client, token: nil).status == .unauthorized)
        for query in ["status=shipped", "status=Lost", "status=Shipped&status=Confirmed", "vendorId=\(mug.id)", "limit=0", "page=x"] {
            let bad = try await Fulfilment.list(client, token: lamp.token, query)
            #expect(bad.status == .badRequest && bad.code == .validationFailed, "\(query): \(bad.body)")
        }
    }

    @Test(arguments: Topology.allCases) func theOrderIsShippedWhenEveryPartIsAndDeliveredWhenEveryPartIs(_ topology: Topology) async throws {
        let client = try Deployments.client(topology)
        let (orderID, shopper, lamp, mug) = try await Fulfilment.confirmedOrder(client)

        // The lamp's vendor ships: their part only; the order waits for the mugs.
        let shipped = try await Fulfilment.ship(client, token: lamp.token, orderID, ShipOrderRequest(carrier: "  DHL ", trackingNumber: "JD0146 0000 6281"))
        #expect(shipped.status == .ok && shipped.message == "Shipped", "\(shipped.body)")
        let lampPart = try shipped.reply(Endpoints.shipOrder).data
        #expect(lampPart.status == .confirmed)
        #expect(lampPart.items.map(\.productId) == [lamp.productID])
        let part = try #require(lampPart.shipment)
        #expect(part.status == .shipped && part.carrier == "DHL" && part.trackingNumber == "JD0146 0000 6281")
        let shippedAt = try #require(part.shippedAt)
        #expect(abs(shippedAt.timeIntervalSinceNow) < 300)
        #expect(part.deliveredAt == nil)

        let again = try await Fulfilment.ship(client, token: lamp.token, orderID)
        #expect(again.status == .conflict && again.code == .shipmentNotAllowed, "\(again.body)")
        let early = try await Fulfilment.deliver(client, token: mug.token, orderID)
        #expect(early.status == .conflict && early.code == .shipmentNotAllowed, "not shipped yet: \(early.body)")

        // Delivered before the other part even ships: the order is still Confirmed.
        let delivered = try await Fulfilment.deliver(client, token: lamp.token, orderID)
        #expect(delivered.status == .ok && delivered.message == "Delivered", "\(delivered.body)")
        let lampDone = try delivered.reply(Endpoints.deliverOrder).data
        #expect(lampDone.status == .confirmed && lampDone.shipment?.status == .delivered && lampDone.shipment?.deliveredAt != nil)
        #expect(lampDone.shipment?.carrier == "DHL", "delivering keeps what shipping said")
        #expect(try await Fulfilment.order(client, token: shopper, orderID).status == .confirmed)

        // The last part ships: the order is Shipped.
        let last = try await Fulfilment.ship(client, token: mug.token, orderID)
        #expect(last.status == .ok, "\(last.body)")
        #expect(try last.reply(Endpoints.shipOrder).data.status == .shipped)
        let mugPart = try #require(try last.reply(Endpoints.shipOrder).data.shipment)
        #expect(mugPart.carrier == nil && mugPart.trackingNumber == nil)
        #expect(!last.body.contains("carrier"), "no carrier: the key is left out, not null: \(last.body)")
        let onItsWay = try await Fulfilment.order(client, token: shopper, orderID)
        #expect(onItsWay.status == .shipped)
        #expect(Dictionary(uniqueKeysWithValues: onItsWay.shipments.map { ($0.vendorId, $0.status) }) == [lamp.id: .delivered, mug.id: .shipped])
        let late = try await Fulfilment.ship(client, token: mug.token, orderID)
        #expect(late.status == .conflict && late.code == .shipmentNotAllowed, "\(late.body)")

        // The last part is delivered: the order is Delivered.
        let done = try await Fulfilment.deliver(client, token: mug.token, orderID)
        #expect(try done.reply(Endpoints.deliverOrder).data.status == .delivered, "\(done.body)")
        let history = try await client.send(.get, Endpoints.orders.template, token: shopper).reply(Endpoints.orders).data
        let final = try #require(history.first { $0.id == orderID })
        #expect(final.status == .delivered && final.shipments.allSatisfy { $0.status == .delivered && $0.deliveredAt != nil })
        #expect(try await Fulfilment.list(client, token: mug.token, "status=Delivered").reply(Endpoints.fulfilment).data.map(\.orderId) == [orderID])
        let twice = try await Fulfilment.deliver(client, token: mug.token, orderID)
        #expect(twice.status == .conflict && twice.code == .shipmentNotAllowed, "\(twice.body)")

        if topology == .allInOne {
            // Counted per move: the process serves its own metrics to loopback.
            let metrics = try await client.exchange(.get, Endpoints.metrics.template, headers: [:], body: nil).body
            func counted(_ name: String, _ labels: String...) -> Bool {
                metrics.split(separator: "\n").contains { line in line.hasPrefix(name + "{") && labels.allSatisfy { line.contains($0) } }
            }
            for (from, to) in [("new", "Pending"), ("Pending", "Confirmed"), ("Confirmed", "Shipped"), ("Shipped", "Delivered")] {
                #expect(counted("storefront_order_transitions_total", #"from="\#(from)""#, #"to="\#(to)""#), "\(from) → \(to)")
            }
            #expect(counted("storefront_shipments_total", #"status="Shipped""#) && counted("storefront_shipments_total", #"status="Delivered""#))
        }
    }

    @Test(arguments: Topology.allCases) func onlyTheVendorWhosePartItIsOrAnAdminNamingThemMovesIt(_ topology: Topology) async throws {
        let client = try Deployments.client(topology)
        let (orderID, shopper, lamp, mug) = try await Fulfilment.confirmedOrder(client)
        let stranger = try await client.signUp(role: .vendor)
        let admin = try await client.signUp(role: .admin)

        for answer in [try await Fulfilment.ship(client, token: shopper, orderID), try await Fulfilment.deliver(client, token: shopper, orderID)] {
            #expect(answer.status == .forbidden && answer.code == .forbidden, "a shopper: \(answer.body)")
        }
        #expect(try await Fulfilment.ship(client, token: nil, orderID).status == .unauthorized)
        #expect(try await Fulfilment.ship(client, token: try await serviceToken(), orderID).status == .forbidden)
        // A vendor with no line in the order is told there is no such order, as for an unknown one.
        for (label, answer) in [
            ("a stranger", try await Fulfilment.ship(client, token: stranger.token, orderID)),
            ("a stranger delivering", try await Fulfilment.deliver(client, token: stranger.token, orderID)),
            ("an unknown order", try await Fulfilment.ship(client, token: lamp.token, UUID().uuidString)),
            ("a malformed id", try await Fulfilment.ship(client, token: lamp.token, "not-an-order")),
        ] {
            #expect(answer.status == .notFound && answer.code == .notFound, "\(label): \(answer.body)")
        }
        let others = try await Fulfilment.ship(client, token: lamp.token, orderID, ShipOrderRequest(vendorId: mug.id))
        #expect(others.status == .forbidden && others.code == .forbidden, "\(others.body)")
        let own = try await Fulfilment.list(client, token: stranger.token).reply(Endpoints.fulfilment)
        #expect(own.data.isEmpty && own.pagination.total == 0)

        // The shared text rules, in one answer.
        let long = try await Fulfilment.ship(client, token: lamp.token, orderID, ShipOrderRequest(
            carrier: String(repeating: "c", count: 101), trackingNumber: "AB\u{7}12"))
        #expect(long.status == .badRequest && long.code == .validationFailed, "\(long.body)")
        #expect(Set(long.fieldErrors) == ["carrier", "trackingNumber"])
        #expect(long.message?.isEmpty == false)
        #expect(InputRules.shipmentCarrier.problem(String(repeating: "c", count: 101)) != nil)
        #expect(try await client.send(.post, Endpoints.shipOrder.path(orderID), token: lamp.token, raw: #"{"carrier": 7}"#).status == .badRequest)

        // An admin names the vendor; without one, an order of two parts is refused (409: which one?).
        let unnamed = try await Fulfilment.ship(client, token: admin.token, orderID)
        #expect(unnamed.status == .conflict && unnamed.code == .shipmentNotAllowed, "\(unnamed.body)")
        let byAdmin = try await Fulfilment.ship(client, token: admin.token, orderID, ShipOrderRequest(carrier: "UPS", vendorId: mug.id.uppercased()))
        #expect(byAdmin.status == .ok, "\(byAdmin.body)")
        let adminView = try byAdmin.reply(Endpoints.shipOrder).data
        #expect(adminView.items.count == 2 && adminView.shipment == nil)
        #expect(Dictionary(uniqueKeysWithValues: (adminView.shipments ?? []).map { ($0.vendorId, $0.status) }) == [lamp.id: .pending, mug.id: .shipped])
        #expect(try await Fulfilment.deliver(client, token: admin.token, orderID, vendorID: mug.id).status == .ok)
        // Nothing the refusals asked for happened: the lamp's part is still Pending.
        let order = try await Fulfilment.order(client, token: shopper, orderID)
        #expect(order.status == .confirmed)
        #expect(order.shipments.first { $0.vendorId == lamp.id }?.status == .pending)
        #expect(order.shipments.first { $0.vendorId == mug.id }?.carrier == "UPS")
    }

    @Test(arguments: Topology.allCases) func anOrderThatIsNotConfirmedDoesNotShip(_ topology: Topology) async throws {
        let client = try Deployments.client(topology)
        let lamp = try await TestVendor.make(client, product: "Brass lamp", price: "19.99")
        let shopper = try await client.signUp()

        // Declined: the order is Cancelled and never had parts.
        try await CheckoutTests.addToCart(client, token: shopper.token, lamp.productID, 1)
        let declined = try await CheckoutTests.checkout(client, token: shopper.token, method: "tok_chargeDeclined")
        #expect(declined.code == .paymentDeclined, "\(declined.body)")
        let cancelled = try #require(try declined.reply(Endpoints.checkout).orderId)
        let refused = try await Fulfilment.ship(client, token: lamp.token, cancelled)
        #expect(refused.status == .conflict && refused.code == .orderNotShippable, "\(refused.body)")
        #expect(try await Fulfilment.deliver(client, token: lamp.token, cancelled).code == .orderNotShippable)

        // Pending (made, not yet paid): not shippable either, and not in the vendor's list.
        let pending = try await OrderServiceTests.createOrder(client, userID: shopper.id)
        #expect(pending.status == .created, "\(pending.body)")
        let pendingID = try pending.reply(Endpoints.createOrder).data.id
        let early = try await Fulfilment.ship(client, token: lamp.token, pendingID)
        #expect(early.status == .conflict && early.code == .orderNotShippable, "\(early.body)")
        #expect(try await Fulfilment.list(client, token: lamp.token).reply(Endpoints.fulfilment).data.isEmpty)
        #expect(try await Fulfilment.order(client, token: shopper.token, pendingID).shipments.isEmpty)
    }
}

/// The parts of orders in the order service's store: races, orders made before
/// orders knew their vendors, and orders moved as a whole.
@Suite("Shipments") struct ShipmentStoreTests {
    @Test func partsShippedAndDeliveredAtOnceMoveTheOrderOnceEach() async throws {
        try await withTestApp { client in
            let vendors = [
                try await TestVendor.make(client, product: "Lamp", price: "10.00"),
                try await TestVendor.make(client, product: "Mug", price: "2.00"),
                try await TestVendor.make(client, product: "Rug", price: "30.00"),
            ]
            let shopper = try await client.signUp()
            for vendor in vendors { try await CheckoutTests.addToCart(client, token: shopper.token, vendor.productID, 1) }
            let placed = try await CheckoutTests.checkout(client, token: shopper.token)
            let orderID = try #require(try placed.reply(Endpoints.checkout).orderId, "\(placed.body)")

            for step in [ShipmentStatus.shipped, .delivered] {
                let answers = try await withThrowingTaskGroup(of: JSONResult.self) { group in
                    for vendor in vendors {
                        group.addTask {
                            if step == .shipped { return try await Fulfilment.ship(client, token: vendor.token, orderID) }
                            return try await Fulfilment.deliver(client, token: vendor.token, orderID)
                        }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                #expect(answers.allSatisfy { $0.status == .ok }, "\(answers.map(\.body))")
                // Exactly one of them, the last to move its part, moved the order.
                let moved = try answers.map { try $0.reply(Endpoints.shipOrder).data.status }
                let expected: OrderStatus = step == .shipped ? .shipped : .delivered
                #expect(moved.filter { $0 == expected }.count == 1, "\(moved)")
                let order = try await Fulfilment.order(client, token: shopper.token, orderID)
                #expect(order.status == expected)
                #expect(order.shipments.count == 3 && order.shipments.allSatisfy { $0.status == step })
            }
        }
    }

    @Test func anOrderMovedAsAWholeMovesItsParts() async throws {
        try await withTestApp { client in
            let (orderID, shopper, lamp, mug) = try await Fulfilment.confirmedOrder(client)
            #expect(try await Fulfilment.ship(client, token: lamp.token, orderID, ShipOrderRequest(carrier: "DHL")).status == .ok)
            let shipped = try await OrderServiceTests.setStatus(client, orderID, "Shipped")
            #expect(shipped.status == .ok, "\(shipped.body)")
            let parts = try shipped.reply(Endpoints.setOrderStatus).data.shipments
            #expect(parts.count == 2 && parts.allSatisfy { $0.status == .shipped && $0.shippedAt != nil })
            #expect(parts.first { $0.vendorId == lamp.id }?.carrier == "DHL")
            #expect(try await Fulfilment.ship(client, token: mug.token, orderID).code == .shipmentNotAllowed)
            #expect(try await OrderServiceTests.setStatus(client, orderID, "Delivered").status == .ok)
            let order = try await Fulfilment.order(client, token: shopper, orderID)
            #expect(order.status == .delivered && order.shipments.allSatisfy { $0.status == .delivered && $0.deliveredAt != nil })
            #expect(try await Fulfilment.list(client, token: mug.token, "status=Delivered").reply(Endpoints.fulfilment).data.map(\.orderId) == [orderID])
        }
    }

    /// Lines stored before orders knew their vendors have none: such an order gets
    /// no parts, shows in no vendor's list and in the admin's with no parts, and is
    /// moved as a whole as before.
    @Test func anOrderWhoseLinesHaveNoVendorHasNoPartsAndIsMovedAsAWhole() async throws {
        let configuration = try await TestStores.prepare()
        try await withTestApp { client in
            let lamp = try await TestVendor.make(client, product: "Lamp", price: "10.00")
            let shopper = try await client.signUp()
            try await CheckoutTests.addToCart(client, token: shopper.token, lamp.productID, 1)
            let created = try await OrderServiceTests.createOrder(client, userID: shopper.id)
            let order = try created.reply(Endpoints.createOrder).data
            #expect(order.items.first?.vendorId == lamp.id, "a new order keeps each line's vendor")
            let uuid = try #require(UUID(uuidString: order.id))
            let cleared = try await CheckoutFaultTests.texts(configuration, .orders, """
                UPDATE order_items SET vendor_id = NULL WHERE order_id = \(uuid) RETURNING order_id::text
                """)
            #expect(cleared.count == 1)

            let confirmed = try await OrderServiceTests.setStatus(client, order.id, "Confirmed")
            let legacy = try confirmed.reply(Endpoints.setOrderStatus).data
            #expect(legacy.shipments.isEmpty && legacy.items.first?.vendorId == nil)
            #expect(!confirmed.body.contains("vendorId"), "absent, not null: \(confirmed.body)")
            #expect(try await Fulfilment.list(client, token: lamp.token).reply(Endpoints.fulfilment).data.isEmpty)
            #expect(try await Fulfilment.ship(client, token: lamp.token, order.id).code == .notFound)
            let admin = try await client.signUp(role: .admin)
            let seen = try #require(try await Fulfilment.adminView(client, admin: admin.token, order.id))
            #expect(seen.shipments == [] && seen.items.count == 1)
            #expect(try await OrderServiceTests.setStatus(client, order.id, "Shipped").status == .ok)
            #expect(try await Fulfilment.order(client, token: shopper.token, order.id).status == .shipped)
        }
    }

    @Test func aVendorsListIsNewestFirstAndPaginated() async throws {
        try await withTestApp { client in
            let lamp = try await TestVendor.make(client, product: "Lamp", price: "10.00")
            let shopper = try await client.signUp()
            var made: [String] = []
            for quantity in 1...3 {
                try await CheckoutTests.addToCart(client, token: shopper.token, lamp.productID, quantity)
                let placed = try await CheckoutTests.checkout(client, token: shopper.token)
                made.append(try #require(try placed.reply(Endpoints.checkout).orderId, "\(placed.body)"))
            }
            let first = try await Fulfilment.list(client, token: lamp.token, "limit=2").reply(Endpoints.fulfilment)
            #expect(first.data.map(\.orderId) == [made[2], made[1]])
            #expect(first.data.first?.items.first?.quantity == 3)
            #expect(first.pagination.total == 3 && first.pagination.limit == 2)
            #expect(try await Fulfilment.list(client, token: lamp.token, "limit=2&page=2").reply(Endpoints.fulfilment).data.map(\.orderId) == [made[0]])
            #expect(try await Fulfilment.ship(client, token: lamp.token, made[1]).status == .ok)
            let shipped = try await Fulfilment.list(client, token: lamp.token, "status=Shipped").reply(Endpoints.fulfilment)
            #expect(shipped.data.map(\.orderId) == [made[1]] && shipped.pagination.total == 1)
            #expect(try await Fulfilment.list(client, token: lamp.token, "status=Confirmed").reply(Endpoints.fulfilment).pagination.total == 2)
        }
    }
}
