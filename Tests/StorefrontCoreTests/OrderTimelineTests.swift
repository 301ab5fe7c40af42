import Foundation
import MarketplaceAPI
import Testing
@testable import StorefrontCore

/// Ann's first order in two parts: vendor-1's (two lines) and vendor-2's (one line), as `parts` stand.
func fixturePartsOrder(_ parts: [Shipment], status: OrderStatus = .confirmed, refund: OrderRefund? = nil) -> Order {
    var order = fixtureOrders()[0]
    order.items[0].vendorId = "vendor-1"
    order.items[1].vendorId = "vendor-1"
    order.items[2].vendorId = "vendor-2"
    order.shipments = parts
    order.status = status
    order.refund = refund
    order.updatedAt = fixtureDate.addingTimeInterval(5 * 3600)
    return order
}

let shippedPart = Shipment(vendorId: "vendor-1", status: .shipped, carrier: "DHL", trackingNumber: "1Z999AA10123456784",
                           shippedAt: fixtureDate.addingTimeInterval(3 * 3600))
let deliveredPart = Shipment(vendorId: "vendor-2", status: .delivered, carrier: "La Poste", trackingNumber: "LP123",
                             shippedAt: fixtureDate.addingTimeInterval(4 * 3600), deliveredAt: fixtureDate.addingTimeInterval(30 * 3600))

/// One part shipped with carrier and tracking number, the other still to ship.
func fixtureShippingOrder() -> Order {
    fixturePartsOrder([shippedPart, Shipment(vendorId: "vendor-2", status: .pending)])
}

/// Cancelled after it was paid, and refunded.
func fixtureRefundedOrder() -> Order {
    fixturePartsOrder([Shipment(vendorId: "vendor-1", status: .pending), Shipment(vendorId: "vendor-2", status: .pending)], status: .cancelled,
                      refund: OrderRefund(transactionId: "fb1d779b-f9d6-4a93-b70d-6d602667376b", amount: Money("154.49")!,
                                          refundedAt: fixtureDate.addingTimeInterval(5 * 3600)))
}

/// Signed in as Ann, on the detail of `order` (the first row of her list), its reload answered.
func orderDetailModel(order: Order, size: Size = standardSize, glyphs: Glyphs = .unicode) -> Model {
    var orders = fixtureOrders()
    orders[0] = order
    let (list, asked) = run(browsingModel(size: size, glyphs: glyphs), keys("o"))
    let page = PageEnvelope(data: orders, pagination: Pagination(page: 1, limit: 50, total: orders.count))
    let loaded = run(list, [.reply(asked.compactMap(\.sentRequest)[0].0, .success(page))]).0
    let (detail, reload) = run(loaded, [key(.enter)])
    return run(detail, [.reply(reload.compactMap(\.sentRequest)[0].0, .success(order))]).0
}

@Suite("update: an order's timeline and the orders list refreshing")
struct OrderTimelineTests {
    func detail(_ model: Model) throws -> OrderDetailScreen { try #require(model.screen as? OrderDetailScreen) }

    func keyBar(_ model: Model) -> String { view(model).text().split(separator: "\n", omittingEmptySubsequences: false).last.map(String.init) ?? "" }

    @Test func anOrderNotPaidYetHasNoTimelineBelowItsStatus() throws {
        let model = orderDetailModel(.pending)
        #expect(try detail(model).timeline.isEmpty)
        #expect(!view(model).text().contains("Paid and confirmed"))
    }

    @Test func aPartShippedShowsItsCarrierAndTrackingAndXIsGone() throws {
        let model = orderDetailModel(order: fixtureShippingOrder())
        let texts = try detail(model).timeline.map(\.text)
        #expect(texts == ["Placed", "Paid and confirmed",
                          "Shipped via DHL, tracking 1Z999AA10123456784: Spicy Olive Oil No. 1 + 1 more",
                          "To ship: Wireless Mechanical Keyboard with Extra-Long Braided Cable No. 1"])
        let text = view(model).text()
        #expect(text.contains("2026-09-21 15:13  Placed"))
        #expect(text.contains("2026-09-21 17:13  Shipped via DHL, tracking 1Z999AA10123456784: Spicy Olive"))
        // At 60 columns the words wrap rather than lose the tracking number.
        #expect(view(orderDetailModel(order: fixtureShippingOrder(), size: Size(width: 60, height: 20))).text().contains("1Z999AA10123456784"))
        // A part has shipped: the order can no longer be cancelled, and x is offered nowhere.
        #expect(try detail(model).cancellable == false)
        #expect(!keyBar(model).contains("x cancel"))
        #expect(try !detail(model).keyHelp.contains { $0.keys == "x" })
        #expect(run(model, keys("x")).1.isEmpty)
        #expect(try detail(run(model, keys("x")).0).confirmingCancel == false)
    }

    @Test func aConfirmedOrderWhosePartsAreAllToShipMayStillBeCancelled() throws {
        let model = orderDetailModel(order: fixturePartsOrder([Shipment(vendorId: "vendor-1", status: .pending), Shipment(vendorId: "vendor-2", status: .pending)]))
        #expect(try detail(model).cancellable)
        #expect(keyBar(model).contains("x cancel order"))
    }

    @Test func deliveredPartsAndASingleVendorsPartReadPlainly() throws {
        var order = fixturePartsOrder([deliveredPart], status: .delivered)
        order.items = [order.items[2]]
        let texts = try detail(orderDetailModel(order: order)).timeline.map(\.text)
        #expect(texts == ["Placed", "Paid and confirmed", "Shipped via La Poste, tracking LP123", "Delivered"])
        let both = try detail(orderDetailModel(order: fixturePartsOrder([shippedPart, deliveredPart], status: .shipped))).timeline
        #expect(both.map(\.text).suffix(3) == ["Shipped via DHL, tracking 1Z999AA10123456784: Spicy Olive Oil No. 1 + 1 more",
                                              "Shipped via La Poste, tracking LP123: Wireless Mechanical Keyboard with Extra-Long Braided Cable No. 1",
                                              "Delivered: Wireless Mechanical Keyboard with Extra-Long Braided Cable No. 1"])
        #expect(both.compactMap(\.date) == both.compactMap(\.date).sorted(), "oldest first")
    }

    @Test func aCancelledOrderShowsItsRefundWithAmountAndTime() throws {
        let model = orderDetailModel(order: fixtureRefundedOrder())
        let events = try detail(model).timeline
        #expect(events.map(\.text) == ["Placed", "Paid and confirmed", "Cancelled", "Refunded $154.49 (payment fb1d779b)"])
        #expect(events.last?.date == fixtureDate.addingTimeInterval(5 * 3600))
        #expect(view(model).text().contains("2026-09-21 19:13  Refunded $154.49 (payment fb1d779b)"))
        #expect(!keyBar(model).contains("x cancel"))
    }

    @Test func aShortWindowShowsTheLatestMomentsAndOneRowOfItems() throws {
        let model = orderDetailModel(order: fixturePartsOrder([shippedPart, deliveredPart], status: .shipped), size: Size(width: 60, height: 20))
        let screen = try detail(model)
        let area = Layout.content(Size(width: 60, height: 20))
        #expect(screen.rows(area) >= 1)
        #expect(screen.timelineLines(area).count > area.height - 10, "more than fits")
        #expect(screen.timelineRows(area) == area.height - 10)
        #expect(screen.rows(area) + screen.timelineRows(area) + 9 <= area.height)
        let text = view(model).text()
        #expect(text.contains("Delivered: Wireless"), "the latest moment shows")
        #expect(text.contains("4 earlier lines"))
    }

    @Test func theDetailReadsTheOrderAgainEveryFewSeconds() throws {
        var model = orderDetailModel(.confirmed)
        model = run(model, [.tick(100)]).0
        #expect(run(model, [.tick(100 + OrdersScreen.refreshSeconds - 1)]).1.isEmpty)
        let (refreshing, due) = run(model, [.tick(100 + OrdersScreen.refreshSeconds + 1)])
        let request = try #require(due.compactMap(\.sentRequest).first)
        #expect(request.1 == AnyRequest(.data(Endpoints.order, fixtureOrders()[0].id)))
        #expect(refreshing.screen.busyLabel == nil)
        let shown = run(refreshing, [.reply(request.0, .success(fixtureShippingOrder()))]).0
        #expect(view(shown).text().contains("Shipped via DHL, tracking 1Z999AA10123456784"))
        #expect(!keyBar(shown).contains("x cancel"))
        // While the shopper is asked to confirm a cancellation, nothing refreshes.
        let (asking, _) = run(model, keys("x"))
        #expect(run(asking, [.tick(1000)]).1.isEmpty)
    }

    @Test func theOrdersListRefreshesStatusesKeepingTheSelection() throws {
        var orders = fixtureOrders()
        let (list, asked) = run(browsingModel(), keys("o"))
        var model = run(list, [.reply(asked.compactMap(\.sentRequest)[0].0, .success(PageEnvelope(data: orders, pagination: Pagination(page: 1, limit: 50, total: 2)))),
                               key(.down), .tick(50)]).0
        #expect(run(model, [.tick(50 + OrdersScreen.refreshSeconds - 1)]).1.isEmpty)
        let (refreshing, due) = run(model, [.tick(50 + OrdersScreen.refreshSeconds)])
        #expect(due.compactMap(\.sentRequest).map(\.1) == [AnyRequest(OrdersScreen.page(1))])
        #expect(refreshing.screen.busyLabel == nil, "a refresh is quiet")
        // The first order shipped, and one was placed meanwhile.
        orders[0].status = .shipped
        var placed = orders[0]
        placed.id = "9e9e9e9e-0000-4000-8000-000000000009"
        placed.status = .pending
        placed.createdAt = fixtureDate.addingTimeInterval(7200)
        model = run(refreshing, [.reply(due.compactMap(\.sentRequest)[0].0,
                                        .success(PageEnvelope(data: [placed] + orders, pagination: Pagination(page: 1, limit: 50, total: 3))))]).0
        let screen = try #require(model.screen as? OrdersScreen)
        #expect(screen.orders.map(\.id) == [placed.id, orders[0].id, orders[1].id])
        #expect(screen.orders[1].status == .shipped)
        #expect(screen.list.selected == 2, "the cancelled order is still the one selected")
        let text = view(model).text()
        #expect(text.contains("3 of 3"))
        #expect(text.split(separator: "\n").contains { $0.contains("3cd0cfbe") && $0.contains("Shipped") })
        #expect(text.split(separator: "\n").contains { $0.contains("▶") && $0.contains("5b3ffff3") })
    }

    @Test func aFailedRefreshChangesNothingAndTheNextOneComes() throws {
        let (list, asked) = run(browsingModel(), keys("o"))
        let model = run(list, [.reply(asked.compactMap(\.sentRequest)[0].0, .success(PageEnvelope(data: fixtureOrders(), pagination: Pagination(page: 1, limit: 50, total: 2)))),
                               .tick(10)]).0
        let (refreshing, due) = run(model, [.tick(20)])
        let failed = run(refreshing, [.reply(due.compactMap(\.sentRequest)[0].0, .failure(.unreachable(server: "http://127.0.0.1:9", reason: "connection refused")))]).0
        #expect(failed.screen.status == nil)
        #expect((failed.screen as? OrdersScreen)?.orders == fixtureOrders())
        #expect(run(failed, [.tick(30)]).1.compactMap(\.sentRequest).map(\.1) == [AnyRequest(OrdersScreen.page(1))])
    }
}
