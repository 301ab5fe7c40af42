import MarketplaceAPI
import Testing
@testable import StorefrontCore

/// Prices up to the largest the rules allow fit their columns, abbreviated
/// readably (never cut to `$99999999…`).
@Suite("price columns: the largest prices")
struct PriceColumnTests {
    static let largest = InputRules.maximumPrice
    static let sizes = [Size(width: 60, height: 20), Size(width: 80, height: 24), Size(width: 120, height: 40)]

    @Test func aPriceThatFitsIsShownExactly() {
        #expect(Money("24.50")!.display(fitting: 10) == "$24.50")
        #expect(Money("999999.99")!.display(fitting: 10) == "$999999.99")
        #expect(Self.largest.display(fitting: 12) == "$99999999.99")
    }

    @Test func aPriceTooWideIsAbbreviatedRoundedDown() {
        #expect(Self.largest.display(fitting: 10) == "$99.99M")
        #expect(Self.largest.display(fitting: 6) == "$99.9M")
        #expect(Self.largest.display(fitting: 5) == "$99M")
        #expect(Money("1234567.89")!.display(fitting: 8) == "$1.23M")
        #expect(Money("12345678.00")!.display(fitting: 10) == "$12.34M")
        #expect(Money("12300000.00")!.display(fitting: 10) == "$12.3M")
        #expect((Self.largest * 1000).display(fitting: 11) == "$99.99B")
        #expect((Self.largest * 1_000_000).display(fitting: 11) == "$99.99T")
        #expect(Money("1500.25")!.display(fitting: 6) == "$1.5K")
        // Never more than the amount: $999,999.99 is not "$1M".
        #expect(Money("999999.99")!.display(fitting: 8) == "$999.99K")
    }

    /// The frame's lines that contain `text`.
    func rows(_ model: Model, containing text: String) -> [String] {
        view(model).text().split(separator: "\n").map(String.init).filter { $0.contains(text) && $0.contains("$") }
    }

    func expectFits(_ model: Model, row name: String, shows expected: [String], _ place: String) {
        let lines = rows(model, containing: name)
        #expect(!lines.isEmpty, "\(place): no row of \(name)")
        for line in lines.prefix(1) {
            for text in expected { #expect(line.contains(text), "\(place): \(line)") }
            #expect(!line.contains("$99999999") || line.contains("$99999999.99"), "\(place): a price cut short: \(line)")
        }
    }

    @Test func browse() {
        for size in Self.sizes {
            var model = browsingModel(size: size)
            var screen = model.screen as! BrowseScreen
            screen.products[0].price = Self.largest
            model.screen = screen
            expectFits(model, row: "Spicy Olive Oil", shows: ["$99.99M"], "browse \(size.width)×\(size.height)")
        }
    }

    @Test func cart() {
        for size in Self.sizes {
            var model = GoldenTests.Scene.cart.model(size, .unicode)
            var screen = model.screen as! CartScreen
            let line = LineItem(productId: "p000", name: "Spicy Olive Oil No. 1", price: Self.largest, quantity: 1000)
            screen.cart!.items[0] = line
            screen.cart!.totalPrice = screen.cart!.items.reduce(Money.zero) { $0 + $1.subtotal }
            model.screen = screen
            expectFits(model, row: "Spicy Olive Oil", shows: ["$99.99M", "1000", "$99.99B"], "cart \(size.width)×\(size.height)")
            // The total stays exact.
            #expect(view(model).text().contains("Total \(screen.cart!.totalPrice.display)"))
        }
    }

    @Test func orders() {
        for size in Self.sizes {
            var model = GoldenTests.Scene.orders.model(size, .unicode)
            var screen = model.screen as! OrdersScreen
            screen.orders[0].totalAmount = Self.largest * 1000
            model.screen = screen
            let id = String(screen.orders[0].id.prefix(8))
            let text = view(model).text()
            let line = text.split(separator: "\n").map(String.init).first { $0.contains("$99.99B") }
            #expect(line != nil, "orders \(size.width)×\(size.height): \(text)")
            #expect(!text.contains("$9999999"), "orders \(size.width)×\(size.height)")
            _ = id
        }
    }

    @Test func vendorProducts() {
        for size in Self.sizes {
            var model = GoldenTests.Scene.vendor.model(size, .unicode)
            var screen = model.screen as! VendorScreen
            screen.products[0].price = Self.largest
            let name = String(screen.products[0].name.prefix(10))
            model.screen = screen
            expectFits(model, row: name, shows: ["$99.99M"], "vendor products \(size.width)×\(size.height)")
        }
    }
}
