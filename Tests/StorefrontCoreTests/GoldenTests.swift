import MarketplaceAPI
import Testing
@testable import StorefrontCore

/// Every screen rendered to text at 60×20 (compact), 80×24 and 120×40 in the dark and mono
/// themes, compared with `__Snapshots__/<scene>-<theme>-<size>.txt`.
@Suite("golden frames")
struct GoldenTests {
    enum Scene: String, CaseIterable {
        case loginEmpty = "login-empty"
        case loginErrors = "login-errors"
        case loginBusy = "login-busy"
        case loginOffline = "login-offline"
        case register = "register-filled"
        case browse = "browse"
        case browseCategory = "browse-category-picker"
        case browseCategoryCounts = "browse-category-picker-counts"
        case browseSearch = "browse-search"
        case product = "product-detail"
        case browseVendor = "browse-vendor"
        case cart = "cart"
        case cartEmpty = "cart-empty"
        case checkout = "checkout-declined"
        case placed = "checkout-placed"
        case orders = "orders"
        case ordersFiltered = "orders-filtered"
        case orderDetail = "order-detail"
        case orderCancelConfirm = "order-detail-cancel-confirm"
        case lowStock = "admin-low-stock"
        case profile = "profile"
        case profileAddresses = "profile-addresses"
        case profileDeleteAddress = "profile-address-delete-confirm"
        case addressFormErrors = "profile-address-form-errors"
        case checkoutSaveAddress = "checkout-save-address"
        case placedAddressNotSaved = "checkout-placed-address-not-saved"
        case vendor = "vendor-products"
        case productForm = "vendor-product-form"
        case productFormLongDescription = "vendor-product-form-long-description"
        case productFormKiosk = "vendor-product-form-kiosk"
        case help = "help-overlay"
        case helpAdmin = "help-overlay-admin"
        case helpAdminEnd = "help-overlay-admin-end"
        case helpVendor = "help-overlay-vendor"
        case helpCustomer = "help-overlay-customer"
        case sessionExpired = "session-expired-sign-in"
        case confirmQuit = "confirm-quit"
        case orderTimelineShipping = "order-detail-timeline-shipping"
        case orderTimelineRefunded = "order-detail-timeline-refunded"
        case vendorOrders = "vendor-orders"
        case vendorOrdersShip = "vendor-orders-ship-prompt"
        case adminOrders = "admin-orders"
        case adminOrdersFiltered = "admin-orders-filtered"
        case adminOrdersCancelConfirm = "admin-orders-cancel-confirm"
        case helpVendorOrders = "help-overlay-vendor-orders"
        case sshKeys = "profile-ssh-keys"
        case sshKeyRemoveConfirm = "profile-ssh-key-remove-confirm"
        case kioskSignedInByKey = "kiosk-signed-in-by-key"
        case kioskRememberKey = "kiosk-remember-key-offer"

        func model(_ size: Size, _ glyphs: Glyphs) -> Model {
            let start = freshModel(size: size, glyphs: glyphs)
            switch self {
            case .loginEmpty:
                return start
            case .loginErrors:
                return run(start, keys("ann@") + [key(.tab)] + keys("123") + [key(.enter)]).0
            case .loginBusy:
                return run(start, keys("ann@example.com") + [key(.tab)] + keys("secret1") + [key(.enter)]).0
            case .loginOffline:
                let typed = run(start, keys("ann@example.com") + [key(.tab)] + keys("secret1") + [key(.enter)]).0
                return run(typed, [.reply(1, .failure(.unreachable(server: "http://127.0.0.1:8080", reason: "connection refused")))]).0
            case .register:
                return run(start, keys("zoe@example.com") + [key(.tab), key(.tab), key(.tab), key(.enter)] + keys("Zoë 山田") +
                           [key(.tab), key(.tab)] + keys("secret1") + [key(.tab), key(.right)]).0
            case .browse:
                return run(browsingModel(size: size, glyphs: glyphs), [key(.down), key(.down)]).0
            case .browseCategory:
                return run(browsingModel(size: size, glyphs: glyphs), [key(.char("f"))] + keys("e")).0
            case .browseCategoryCounts:
                let (opened, asked) = run(browsingModel(size: size, glyphs: glyphs), [key(.char("f"))])
                let counts = [("Books", 1_204), ("Clothing", 230), ("Electronics", 315), ("Garden", 88), ("Grocery", 412), ("Home", 97), ("Kitchen", 145), ("Outdoors", 61), ("Sports", 52), ("Toys", 7)]
                    .map { CategoryCount(name: $0.0, count: $0.1) }
                return run(opened, [.reply(asked.compactMap(\.sentRequest).last!.0, .success(counts))]).0
            case .browseSearch:
                return run(browsingModel(size: size, glyphs: glyphs), [key(.char("/"))] + keys("茶 set")).0
            case .product:
                let opened = run(browsingModel(size: size, glyphs: glyphs), [key(.down), key(.enter), key(.escape), key(.down), key(.enter)]).0
                let detail = opened.screen as! ProductDetailScreen
                let stock = fixtureStock(fixtureProducts())[detail.product.id]!
                return run(opened, [.reply(opened.nextRequestID - 1, .success([detail.product.id: stock])), key(.char("+"))]).0
            case .browseVendor:
                let opened = run(browsingModel(size: size, glyphs: glyphs), [key(.down), key(.enter)]).0
                let (asked, commands) = run(opened, keys("v"))
                let theirs = Array(fixtureProducts().prefix(6))
                let page = PageEnvelope(data: theirs, pagination: Pagination(page: 1, limit: 20, total: theirs.count))
                return run(asked, [.reply(commands.compactMap(\.sentRequest).last!.0, .success(page))]).0
            case .cart:
                let cart = run(browsingModel(size: size, glyphs: glyphs), [key(.char("c"))]).0
                return run(cart, [.reply(cart.nextRequestID - 1, .success(fixtureCart())), key(.down)]).0
            case .cartEmpty:
                let cart = run(browsingModel(size: size, glyphs: glyphs), [key(.char("c"))]).0
                var empty = fixtureCart()
                empty.items = []
                empty.totalPrice = .zero
                return run(cart, [.reply(cart.nextRequestID - 1, .success(empty))]).0
            case .checkout, .placed:
                let cart = run(browsingModel(size: size, glyphs: glyphs), [key(.char("c"))]).0
                let form = run(cart, [.reply(cart.nextRequestID - 1, .success(fixtureCart())), key(.enter)]).0
                let typed = run(form, keys("1 Rue Neuve") + [key(.tab)] + keys("Lyon") + [key(.tab)] + keys("69001") + [key(.tab)] + keys("France") +
                                [key(.tab), key(.right), key(.enter)]).0
                let answer = self == .placed
                    ? CheckoutResponse(success: true, message: "Order placed successfully", orderId: "3cd0cfbe-1d80-440a-8547-917bd90731e3", transactionId: "fb1d779b-f9d6-4a93-b70d-6d602667376b")
                    : CheckoutResponse(success: false, code: .paymentDeclined, message: "Payment declined", orderId: "o1", transactionId: "t1", reason: "Your card was declined")
                return run(typed, [.reply(typed.nextRequestID - 1, .success(answer))]).0
            case .orders, .orderDetail:
                let list = run(browsingModel(size: size, glyphs: glyphs), [key(.char("o"))]).0
                let loaded = run(list, [.reply(list.nextRequestID - 1, .success(PageEnvelope(data: fixtureOrders(), pagination: Pagination(page: 1, limit: 50, total: 2)))), key(.down)]).0
                return self == .orders ? loaded : run(loaded, [key(.enter)]).0
            case .ordersFiltered:
                return run(Scene.orders.model(size, glyphs), keys("/canc") + [key(.enter)]).0
            case .orderCancelConfirm:
                return run(orderDetailModel(.confirmed, size: size, glyphs: glyphs), keys("x")).0
            case .profile:
                let opened = run(browsingModel(size: size, glyphs: glyphs), [key(.char("u"))]).0
                let profile = UserProfile(userId: ann.id, phone: "+33 6 12 34 56 78", addresses: [
                    Address(id: "a1", street: "1 Rue Neuve", city: "Lyon", state: nil, zip: "69001", country: "France", isDefault: true)],
                                          preferences: UserPreferences(newsletter: true, theme: "dark"))
                return run(opened, [.reply(opened.nextRequestID - 1, .success(profile)), key(.tab), key(.tab)]).0
            case .profileAddresses:
                return run(profileAddressesModel(size: size, glyphs: glyphs), [key(.down)]).0
            case .profileDeleteAddress:
                return run(profileAddressesModel(size: size, glyphs: glyphs), [key(.down), key(.char("d"))]).0
            case .addressFormErrors:
                return run(profileAddressesModel(size: size, glyphs: glyphs), [key(.char("a"))] + keys("9 Elm St") + [key(.enter)]).0
            case .checkoutSaveAddress:
                return typedCheckoutModel(saving: true, size: size, glyphs: glyphs)
            case .placedAddressNotSaved:
                let (placing, commands) = run(typedCheckoutModel(saving: true, size: size, glyphs: glyphs), [key(.enter)])
                let (placed, saving) = run(placing, [.reply(commands.compactMap(\.sentRequest)[0].0, .success(placedAnswer))])
                let failure = APIError.unreachable(server: "http://127.0.0.1:9", reason: "connection refused")
                return run(placed, [.reply(saving.compactMap(\.sentRequest)[0].0, .failure(failure))]).0
            case .vendor:
                return run(VendorTests.vendorModel(size: size, glyphs: glyphs), [key(.down)]).0
            case .productForm:
                return run(VendorTests.vendorModel(size: size, glyphs: glyphs), [key(.enter), key(.tab), key(.tab)] + keys("x")).0
            case .productFormLongDescription:
                // The description as the editor left it, the focus on it.
                let editing = run(VendorTests.vendorModel(size: size, glyphs: glyphs), [key(.enter), key(.tab)]).0
                return run(editing, [.editorClosed(.edited(DescriptionEditorTests.longDescription))]).0
            case .productFormKiosk:
                // Typed in place at the end, a new line with Enter: the text area scrolled to its cursor.
                let editing = DescriptionEditorTests.editing(kiosk: true, description: DescriptionEditorTests.longDescription, size: size, glyphs: glyphs)
                return run(editing, [key(.tab)] + keys(" Unfiltered.") + [key(.enter)] + keys("Bottled in Jaén.")).0
            case .lowStock:
                return run(LowStockTests.lowStockModel(size: size, glyphs: glyphs), [key(.down), key(.enter)] + keys("25")).0
            case .help:
                return run(start, [key(.function(1))]).0
            case .helpAdmin:
                return run(browsingModel(role: .admin, size: size, glyphs: glyphs), keys("?")).0
            case .helpAdminEnd:
                return run(browsingModel(role: .admin, size: size, glyphs: glyphs), keys("?") + [key(.end)]).0
            case .helpVendor:
                return run(browsingModel(role: .vendor, size: size, glyphs: glyphs), keys("?")).0
            case .helpCustomer:
                return run(browsingModel(size: size, glyphs: glyphs), keys("?")).0
            case .sessionExpired:
                let cart = run(browsingModel(size: size, glyphs: glyphs), [key(.char("c"))]).0
                let expired = APIError.server(code: .tokenExpired, message: "Token has expired", fieldErrors: [])
                return run(cart, [.reply(cart.nextRequestID - 1, .failure(expired))]).0
            case .confirmQuit:
                return run(start, keys("ann") + [key(.ctrl("c"))]).0
            case .orderTimelineShipping:
                return orderDetailModel(order: fixtureShippingOrder(), size: size, glyphs: glyphs)
            case .orderTimelineRefunded:
                return orderDetailModel(order: fixtureRefundedOrder(), size: size, glyphs: glyphs)
            case .vendorOrders:
                return run(fulfilmentModel(size: size, glyphs: glyphs), [key(.down)]).0
            case .vendorOrdersShip:
                return run(fulfilmentModel(size: size, glyphs: glyphs), keys("sDHL") + [key(.tab)] + keys("1Z999AA10123456784")).0
            case .adminOrders:
                return run(fulfilmentModel(admin: true, size: size, glyphs: glyphs), [key(.down)]).0
            case .adminOrdersFiltered:
                let (filtering, asked) = run(fulfilmentModel(admin: true, size: size, glyphs: glyphs), keys("ff"))
                let confirmed = fixtureAdminOrders().filter { $0.status == .confirmed }
                let page = PageEnvelope(data: confirmed, pagination: Pagination(page: 1, limit: FulfilmentScreen.pageSize, total: confirmed.count))
                return run(filtering, [.reply(asked.compactMap(\.sentRequest).last!.0, .success(page))]).0
            case .adminOrdersCancelConfirm:
                return run(fulfilmentModel(admin: true, size: size, glyphs: glyphs), keys("x")).0
            case .helpVendorOrders:
                return run(fulfilmentModel(size: size, glyphs: glyphs), keys("?")).0
            case .sshKeys:
                return sshKeysModel(size: size, glyphs: glyphs)
            case .sshKeyRemoveConfirm:
                return run(sshKeysModel(size: size, glyphs: glyphs), [key(.down), key(.char("d"))]).0
            case .kioskSignedInByKey:
                let options = AppOptions(serverURL: "http://127.0.0.1:9", themeExplicit: true, kiosk: true, kioskIdleSeconds: 30)
                var ssh = options
                ssh.ssh = SSHSessionSettings(token: fixtureToken(), publicKey: fixtureKeyLine, fingerprint: fixtureFingerprint)
                let started = Model.start(options: ssh, size: size, glyphs: glyphs)
                let products = fixtureProducts()
                let sent = started.1.compactMap(\.sentRequest)
                let listed = run(started.0, [.reply(sent.first { $0.1.calls(Endpoints.products) }!.0,
                                                    .success(PageEnvelope(data: products, pagination: Pagination(page: 1, limit: 20, total: 47))))])
                let stock = listed.1.compactMap(\.sentRequest).first.map { $0.0 } ?? 0
                return run(listed.0, [.reply(stock, .success(fixtureStock(products))), .reply(-1, .success(fixtureCart()))]).0
            case .kioskRememberKey:
                let options = AppOptions(serverURL: "http://127.0.0.1:9", themeExplicit: true, kiosk: true, kioskIdleSeconds: 30)
                var ssh = options
                ssh.ssh = SSHSessionSettings(publicKey: fixtureKeyLine, fingerprint: fixtureFingerprint)
                let start = Model.start(options: ssh, size: size, glyphs: glyphs).0
                let typed = run(start, [key(.char("i"))] + keys("ann@example.com") + [key(.tab)] + keys("secret1") + [key(.enter)])
                let login = typed.1.compactMap(\.sentRequest).last { $0.1.calls(Endpoints.login) }!.0
                return run(typed.0, [.reply(login, .success(LoginResponse(token: "t", user: ann)))]).0
            }
        }
    }

    static let sizes = [Size(width: 60, height: 20), Size(width: 80, height: 24), Size(width: 120, height: 40)]

    @Test(arguments: Scene.allCases, ["dark", "mono"])
    func scene(_ scene: Scene, themeName: String) throws {
        let theme = try shippedTheme(themeName)
        for size in Self.sizes {
            let frame = view(scene.model(size, theme.glyphs))
            #expect(frame.size == size)
            try assertGolden(frame, "\(scene.rawValue)-\(themeName)-\(size.width)x\(size.height)")
        }
    }

    @Test(arguments: ["dark", "mono"])
    func tooSmall(themeName: String) throws {
        let theme = try shippedTheme(themeName)
        let frame = view(freshModel(size: Size(width: 50, height: 16), glyphs: theme.glyphs))
        try assertGolden(frame, "too-small-\(themeName)-50x16")
    }
}
