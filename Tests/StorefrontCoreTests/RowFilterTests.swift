import MarketplaceAPI
import Testing
@testable import StorefrontCore

/// `/` on the list screens: a filter over the rows loaded, typed to narrow,
/// Enter keeps it, Esc clears it; the server is not asked.
@Suite("update: / filters the lists")
struct RowFilterTests {
    func sent(_ commands: [Command]) -> [AnyRequest] { commands.compactMap(\.sentRequest).map(\.1) }

    /// The list rows on show: the lines with a selection marker or the indent of a row.
    func count(_ model: Model) -> Int {
        switch model.screen {
        case let screen as OrdersScreen: screen.list.count
        case let screen as VendorScreen: screen.list.count
        case let screen as LowStockScreen: screen.list.count
        case let screen as FulfilmentScreen: screen.list.count
        default: -1
        }
    }

    @Test func theFilterMatchesEveryWordCaseAndAccentsAside() {
        var filter = RowFilter()
        filter.start()
        for character in "creme TORCH" { _ = filter.handle(.char(character)) }
        #expect(filter.matches(["Crème Brûlée Torch No. 1", "Kitchen"]))
        #expect(!filter.matches(["Crème Brûlée No. 1"]))
        #expect(filter.indices(["a", "Crème Torch", "b"]) { [$0] } == [1])
        #expect(!filter.handle(.enter) && filter.isActive && !filter.isEditing)
        var cleared = filter
        #expect(cleared.clear() && !cleared.isActive)
    }

    @Test func ordersNarrowAsTypedEnterKeepsEscClearsThenGoesBack() throws {
        let model = GoldenTests.Scene.orders.model(standardSize, .unicode)
        #expect(count(model) == 2)
        let (typing, none) = run(model, keys("/canc"))
        #expect(none.isEmpty, "a local filter asks the server nothing")
        #expect(typing.screen.capturesText)
        #expect(count(typing) == 1)
        let text = view(typing).text()
        #expect(text.contains("Filter: canc") && text.contains("5b3ffff3") && !text.contains("3cd0cfbe"))
        #expect(text.contains("Enter keep filter"))
        // Enter keeps it: the list's keys again, q and ? too.
        let kept = run(typing, [key(.enter)]).0
        #expect(!kept.screen.capturesText && count(kept) == 1)
        #expect(view(kept).text().contains("Filter \"canc\"") && view(kept).text().contains("Esc clear filter"))
        let detail = run(kept, [key(.enter)]).0
        #expect((detail.screen as? OrderDetailScreen)?.order.id.hasPrefix("5b3ffff3") == true)
        // Esc clears it, and Esc again goes back.
        let cleared = run(kept, [key(.escape)]).0
        #expect(cleared.screen is OrdersScreen && count(cleared) == 2)
        #expect(view(cleared).text().contains("1 of 2") || view(cleared).text().contains("of 2"))
        #expect(run(cleared, [key(.escape)]).0.screen is BrowseScreen)
        // Esc while typing clears too; nothing matching says so.
        let nothing = run(model, keys("/zzz")).0
        #expect(count(nothing) == 0 && view(nothing).text().contains("No order loaded matches the filter."))
        #expect(count(run(nothing, [key(.escape)]).0) == 2)
        // By order number as well.
        #expect(count(run(model, keys("/3cd0")).0) == 1)
    }

    @Test func myProductsFilterByNameAndCategory() {
        let model = VendorTests.vendorModel()
        #expect(count(model) == 3)
        let (kitchen, none) = run(model, keys("/kitchen") + [key(.enter)])
        #expect(none.isEmpty && count(kitchen) == 2)
        let teapot = run(model, keys("/teapot")).0
        #expect(count(teapot) == 1)
        // The selection is the row on show: Enter edits the teapot.
        let editing = run(teapot, [key(.enter), key(.enter)]).0
        #expect(editing.screen is ProductFormScreen)
        #expect((editing.screen as! ProductFormScreen).editing?.name.hasPrefix("Tetsubin") == true)
    }

    @Test func lowStockFiltersByNameAndStatus() {
        let model = LowStockTests.lowStockModel()
        #expect(count(model) == 2)
        #expect(count(run(model, keys("/brulee")).0) == 1)
        let out = run(model, keys("/out") + [key(.enter)]).0
        let screen = out.screen as! LowStockScreen
        #expect(count(out) == 1 && screen.levels[screen.shown[0]].quantity == 0)
        // Restock applies to the row on show.
        let (_, asked) = run(out, [key(.enter)] + keys("5") + [key(.enter)])
        let restocked = sent(asked).first
        #expect(restocked == AnyRequest(.data(Endpoints.addStock, body: AddStockRequest(productId: screen.levels[screen.shown[0]].productId, quantity: 5))))
    }

    @Test func ordersToShipAndAllOrdersFilterByStatusIdItemAndCity() {
        let vendor = fulfilmentModel()
        #expect(count(vendor) == 4)
        #expect(count(run(vendor, keys("/london")).0) == 1)
        #expect(count(run(vendor, keys("/shipped")).0) == 1)
        let toShip = run(vendor, keys("/to ship") + [key(.enter)]).0
        #expect(count(toShip) == 1 && view(toShip).text().contains("Filter \"to ship\""))
        // s ships the row on show.
        #expect((toShip.screen as! FulfilmentScreen).selected?.orderId.hasPrefix("3cd0cfbe") == true)
        let admin = fulfilmentModel(admin: true)
        #expect(count(admin) == 3)
        let pending = run(admin, keys("/pending")).0
        #expect(count(pending) >= 1)
        #expect(count(run(admin, keys("/77aa")).0) == 1)
        // The status filter (f) and the text filter are two things: f still steps the status.
        #expect(count(run(admin, keys("/77aa") + [key(.escape)]).0) == 3)
    }
}
