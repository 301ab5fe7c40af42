import Foundation
import MarketplaceAPI
import Testing
@testable import StorefrontCore

/// Issue 14: help that always fits, lists that scroll and load more, sessions
/// that last, the compact layout and the terminal conventions.
@Suite("update: help, lists, sessions, conventions")
struct TerminalShopTests {
    /// Every key of the overlay, read by scrolling it from top to bottom.
    func everyHelpLine(_ model: Model) -> String {
        var (shown, _) = run(model, keys("?"))
        var text = view(shown).text()
        for _ in 0..<40 {
            shown = run(shown, [key(.down)]).0
            text += view(shown).text()
        }
        return text
    }

    @Test(arguments: [Size(width: 80, height: 24), Size(width: 60, height: 20)])
    func anAdminReachesEveryKeyOfBrowseThroughTheHelp(size: Size) {
        let admin = browsingModel(role: .admin, size: size)
        let (opened, _) = run(admin, keys("?"))
        let first = view(opened).text()
        #expect(first.contains("This screen"))
        #expect(first.contains("more below"), "the admin's keys outgrow the window, and the overlay says it scrolls")
        let all = everyHelpLine(admin)
        let browse = run(admin, keys("?")).0
        for help in browse.allKeyHelp {
            #expect(all.contains(String(help.long.prefix(18))), "\(help.keys) is out of reach in the help")
        }
        #expect(all.contains("Your role (admin)") && all.contains("Everywhere"))
        #expect(all.contains("admin: products low in stock"))
        // Scrolling keys keep the overlay open; any other key closes it.
        let (end, _) = run(opened, [key(.end)])
        #expect(end.overlay == .help && end.helpScroll > 0)
        #expect(view(end).text().contains("the end"))
        let (closed, commands) = run(end, keys("x"))
        #expect(closed.overlay == nil && commands.isEmpty)
    }

    @Test func theWheelScrollsTheHelpToo() {
        let (opened, _) = run(browsingModel(role: .admin), keys("?"))
        let (scrolled, _) = run(opened, [.scroll(3)])
        #expect(scrolled.helpScroll == 3 && scrolled.overlay == .help)
        let (back, _) = run(scrolled, [.scroll(-30)])
        #expect(back.helpScroll == 0)
    }

    @Test(arguments: [80, 60])
    func theKeyBarKeepsTheRolesKeysWhenShort(width: Int) {
        let size = Size(width: width, height: width == 80 ? 24 : 20)
        let admin = view(browsingModel(role: .admin, size: size)).line(size.height - 1)
        #expect(admin.contains("A low stock"))
        #expect(admin.contains("? help") && admin.contains("q quit"))
        let vendor = view(browsingModel(role: .vendor, size: size)).line(size.height - 1)
        #expect(vendor.contains("V my products") && vendor.contains("? help"))
        let shopper = view(browsingModel(size: size)).line(size.height - 1)
        #expect(shopper.contains("c cart") && shopper.contains("q quit"))
    }

    @Test func theHeaderShowsTheCartsCountAndTotalAndFollowsItsChanges() {
        let model = browsingModel()
        #expect(view(model).line(0).contains("cart 6 · $154.49"))
        let (cart, commands) = run(model, [key(.char("c"))])
        var fuller = fixtureCart()
        fuller.items[0].quantity = 3
        fuller.totalPrice = fuller.totalPrice + fuller.items[0].price
        let (changed, _) = run(cart, [.reply(commands.last!.sentRequest!.0, .success(fuller))])
        #expect(view(changed).line(0).contains("cart 7 · $164.99"))
        // Compact: the name and count stay, the words go.
        let (small, _) = run(changed, [.resize(Size(width: 60, height: 20))])
        #expect(view(small).line(0).contains("Ann Lee"))
        #expect(view(small).line(0).contains("7 · $164.99"))
    }

    @Test func anExpiredTokenAsksForThePasswordAndReturnsToTheScreenWithTheCart() throws {
        let (cart, asked) = run(browsingModel(), [key(.char("c"))])
        let expired = APIError.server(code: .tokenExpired, message: "Token has expired", fieldErrors: [])
        let (signIn, commands) = run(cart, [.reply(asked.last!.sentRequest!.0, .failure(expired))])
        let login = try #require(signIn.screen as? LoginScreen)
        #expect(signIn.session == nil)
        #expect(commands.contains(.forgetSession))
        #expect(login.form.value(.email) == ann.email)
        let text = view(signIn).text()
        #expect(text.contains("Session expired. Sign in to go back to Cart."))
        #expect(text.contains("guest") && !text.contains("Ann Lee (customer)"))

        let (typed, sent) = run(signIn, keys("secret1") + [key(.enter)])
        let loginID = try #require(sent.compactMap(\.sentRequest).last?.0)
        let (back, reload) = run(typed, [.reply(loginID, .success(LoginResponse(token: "t2", user: ann)))])
        #expect(back.screen is CartScreen)
        #expect(back.history.count == 1 && back.history[0] is BrowseScreen)
        #expect(reload.contains { $0 == .send(back.nextRequestID - 1, .data(Endpoints.cart), token: "t2") })
        // Another account signing in there starts afresh on the catalogue.
        let other = UserSummary(id: "other", name: "Bo", email: "bo@example.com", role: .customer)
        let (fresh, _) = run(typed, [.reply(loginID, .success(LoginResponse(token: "t3", user: other)))])
        #expect(fresh.screen is BrowseScreen && fresh.history.isEmpty)
    }

    @Test func aFormRefusedForAnExpiredSessionKeepsItsInputAndSendsAgainAfterSigningIn() throws {
        let cart = run(browsingModel(), [key(.char("c"))]).0
        let form = run(cart, [.reply(cart.nextRequestID - 1, .success(fixtureCart())), key(.enter)]).0
        let typed = run(form, keys("1 Rue Neuve") + [key(.tab)] + keys("Lyon") + [key(.tab)] + keys("69001") + [key(.tab)] + keys("France")).0
        let (sent, placing) = run(typed, [key(.enter)])
        let checkoutID = try #require(placing.compactMap(\.sentRequest).first { $0.1.calls(Endpoints.checkout) }?.0)
        let expired = APIError.server(code: .tokenExpired, message: "Token has expired", fieldErrors: [])
        let (signIn, _) = run(sent, [.reply(checkoutID, .failure(expired))])
        #expect(signIn.screen is LoginScreen)
        let (typedPassword, login) = run(signIn, keys("secret1") + [key(.enter)])
        let (back, _) = run(typedPassword, [.reply(login.compactMap(\.sentRequest).last!.0, .success(LoginResponse(token: "t2", user: ann)))])
        let checkout = try #require(back.screen as? CheckoutScreen)
        #expect(checkout.form.value(.street) == "1 Rue Neuve")
        #expect(checkout.status == nil, "the expired-session refusal is gone")
        let (_, again) = run(back, [key(.enter)])
        #expect(again.contains { if case .send(_, let request, token: "t2") = $0 { request.calls(Endpoints.checkout) } else { false } })
    }

    @Test func aRevokedTokenOnBrowseAlsoEndsTheSession() {
        let model = browsingModel()
        let (reloaded, commands) = run(model, keys("r"))
        let refused = APIError.server(code: .unauthenticated, message: "Invalid token", fieldErrors: [])
        let (signIn, _) = run(reloaded, [.reply(commands.last!.sentRequest!.0, .failure(refused))])
        #expect(signIn.screen is LoginScreen && signIn.session == nil)
        #expect(view(signIn).text().contains("Session no longer accepted. Sign in to go back to Browse."))
        // A guest's refusal is not a session ending: nothing happens to the screen.
        let (guest, _) = run(freshModel(), [key(.tab), key(.tab), key(.tab), key(.tab), key(.enter)])
        let (still, _) = run(guest, [.reply(guest.nextRequestID - 1, .failure(refused))])
        #expect(still.screen is BrowseScreen)
    }

    @Test func aRememberedSessionOpensTheCatalogueSignedInButNeverInAKiosk() {
        let session = Session(token: "kept", user: ann)
        let options = AppOptions(serverURL: "http://127.0.0.1:9", themeExplicit: true, remember: true)
        let (model, commands) = Model.start(options: options, size: standardSize, remembered: session)
        #expect(model.session == session && model.screen is BrowseScreen)
        #expect(commands.contains(.send(-1, .data(Endpoints.cart), token: "kept")))
        #expect(!commands.contains(.rememberSession(session)), "the file already holds it")
        let kiosk = AppOptions(serverURL: "http://127.0.0.1:9", kiosk: true, remember: true)
        #expect(!kiosk.remember)
        let (guest, _) = Model.start(options: kiosk, size: standardSize, remembered: session)
        #expect(guest.session == nil)
    }

    @Test func signingInRemembersUnlessToldNotToAndLForgets() throws {
        func signIn(_ options: AppOptions) -> (Model, [Command]) {
            let start = Model.start(options: options, size: standardSize).0
            let typed = run(start, keys("ann@example.com") + [key(.tab)] + keys("secret1") + [key(.enter)]).0
            return run(typed, [.reply(1, .success(LoginResponse(token: "t", user: ann)))])
        }
        let (remembered, commands) = signIn(AppOptions(themeExplicit: true, remember: true))
        #expect(commands.contains(.rememberSession(Session(token: "t", user: ann))))
        let (_, notKept) = signIn(AppOptions(themeExplicit: true, remember: false))
        #expect(!notKept.contains { if case .rememberSession = $0 { true } else { false } })

        let (out, forget) = run(remembered, keys("L"))
        #expect(forget.contains(.forgetSession))
        #expect(out.session == nil && out.screen is LoginScreen)
        #expect(view(out).text().contains("Signed out; the remembered session is forgotten."))
        // Not while a form holds input (here: a checkout with a street typed, focus on its buttons).
        let (cart, asked) = run(remembered, keys("c"))
        let (form, _) = run(cart, [.reply(asked.compactMap(\.sentRequest).last!.0, .success(fixtureCart())), key(.enter)] + keys("9 Elm St"))
        let (onButton, _) = run(form, [key(.backTab)])
        let (kept, none) = run(onButton, keys("L"))
        #expect(kept.session != nil && kept.screen is CheckoutScreen && !none.contains(.forgetSession))
        #expect(view(kept).text().contains("before signing out with L"))
        // L works from any screen that does not type it.
        let (orders, _) = run(remembered, keys("o"))
        let (fromOrders, _) = run(orders, keys("L"))
        #expect(fromOrders.session == nil && fromOrders.screen is LoginScreen)
    }

    @Test func ctrlLRedrawsAndCtrlZSuspendsOutsideTheKiosk() {
        #expect(run(browsingModel(), [key(.ctrl("l"))]).1 == [.redraw])
        #expect(run(browsingModel(), [key(.ctrl("z"))]).1 == [.suspend])
        #expect(run(freshModel(kiosk: true), [key(.ctrl("z"))]).1.isEmpty)
        // In a text field too: control keys are never typed.
        let (searching, _) = run(browsingModel(), keys("/ab"))
        #expect(run(searching, [key(.ctrl("z"))]).1 == [.suspend])
    }

    @Test func theWheelMovesTheListLikeTheArrows() {
        let (wheeled, _) = run(browsingModel(), [.scroll(3)])
        #expect((wheeled.screen as! BrowseScreen).list.selected == 3)
        let (up, _) = run(wheeled, [.scroll(-3)])
        #expect((up.screen as! BrowseScreen).list.selected == 0)
        let (picking, _) = run(browsingModel(), keys("f"))
        let (scrolled, _) = run(picking, [.scroll(3)])
        #expect((scrolled.screen as! BrowseScreen).picker?.list.selected == 3)
        #expect((scrolled.screen as! BrowseScreen).list.selected == 0)
    }

    @Test func sixtyOrdersLoadAPageAtATimeAndScrollToTheLast() throws {
        let template = fixtureOrders()[0]
        let orders = (0..<60).map { index in
            var order = template
            order.id = String(format: "%08d-0000-4000-8000-000000000000", index)
            order.createdAt = fixtureDate.addingTimeInterval(Double(60 - index) * 60)
            return order
        }
        let (opened, first) = run(browsingModel(), keys("o"))
        #expect(first.compactMap(\.sentRequest).map(\.1) == [AnyRequest(OrdersScreen.page(1))])
        let page1 = PageEnvelope(data: Array(orders.prefix(50)), pagination: Pagination(page: 1, limit: 50, total: 60))
        let loaded = run(opened, [.reply(first[0].sentRequest!.0, .success(page1))]).0
        #expect(view(loaded).text().contains("1 of 60"))
        let (atEnd, more) = run(loaded, [key(.end)])
        #expect(more.compactMap(\.sentRequest).map(\.1) == [AnyRequest(OrdersScreen.page(2))])
        #expect(view(atEnd).text().contains("Loading older orders…"))
        let page2 = PageEnvelope(data: Array(orders.suffix(10)), pagination: Pagination(page: 2, limit: 50, total: 60))
        let all = run(atEnd, [.reply(more[0].sentRequest!.0, .success(page2))]).0
        let (last, none) = run(all, [key(.end)])
        #expect(none.isEmpty)
        let text = view(last).text()
        #expect(text.contains("60 of 60"))
        #expect(text.split(separator: "\n").contains { $0.contains("▶") && $0.contains("00000059") })
    }

    @Test func lowStockLoadsAPageAtATimeAndRefreshesEveryPageLoaded() throws {
        func rows(_ range: Range<Int>) -> [InventoryLevel] {
            range.map { InventoryLevel(productId: String(format: "s%03d", $0), quantity: 1, lowStockThreshold: 10, lastUpdated: fixtureDate) }
        }
        var admin = browsingModel(role: .admin)
        var commands: [Command]
        (admin, commands) = run(admin, keys("A"))
        #expect(commands.compactMap(\.sentRequest).map(\.1) == [AnyRequest(LowStockScreen.page(1))])
        (admin, _) = run(admin, [.reply(commands[0].sentRequest!.0, .success(PageEnvelope(data: rows(0..<100), pagination: Pagination(page: 1, limit: 100, total: 150))))])
        #expect(view(admin).text().contains("1 of 150"))
        (admin, commands) = run(admin, [key(.end)])
        #expect(commands.compactMap(\.sentRequest).map(\.1) == [AnyRequest(LowStockScreen.page(2))])
        (admin, _) = run(admin, [.reply(commands[0].sentRequest!.0, .success(PageEnvelope(data: rows(100..<150), pagination: Pagination(page: 2, limit: 100, total: 150))))])
        (admin, _) = run(admin, [key(.end)])
        let screen = try #require(admin.screen as? LowStockScreen)
        #expect(screen.levels.count == 150 && screen.list.selected == 149)
        #expect(view(admin).text().contains("150 of 150"))
        // The refresh reads both pages again.
        let (refreshing, due) = run(admin, [.tick(1000)])
        #expect(due.compactMap(\.sentRequest).map(\.1) == [AnyRequest(LowStockScreen.page(1)), AnyRequest(LowStockScreen.page(2))])
        // Each page asks for its own rows' names (never more than a page of ids), and both answers count.
        let ids = due.compactMap(\.sentRequest).map(\.0)
        let (answered, lookups) = run(refreshing, [
            .reply(ids[0], .success(PageEnvelope(data: rows(0..<100), pagination: Pagination(page: 1, limit: 100, total: 150)))),
            .reply(ids[1], .success(PageEnvelope(data: rows(100..<150), pagination: Pagination(page: 2, limit: 100, total: 150)))),
        ])
        let asked = lookups.compactMap(\.sentRequest).compactMap { if case .compound("productsByID", let ids) = $0.1.question { ($0.0, ids) } else { nil } }
        #expect(asked.map(\.1.count) == [100, 50])
        func product(_ id: String) -> Product {
            var product = fixtureProducts()[0]
            product.id = id
            product.name = "Name of \(id)"
            return product
        }
        let named = run(answered, asked.map { lookup in
            .reply(lookup.0, .success(Dictionary(uniqueKeysWithValues: lookup.1.map { ($0, product($0)) })))
        }).0
        let names = (named.screen as! LowStockScreen).names
        #expect(names["s000"] == "Name of s000" && names["s149"] == "Name of s149")
    }

    @Test func anOrderWithManyItemsScrollsToItsLastItem() {
        var order = fixtureOrders()[0]
        let line = order.items[0]
        order.items = (0..<30).map { index in
            var item = line
            item.productId = "i\(index)"
            item.name = "Item number \(index)"
            return item
        }
        var model = browsingModel()
        model.history.append(model.screen)
        model.screen = OrderDetailScreen(order: order)
        let (last, _) = run(model, [key(.char("G"))])
        let text = view(last).text()
        #expect(text.contains("30 of 30"))
        #expect(text.split(separator: "\n").contains { $0.contains("▶") && $0.contains("Item number 29") })
        #expect(text.contains("Total") && text.contains("Ships to"), "the total and address stay below the items")
    }

    @Test func listPositionsCountTheServersRows() {
        var list = List(count: 20)
        #expect(list.position == "1 of 20")
        list.reset(count: 20, total: 57)
        list.move(.pageDown, rows: 11)
        #expect(list.position == "12 of 57")
        #expect(List().position == "0 of 0")
    }
}

@Suite("config file and launch options")
struct ConfigFileTests {
    @Test func theThreeKeysAreReadWithComments() throws {
        let config = try ConfigFile.parse("""
        # my shop
        server = "https://shop.example.com"  # remote
        theme = "my-theme"

        mouse = false
        """)
        #expect(config == ConfigFile(server: "https://shop.example.com", theme: "my-theme", mouse: false))
    }

    @Test func mistakesNameTheLine() {
        #expect(throws: UsageError("c.toml line 2: unknown key 'colour' (known: server, cacert, theme, mouse)")) {
            try ConfigFile.parse("mouse = true\ncolour = \"red\"", path: "c.toml")
        }
        #expect(throws: UsageError("c.toml line 1: mouse must be true or false")) { try ConfigFile.parse("mouse = yes", path: "c.toml") }
        #expect(throws: UsageError("c.toml line 1: tables are not used; write the keys at the top level")) {
            try ConfigFile.parse("[client]", path: "c.toml")
        }
        #expect(throws: (any Error).self) { try ConfigFile.parse("server = http://x", path: "c.toml") }
    }

    @Test func flagsWinOverTheEnvironmentWhichWinsOverTheFile() throws {
        let config = ConfigFile(server: "http://file:1", theme: "light", mouse: false)
        let fromFile = try LaunchOptions.parse([], environment: [:], config: config)
        #expect(fromFile == .run(AppOptions(serverURL: "http://file:1", themeName: "light", themeExplicit: true, remember: true, mouse: false)))
        let environment = try LaunchOptions.parse([], environment: ["STOREFRONT_SERVER": "http://env:2"], config: config)
        #expect(environment == .run(AppOptions(serverURL: "http://env:2", themeName: "light", themeExplicit: true, remember: true, mouse: false)))
        let flags = try LaunchOptions.parse(["--server", "http://flag:3", "--no-remember"], environment: ["STOREFRONT_SERVER": "http://env:2"], config: config)
        #expect(flags == .run(AppOptions(serverURL: "http://flag:3", themeName: "light", themeExplicit: true, remember: false, mouse: false)))
        #expect(try LaunchOptions.parse(["--no-mouse"], environment: [:]) == .run(AppOptions(remember: true, mouse: false)))
        #expect(try LaunchOptions.parse(["--kiosk"], environment: [:]) == .run(AppOptions(kiosk: true)))
    }

    @Test func filesLiveUnderTheXDGFolders() {
        #expect(ConfigFile.folder(environment: ["XDG_CONFIG_HOME": "/c", "HOME": "/h"]) == "/c/storefront")
        #expect(ConfigFile.folder(environment: ["HOME": "/h"]) == "/h/.config/storefront")
        #expect(RememberedSession.path(environment: ["XDG_STATE_HOME": "/s", "HOME": "/h"]) == "/s/storefront/session.json")
        #expect(RememberedSession.path(environment: ["XDG_STATE_HOME": "relative", "HOME": "/h"]) == "/h/.local/state/storefront/session.json")
        let library = ThemeLibrary.standard(executablePath: "/nowhere/storefront", environment: ["XDG_CONFIG_HOME": "/c"])
        #expect(library.folders.contains("/c/storefront/themes"))
    }
}
