import Foundation
import MarketplaceAPI
import Testing
@testable import StorefrontCore

@Suite("components: the scrolling list")
struct ListTests {
    @Test func theSelectionStaysOnShowWalkingDownAndUp57RowsInATenRowWindow() {
        var list = List(count: 57)
        for expected in 1...56 {
            list.move(.down, rows: 10)
            #expect(list.selected == expected)
            #expect(list.visible(rows: 10).contains(list.selected))
            #expect(list.visible(rows: 10).count == 10)
        }
        list.move(.down, rows: 10)
        #expect(list.selected == 56 && list.visible(rows: 10) == 47..<57)
        // Back up inside the window: it stays put until the selection reaches its top.
        for _ in 1...9 { list.move(.up, rows: 10) }
        #expect(list.selected == 47 && list.visible(rows: 10) == 47..<57)
        list.move(.up, rows: 10)
        #expect(list.selected == 46 && list.visible(rows: 10) == 46..<56)
    }

    @Test func pageDownEndAndHome() {
        var list = List(count: 57)
        list.move(.pageDown, rows: 10)
        #expect(list.selected == 10 && list.visible(rows: 10) == 10..<20)
        list.move(.pageDown, rows: 10)
        #expect(list.selected == 20 && list.visible(rows: 10) == 20..<30)
        list.move(.pageUp, rows: 10)
        #expect(list.selected == 10 && list.visible(rows: 10) == 10..<20)
        list.move(.bottom, rows: 10)
        #expect(list.selected == 56 && list.visible(rows: 10) == 47..<57)
        list.move(.pageDown, rows: 10)
        #expect(list.selected == 56 && list.visible(rows: 10) == 47..<57)
        list.move(.top, rows: 10)
        #expect(list.selected == 0 && list.visible(rows: 10) == 0..<10)
        list.move(.pageUp, rows: 10)
        #expect(list.selected == 0 && list.visible(rows: 10) == 0..<10)
    }

    @Test func anEmptyListHasNoSelectionAndIgnoresMoves() {
        var list = List()
        for move in [List.Move.down, .up, .pageDown, .pageUp, .bottom, .top] { list.move(move, rows: 10) }
        #expect(list.selection == nil && list.selected == 0)
        #expect(list.visible(rows: 10).isEmpty)
        #expect(list.index(atRow: 0, rows: 10) == nil)
    }

    @Test func aShorterReloadKeepsTheSelectionInsideAndAWindowThatShrinksStillShowsIt() {
        var list = List(count: 57)
        list.move(.bottom, rows: 10)
        list.reset(count: 5)
        #expect(list.selected == 4 && list.visible(rows: 10) == 0..<5)
        list.reset(count: 57)
        list.select(30, rows: 20)
        #expect(list.visible(rows: 4).contains(30))  // the terminal got smaller
        #expect(list.index(atRow: 0, rows: 20) == list.first(rows: 20))
        #expect(list.index(atRow: 20, rows: 20) == nil)
    }

    @Test func everyListScreenMovesWithTheSameKeys() {
        let shared: [(Key, List.Move)] = [(.char("k"), .up), (.up, .up), (.char("j"), .down), (.down, .down),
                                          (.char("g"), .top), (.home, .top), (.char("G"), .bottom), (.end, .bottom)]
        let paging: [(Key, List.Move)] = [(.pageUp, .pageUp), (.pageDown, .pageDown)]
        func moves<Action>(_ keymap: Keymap<Action>, _ move: (Action) -> List.Move?) -> [Key: List.Move] {
            var found: [Key: List.Move] = [:]
            for (key, _) in shared + paging { if let action = keymap.action(for: key), let m = move(action) { found[key] = m } }
            return found
        }
        let expected = Dictionary(uniqueKeysWithValues: shared + paging)
        let sharedOnly = Dictionary(uniqueKeysWithValues: shared)
        #expect(moves(OrdersScreen().keymap) { if case .move(let m) = $0 { m } else { nil } } == expected)
        #expect(moves(CartScreen().keymap) { if case .move(let m) = $0 { m } else { nil } } == expected)
        #expect(moves(LowStockScreen().keymap) { if case .move(let m) = $0 { m } else { nil } } == expected)
        #expect(moves(VendorScreen().keymap) { if case .move(let m) = $0 { m } else { nil } } == expected)
        #expect(moves(ProfileScreen().addressKeymap) { if case .move(let m) = $0 { m } else { nil } } == expected)
        #expect(moves(BrowseScreen().keymap) { if case .move(let m) = $0 { m } else { nil } } == expected)
        _ = sharedOnly
    }

    @Test func aLongOrderHistoryScrollsSoTheSelectedOrderShows() throws {
        let list = run(browsingModel(), [key(.char("o"))]).0
        let template = fixtureOrders()[0]
        let orders = (0..<57).map { index in
            var order = template
            order.id = String(format: "%08d-0000-4000-8000-000000000000", index)
            order.createdAt = fixtureDate.addingTimeInterval(Double(57 - index) * 60)
            return order
        }
        let page = PageEnvelope(data: orders, pagination: Pagination(page: 1, limit: 50, total: 57))
        let loaded = run(list, [.reply(list.nextRequestID - 1, .success(page))]).0
        let last = run(loaded, [key(.char("G"))]).0
        let text = view(last).text()
        #expect((last.screen as! OrdersScreen).list.selected == 56)
        #expect(text.split(separator: "\n").contains { $0.contains("▶") && $0.contains("00000056") })
        let (down, _) = run(loaded, [key(.pageDown), key(.down)])
        #expect(view(down).text().split(separator: "\n").contains { $0.contains("▶") && $0.contains(String(format: "%08d", (down.screen as! OrdersScreen).list.selected)) })
    }
}
