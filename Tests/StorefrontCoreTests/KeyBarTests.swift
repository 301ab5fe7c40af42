import MarketplaceAPI
import Testing
@testable import StorefrontCore

/// Every screen's primary action stays in its key bar at 60 and 80 columns:
/// a short bar drops other keys first.
@Suite("key bar: the primary action is never cut off")
struct KeyBarTests {
    static let sizes = [Size(width: 60, height: 20), Size(width: 80, height: 24)]

    /// The key bar: the frame's last row.
    static func bar(_ model: Model) -> String {
        view(model).line(model.size.height - 1)
    }

    /// What each screen is for, as its bar must show it.
    static let expected: [GoldenTests.Scene: String] = [
        .browse: "Enter open",
        .browseVendor: "Enter open",
        .browseSearch: "Enter search",
        .browseCategory: "Enter apply",
        .product: "Enter add to cart",
        .cart: "Enter checkout",
        .checkout: "Enter place order",
        .checkoutSaveAddress: "Enter place order",
        .placed: "Enter keep shopping",
        .orders: "Enter details",
        .loginEmpty: "Enter sign in",
        .register: "Enter create account",
        .profile: "Enter save",
        .profileAddresses: "Enter edit",
        .addressFormErrors: "Enter save",
        .vendor: "Enter edit",
        .productForm: "Enter save",
        .lowStock: "Enter add units",
        .vendorOrders: "s ship",
        .vendorOrdersShip: "Enter ship",
        .adminOrders: "x cancel order",
    ]

    @Test(arguments: Array(expected.keys).sorted { $0.rawValue < $1.rawValue })
    func thePrimaryKeyIsInTheBarAt60And80Columns(_ scene: GoldenTests.Scene) {
        for size in Self.sizes {
            let model = scene.model(size, .unicode)
            let bar = Self.bar(model)
            #expect(bar.contains(Self.expected[scene]!), "\(scene.rawValue) at \(size.width)×\(size.height): \(bar)")
            #expect(bar.contains("? help") || bar.contains("F1 help"), "\(scene.rawValue) at \(size.width)×\(size.height): \(bar)")
        }
    }

    /// Every scene: whatever its screen marks primary (and shows in the bar) is in the bar.
    @Test(arguments: GoldenTests.Scene.allCases)
    func everyPrimaryKeyOfEveryScreenIsShown(_ scene: GoldenTests.Scene) {
        for size in Self.sizes {
            let model = scene.model(size, .unicode)
            guard model.overlay == nil else { continue }
            let bar = Self.bar(model)
            for key in model.screen.keyHelp where key.primary && key.inBar {
                #expect(bar.contains("\(key.keys) \(key.short)"), "\(scene.rawValue) at \(size.width)×\(size.height): \(bar)")
            }
        }
    }

    @Test func theCartShowsHowToCheckOutAt80Columns() {
        let bar = Self.bar(GoldenTests.Scene.cart.model(Size(width: 80, height: 24), .unicode))
        #expect(bar.contains("Enter checkout") && bar.contains("+ more") && bar.contains("q quit"))
    }
}
