import Foundation
import MarketplaceAPI
import Testing
@testable import StorefrontCore

let shipAddress = ShippingAddress(street: "1 Rue Neuve", city: "Lyon", zip: "69001", country: "France")

/// Orders as a vendor sees them: their lines and their part, newest first (one to ship,
/// one shipped, one delivered, one cancelled).
func fixtureVendorOrders() -> [FulfilmentOrder] {
    let items = fixtureCart().items
    func part(_ status: ShipmentStatus, _ hours: Double) -> Shipment {
        Shipment(vendorId: "vendor-1", status: status, carrier: status == .pending ? nil : "DHL",
                 trackingNumber: status == .pending ? nil : "1Z999AA10123456784",
                 shippedAt: status == .pending ? nil : fixtureDate.addingTimeInterval(hours * 3600),
                 deliveredAt: status == .delivered ? fixtureDate.addingTimeInterval((hours + 24) * 3600) : nil)
    }
    return [
        FulfilmentOrder(orderId: "3cd0cfbe-1d80-440a-8547-917bd90731e3", placedAt: fixtureDate.addingTimeInterval(7200), status: .confirmed,
                        shippingAddress: shipAddress, items: [items[0], items[1]], shipment: part(.pending, 0)),
        FulfilmentOrder(orderId: "8a41c2d0-0000-4000-8000-000000000004", placedAt: fixtureDate.addingTimeInterval(3600), status: .shipped,
                        shippingAddress: ShippingAddress(street: "22 Baker Street", city: "London", zip: "NW1 6XE", country: "United Kingdom"),
                        items: [items[2]], shipment: part(.shipped, 2)),
        FulfilmentOrder(orderId: "5b3ffff3-0000-4000-8000-000000000002", placedAt: fixtureDate, status: .delivered,
                        shippingAddress: shipAddress, items: [items[0]], shipment: part(.delivered, 1)),
        FulfilmentOrder(orderId: "0d9e8f7a-0000-4000-8000-000000000005", placedAt: fixtureDate.addingTimeInterval(-3600), status: .cancelled,
                        shippingAddress: shipAddress, items: [items[1]], shipment: part(.pending, 0)),
    ]
}

/// Every order as an admin sees it: all lines, every part.
func fixtureAdminOrders() -> [FulfilmentOrder] {
    var items = fixtureCart().items
    items[0].vendorId = "vendor-1"
    items[1].vendorId = "vendor-1"
    items[2].vendorId = "vendor-2"
    return [
        FulfilmentOrder(orderId: "3cd0cfbe-1d80-440a-8547-917bd90731e3", placedAt: fixtureDate.addingTimeInterval(7200), status: .confirmed,
                        shippingAddress: shipAddress, items: items,
                        shipments: [Shipment(vendorId: "vendor-1", status: .pending), Shipment(vendorId: "vendor-2", status: .pending)]),
        FulfilmentOrder(orderId: "8a41c2d0-0000-4000-8000-000000000004", placedAt: fixtureDate.addingTimeInterval(3600), status: .confirmed,
                        shippingAddress: shipAddress, items: items,
                        shipments: [Shipment(vendorId: "vendor-1", status: .shipped, carrier: "DHL", trackingNumber: "1Z999AA10123456784",
                                             shippedAt: fixtureDate.addingTimeInterval(7200)),
                                    Shipment(vendorId: "vendor-2", status: .pending)]),
        FulfilmentOrder(orderId: "77aa0000-0000-4000-8000-000000000006", placedAt: fixtureDate, status: .pending,
                        shippingAddress: shipAddress, items: [items[0]], shipments: []),
    ]
}

/// On "Orders to ship" (a vendor, O on My products) or "All orders" (an admin, O on Low stock), its first page answered.
func fulfilmentModel(admin: Bool = false, orders: [FulfilmentOrder]? = nil, total: Int? = nil,
                     size: Size = standardSize, glyphs: Glyphs = .unicode) -> Model {
    let start = admin ? LowStockTests.lowStockModel(size: size, glyphs: glyphs) : VendorTests.vendorModel(size: size, glyphs: glyphs)
    let (opened, asked) = run(start, keys("O"))
    let rows = orders ?? (admin ? fixtureAdminOrders() : fixtureVendorOrders())
    let page = PageEnvelope(data: rows, pagination: Pagination(page: 1, limit: FulfilmentScreen.pageSize, total: total ?? rows.count))
    return run(opened, [.reply(asked.compactMap(\.sentRequest)[0].0, .success(page))]).0
}

@Suite("update: orders to ship and all orders")
struct FulfilmentTests {
    func screen(_ model: Model) throws -> FulfilmentScreen { try #require(model.screen as? FulfilmentScreen) }

    func bottom(_ model: Model) -> (status: String, keys: String) {
        let rows = view(model).text().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        return (rows[rows.count - 2], rows[rows.count - 1])
    }

    func sent(_ commands: [Command]) -> [AnyRequest] { commands.compactMap(\.sentRequest).map(\.1) }

    @Test func oOnMyProductsOpensTheVendorsOrdersToShip() throws {
        let (opened, asked) = run(VendorTests.vendorModel(), keys("O"))
        #expect(opened.screen.title == "Orders to ship")
        #expect(sent(asked) == [AnyRequest(FulfilmentScreen.page(1))])
        #expect(sent(asked).first?.description == "GET /api/orders/fulfilment?page=1&limit=50")
        #expect(opened.screen.busyLabel == "Loading orders to ship…")
        let model = fulfilmentModel()
        let text = view(model).text()
        #expect(text.contains("3cd0cfbe") && text.contains("Confirmed") && text.contains("To ship"))
        #expect(text.contains("8a41c2d0") && text.contains("Shipped"))
        #expect(text.contains("1 of 4"))
        // The selected order's address, lines and part below the list.
        #expect(text.contains("1 Rue Neuve, 69001 Lyon, France"))
        #expect(text.contains("2 × Spicy Olive Oil No. 1, 1 × Tetsubin Teapot 鉄瓶 No. 1"))
        #expect(text.contains("Your part") && text.contains("To ship"))
        #expect(bottom(model).keys.contains("s ship") && bottom(model).keys.contains("D delivered") && bottom(model).keys.contains("f status"))
        #expect(!bottom(model).keys.contains("x cancel"), "vendors do not cancel orders")
    }

    @Test func oIsFreeWhereItOpensTheOrdersAndNotTakenElsewhere() {
        // On My products, Low stock and Browse, O is the only binding of O; on Browse it opens the vendor's orders too.
        #expect(VendorScreen().keymap.bindings.filter { $0.keys.contains(.char("O")) }.count == 1)
        #expect(LowStockScreen().keymap.bindings.filter { $0.keys.contains(.char("O")) }.count == 1)
        let (browsing, _) = run(browsingModel(role: .vendor), keys("O"))
        #expect(browsing.screen.title == "Orders to ship")
        let (admin, asked) = run(LowStockTests.lowStockModel(), keys("O"))
        #expect(admin.screen.title == "All orders")
        #expect(sent(asked) == [AnyRequest(FulfilmentScreen.page(1))])
    }

    @Test func fStepsThroughTheStatusesAndAsksForEach() throws {
        var model = fulfilmentModel()
        let expected: [String?] = ["Confirmed", "Shipped", "Delivered", "Cancelled", nil]
        for status in expected {
            let (next, commands) = run(model, keys("f"))
            let query = (status.map { "status=\($0)&" } ?? "") + "page=1&limit=50"
            #expect(sent(commands).map(\.description) == ["GET /api/orders/fulfilment?\(query)"])
            #expect(try screen(next).filter?.rawValue == status)
            #expect(view(next).text().contains("Status: \(status ?? "all") (f)"))
            model = next
        }
        // An admin also sees the orders not paid yet.
        let (admin, commands) = run(fulfilmentModel(admin: true), keys("f"))
        #expect(sent(commands).map(\.description) == ["GET /api/orders/fulfilment?status=Pending&page=1&limit=50"])
        #expect(try screen(admin).filter == .pending)
    }

    @Test func anAnswerForTheFilterLeftBehindIsIgnored() throws {
        let (opened, asked) = run(VendorTests.vendorModel(), keys("O"))
        let (filtered, _) = run(opened, keys("f"))
        let stale = PageEnvelope(data: fixtureVendorOrders(), pagination: Pagination(page: 1, limit: 50, total: 4))
        let after = run(filtered, [.reply(asked.compactMap(\.sentRequest)[0].0, .success(stale))]).0
        #expect(try screen(after).orders.isEmpty)
        #expect(try screen(after).loaded == false)
    }

    @Test func sAsksForCarrierAndTrackingAndShipsThePart() throws {
        let (prompting, none) = run(fulfilmentModel(), keys("s"))
        #expect(none.isEmpty)
        #expect(try screen(prompting).shipPrompt != nil)
        #expect(prompting.screen.capturesText)
        #expect(bottom(prompting).keys.contains("Enter ship") && bottom(prompting).keys.contains("Tab next field"))
        #expect(view(prompting).text().contains("Carrier") && view(prompting).text().contains("Tracking"))
        let (sending, commands) = run(prompting, keys("DHL") + [key(.tab)] + keys("1Z999AA10123456784") + [key(.enter)])
        let request = try #require(commands.compactMap(\.sentRequest).first)
        #expect(request.1.calls(Endpoints.shipOrder))
        #expect(request.1.description == #"POST /api/orders/3cd0cfbe-1d80-440a-8547-917bd90731e3/shipments/ship {"carrier":"DHL","trackingNumber":"1Z999AA10123456784"}"#)
        #expect(view(sending).text().contains("Shipping order 3cd0cfbe…"))
        var shipped = fixtureVendorOrders()[0]
        shipped.status = .shipped
        shipped.shipment = Shipment(vendorId: "vendor-1", status: .shipped, carrier: "DHL", trackingNumber: "1Z999AA10123456784", shippedAt: fixtureDate)
        let (done, refresh) = run(sending, [.reply(request.0, .success(shipped))])
        #expect(bottom(done).status.contains("Order 3cd0cfbe: your part is shipped via DHL, tracking 1Z999AA10123456784."))
        #expect(try screen(done).orders[0].shipment?.status == .shipped)
        #expect(sent(refresh) == [AnyRequest(FulfilmentScreen.page(1))], "the list is read again")
        let row = view(done).text().split(separator: "\n").first { $0.contains("▶") } ?? ""
        #expect(row.contains("Shipped"))
    }

    @Test func blankFieldsShipWithNeitherAndEscShipsNothing() throws {
        let (_, commands) = run(fulfilmentModel(), keys("s") + [key(.enter)])
        #expect(sent(commands).map(\.description) == ["POST /api/orders/3cd0cfbe-1d80-440a-8547-917bd90731e3/shipments/ship {}"])
        let (cancelled, none) = run(fulfilmentModel(), keys("s") + keys("DHL") + [key(.escape)])
        #expect(none.isEmpty)
        #expect(try screen(cancelled).shipPrompt == nil)
        #expect(cancelled.screen is FulfilmentScreen, "Esc leaves the prompt, not the screen")
    }

    @Test func theSharedRulesCheckTheCarrierAndTrackingNumber() throws {
        let long = String(repeating: "x", count: InputRules.shipmentCarrier.maximum + 1)
        let (refused, none) = run(fulfilmentModel(), keys("s") + keys(long) + [key(.enter)])
        #expect(none.isEmpty)
        let problem = try #require(InputRules.shipmentCarrier.problem(long))
        #expect(try screen(refused).shipPrompt?.error == problem)
        #expect(bottom(refused).status.contains("Carrier must be at most 100 characters"))
        let tracking = String(repeating: "9", count: InputRules.trackingNumber.maximum + 1)
        let (refusedTracking, nothing) = run(fulfilmentModel(), keys("sDHL") + [key(.tab)] + keys(tracking) + [key(.enter)])
        #expect(nothing.isEmpty)
        #expect(bottom(refusedTracking).status.contains(InputRules.trackingNumber.problem(tracking)!))
        // Typing again clears the problem.
        let (typing, _) = run(refused, [key(.backspace)])
        #expect(try screen(typing).shipPrompt?.error == nil)
    }

    @Test func onlyAPartToShipShipsAndOnlyAShippedOneIsDelivered() throws {
        let model = fulfilmentModel()
        // The shipped order: s says so, D marks it delivered.
        let (onShipped, _) = run(model, [key(.down)])
        let (told, none) = run(onShipped, keys("s"))
        #expect(none.isEmpty)
        #expect(try screen(told).shipPrompt == nil)
        #expect(bottom(told).status.contains("Your part of order 8a41c2d0 has shipped already."))
        let (delivering, commands) = run(onShipped, keys("D"))
        let request = try #require(commands.compactMap(\.sentRequest).first)
        #expect(request.1.description == "POST /api/orders/8a41c2d0-0000-4000-8000-000000000004/shipments/deliver {}")
        var delivered = fixtureVendorOrders()[1]
        delivered.status = .delivered
        delivered.shipment?.status = .delivered
        let (done, _) = run(delivering, [.reply(request.0, .success(delivered))])
        #expect(bottom(done).status.contains("Order 8a41c2d0: your part is delivered."))
        // The part still to ship: D says it ships first.
        let (notYet, nothing) = run(model, keys("D"))
        #expect(nothing.isEmpty)
        #expect(bottom(notYet).status.contains("Only a shipped part can be marked delivered"))
        // A cancelled order ships nothing.
        let (cancelled, _) = run(model, [key(.end), key(.char("s"))])
        #expect(bottom(cancelled).status.contains("Order 0d9e8f7a is cancelled: there is nothing to ship."))
    }

    @Test func refusalsAreToldByTheirCodeNeverByTheServersWords() throws {
        let (onShipped, _) = run(fulfilmentModel(), [key(.down)])
        let (delivering, commands) = run(onShipped, keys("D"))
        let id = try #require(commands.compactMap(\.sentRequest).first).0
        let refusal = APIError.server(code: .shipmentNotAllowed, message: "SERVER WORDS", fieldErrors: [])
        let (refused, reload) = run(delivering, [.reply(id, .failure(refusal))])
        #expect(bottom(refused).status.contains("Your part of order 8a41c2d0 is not shipped, so it cannot be marked delivered."))
        #expect(!view(refused).text().contains("SERVER WORDS"))
        #expect(sent(reload) == [AnyRequest(FulfilmentScreen.page(1))], "the order as it stands now")
        for (code, words) in [(ErrorCode.orderNotShippable, "is not Confirmed"), (.forbidden, "may not deliver"), (.conflict, "(conflict)")] {
            let (told, _) = run(delivering, [.reply(id, .failure(.server(code: code, message: "SERVER WORDS", fieldErrors: [])))])
            #expect(bottom(told).status.contains(words), "\(code)")
            #expect(!view(told).text().contains("SERVER WORDS"))
        }
        let (shipping, asked) = run(fulfilmentModel(), keys("s") + [key(.enter)])
        let shipID = try #require(asked.compactMap(\.sentRequest).first).0
        let (already, _) = run(shipping, [.reply(shipID, .failure(.server(code: .shipmentNotAllowed, message: "SERVER WORDS", fieldErrors: [])))])
        #expect(bottom(already).status.contains("Your part of order 3cd0cfbe has shipped already."))
        let listFailure = APIError.server(code: .internal, message: "SERVER WORDS", fieldErrors: [])
        let (opened, first) = run(VendorTests.vendorModel(), keys("O"))
        let failed = run(opened, [.reply(first.compactMap(\.sentRequest)[0].0, .failure(listFailure))]).0
        #expect(bottom(failed).status.contains("The orders could not be read (internal). Press r to try again."))
        let busy = run(opened, [.reply(first.compactMap(\.sentRequest)[0].0, .failure(.server(code: .unavailable, message: "SERVER WORDS", fieldErrors: [])))]).0
        #expect(bottom(busy).status.contains("The shop did not answer in time (unavailable). Press r to try again."))
        let (retrying, again) = run(busy, keys("r"))
        #expect(sent(again) == [AnyRequest(FulfilmentScreen.page(1))])
        #expect(retrying.screen.status == nil)
    }

    @Test func itRefreshesEveryFewSecondsKeepingTheSelectedOrder() throws {
        var model = fulfilmentModel()
        model = run(model, [key(.down), key(.down), .tick(1000)]).0
        let (quiet, none) = run(model, [.tick(1000 + FulfilmentScreen.refreshSeconds - 1)])
        #expect(none.isEmpty)
        let (refreshing, due) = run(quiet, [.tick(1000 + FulfilmentScreen.refreshSeconds + 1)])
        #expect(sent(due) == [AnyRequest(FulfilmentScreen.page(1))])
        #expect(refreshing.screen.busyLabel == nil, "a refresh is quiet")
        // A newer order arrived: the delivered order stays selected.
        var rows = fixtureVendorOrders()
        var newer = rows[0]
        newer.orderId = "ffff0000-0000-4000-8000-000000000007"
        newer.placedAt = fixtureDate.addingTimeInterval(9000)
        rows.insert(newer, at: 0)
        let fresh = run(refreshing, [.reply(due.compactMap(\.sentRequest)[0].0, .success(PageEnvelope(data: rows, pagination: Pagination(page: 1, limit: 50, total: 5))))]).0
        let screen = try screen(fresh)
        #expect(screen.list.selected == 3 && screen.orders[3].orderId.hasPrefix("5b3ffff3"))
        #expect(view(fresh).text().contains("4 of 5"))
        // No refresh while the ship prompt is open.
        let (prompting, _) = run(fresh, [key(.home), key(.char("s"))])
        #expect(run(prompting, [.tick(5000)]).1.isEmpty)
    }

    @Test func itLoadsTheNextPageAtTheEndOfTheList() throws {
        let rows = (0..<50).map { index -> FulfilmentOrder in
            var order = fixtureVendorOrders()[0]
            order.orderId = String(format: "%08d-0000-4000-8000-000000000000", index)
            order.placedAt = fixtureDate.addingTimeInterval(Double(60 - index) * 60)
            return order
        }
        let model = fulfilmentModel(orders: rows, total: 60)
        #expect(view(model).text().contains("1 of 60"))
        let (atEnd, more) = run(model, [key(.end)])
        #expect(sent(more) == [AnyRequest(FulfilmentScreen.page(2))])
        #expect(atEnd.screen.busyLabel == "Loading more…")
        let (wheeled, _) = run(model, [.scroll(3)])
        #expect(try screen(wheeled).list.selected == 3)
    }

    @Test func anAdminSeesEveryPartAndCancelsAnOrderAskingFirst() throws {
        let model = fulfilmentModel(admin: true)
        let text = view(model).text()
        #expect(model.screen.title == "All orders")
        #expect(text.contains("0/2 sent") && text.contains("1/2 sent"))
        #expect(text.contains("Spicy Olive Oil No.…: To ship") && text.contains("Wireless Mechanical…: To ship"))
        #expect(bottom(model).keys.contains("x cancel order") && !bottom(model).keys.contains("s ship"))
        #expect(run(model, keys("s")).1.isEmpty, "an admin ships nothing from here")
        let (asking, none) = run(model, keys("x"))
        #expect(none.isEmpty)
        #expect(bottom(asking).status.contains("Cancel order 3cd0cfbe and refund the shopper $154.49? y/n"))
        let (kept, nothing) = run(asking, keys("n"))
        #expect(nothing.isEmpty)
        #expect(try screen(kept).confirmingCancel == false)
        let (sending, commands) = run(asking, keys("y"))
        let request = try #require(commands.compactMap(\.sentRequest).first)
        #expect(request.1.calls(Endpoints.cancelOrder))
        #expect(request.1.description == "POST /api/orders/3cd0cfbe-1d80-440a-8547-917bd90731e3/cancel")
        let key = try #require(request.1.header("Idempotency-Key"))
        #expect(InputRules.isIdempotencyKey(key) && key.hasPrefix("storefront-cancel-3cd0cfbe"))
        #expect(request.1 == AnyRequest(OrderDetailScreen.cancel("3cd0cfbe-1d80-440a-8547-917bd90731e3", idempotencyKey: key)), "the shopper's own request")
        var cancelled = fixtureOrders()[0]
        cancelled.status = .cancelled
        let (done, refresh) = run(sending, [.reply(request.0, .success(cancelled))])
        #expect(bottom(done).status.contains("Order 3cd0cfbe is cancelled and $154.49 refunded."))
        #expect(sent(refresh) == [AnyRequest(FulfilmentScreen.page(1))])
        // A second confirmation is a new request, with a key of its own.
        let (_, again) = run(done, keys("xy"))
        #expect(try #require(again.compactMap(\.sentRequest).first).1.header("Idempotency-Key") != key)
    }

    @Test func anOrderWithAPartShippedIsNotOfferedForCancelling() throws {
        let (told, none) = run(fulfilmentModel(admin: true), [key(.down), key(.char("x"))])
        #expect(none.isEmpty)
        #expect(try screen(told).confirmingCancel == false)
        #expect(bottom(told).status.contains("Order 8a41c2d0 cannot be cancelled"))
        let (sending, commands) = run(fulfilmentModel(admin: true), keys("xy"))
        let id = try #require(commands.compactMap(\.sentRequest).first).0
        let (refused, reload) = run(sending, [.reply(id, .failure(.server(code: .orderNotCancellable, message: "SERVER WORDS", fieldErrors: [])))])
        #expect(bottom(refused).status.contains("Order 3cd0cfbe can no longer be cancelled: a part of it has shipped."))
        #expect(sent(reload) == [AnyRequest(FulfilmentScreen.page(1))])
    }
}
