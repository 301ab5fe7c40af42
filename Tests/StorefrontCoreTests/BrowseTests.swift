import Foundation
import MarketplaceAPI
import Testing
@testable import StorefrontCore

@Suite("update: browse, product, cart")
struct BrowseTests {
    func browse(_ model: Model) -> BrowseScreen { model.screen as! BrowseScreen }

    @Test func signingInOpensBrowseWhichAsksForPageOneThenItsStock() throws {
        let typed = run(freshModel(), keys("ann@example.com") + [key(.tab)] + keys("secret1") + [key(.enter)]).0
        let (signedIn, commands) = run(typed, [.reply(1, .success(LoginResponse(token: "t", user: ann)))])
        // The header asks for the cart under its own (negative) number.
        #expect(commands == [.send(-1, .data(Endpoints.cart), token: "t"), .send(2, BrowseScreen.page(ProductQuery()), token: "t")])
        let page = PageEnvelope(data: fixtureProducts(count: 3), pagination: Pagination(page: 1, limit: 20, total: 3))
        let (_, more) = run(signedIn, [.reply(2, .success(page))])
        #expect(more == [.send(3, .stock(["p000", "p001", "p002"]), token: "t")])
    }

    @Test func theProductSaysWhoSellsItAndVListsMoreFromThem() throws {
        let opened = run(browsingModel(), [key(.down), key(.enter)]).0
        #expect(view(opened).text().contains("Sold by Kato & Daughters"))
        let (vendor, commands) = run(opened, keys("v"))
        #expect(commands.compactMap(\.sentRequest).map(\.1) == [AnyRequest(BrowseScreen.page(ProductQuery(ownerID: "vendor-1")))])
        #expect(ProductQuery(ownerID: "vendor-1").queryString.contains("userId=vendor-1"))
        #expect(browse(vendor).query.ownerID == "vendor-1")
        #expect(view(vendor).text().contains("Vendor Kato & Daughters"))
        // x clears the vendor as it clears the other filters; Esc goes back to the product.
        let (cleared, again) = run(vendor, keys("x"))
        #expect(browse(cleared).query.ownerID == nil && browse(cleared).vendorName == nil)
        #expect(again.compactMap(\.sentRequest).map(\.1) == [AnyRequest(BrowseScreen.page(ProductQuery()))])
        #expect(!view(cleared).text().contains("Vendor"))
        #expect(run(vendor, [key(.escape)]).0.screen is ProductDetailScreen)
    }

    @Test func aProductWithoutAVendorNameSaysNothingOfIt() throws {
        var product = fixtureProducts()[0]
        product.vendorName = nil
        var model = browsingModel()
        model.history.append(model.screen)
        model.screen = ProductDetailScreen(product: product)
        #expect(!view(model).text().contains("Sold by"))
        let (vendor, _) = run(model, keys("v"))
        #expect(view(vendor).text().contains("Vendor selected"))
    }

    @Test func stockBadgesSayWhatIsLeft() {
        let text = view(browsingModel()).text()
        #expect(text.contains("Out of stock"))
        #expect(text.contains("Only 3 left"))
        #expect(text.contains("In stock"))
        #expect(text.contains("1 of 47 products · newest first · more load at the end"))
    }

    /// The next page of the catalogue, as the server would send it.
    func page(_ number: Int, total: Int = 47) -> PageEnvelope<Product> {
        let all = fixtureProducts(count: total)
        let rows = Array(all[((number - 1) * 20)..<min(total, number * 20)]).map { product in
            var copy = product
            copy.id = "q\(product.id)"
            return copy
        }
        return PageEnvelope(data: rows, pagination: Pagination(page: number, limit: 20, total: total))
    }

    @Test func reachingTheEndLoadsTheNextPageBelowTheRowsOnShow() throws {
        let (none, quiet) = run(browsingModel(), [key(.down), key(.down)])
        #expect(quiet.isEmpty && browse(none).list.selected > 0)
        let (asked, commands) = run(browsingModel(), [key(.char("G"))])
        #expect(commands.compactMap(\.sentRequest).map(\.1) == [AnyRequest(BrowseScreen.page(ProductQuery(page: 2)))])
        #expect(view(asked).text().contains("Loading more products…"))
        let (more, _) = run(asked, [.reply(commands[0].sentRequest!.0, .success(page(2)))])
        #expect(browse(more).products.count == 40 && browse(more).list.selected == 19)
        #expect(view(more).text().contains("20 of 47 products"))
        let (last, lastAsk) = run(more, [key(.end)])
        let (all, _) = run(last, [.reply(lastAsk.compactMap(\.sentRequest)[0].0, .success(page(3)))])
        #expect(browse(all).products.count == 47)
        let (end, nothing) = run(all, [key(.char("G"))])
        #expect(!nothing.contains { $0.sentRequest?.1.calls(Endpoints.products) == true })
        #expect(view(end).text().contains("47 of 47 products · newest first"))
        #expect(!view(end).text().contains("more load"))
    }

    @Test func aSlowOldPageNeverReplacesANewerOne() throws {
        let (model, commands) = run(browsingModel(), [key(.char("G")), key(.char("r"))])
        let ids = commands.compactMap(\.sentRequest).filter { $0.1.calls(Endpoints.products) }.map(\.0)
        #expect(ids.count == 2)
        let (afterLate, _) = run(model, [.reply(ids[0], .success(page(2)))])
        #expect(browse(afterLate).products.count == 20)
        #expect(browse(afterLate).awaiting?.id == ids[1])
    }

    @Test func searchCategoryPriceAndSortBuildTheQuery() throws {
        var (model, commands) = run(browsingModel(), [key(.char("/"))] + keys("oil") + [key(.enter)])
        #expect(commands.last?.sentRequest?.1 == AnyRequest(BrowseScreen.page(ProductQuery(search: "oil"))))
        (model, commands) = run(model, [key(.char("f"))] + keys("gro") + [key(.enter)])
        #expect(commands.last?.sentRequest?.1 == AnyRequest(BrowseScreen.page(ProductQuery(category: "Grocery", search: "oil"))))
        (model, commands) = run(model, [key(.char("$"))] + keys("10-50") + [key(.enter)])
        #expect(commands.last?.sentRequest?.1 == AnyRequest(BrowseScreen.page(ProductQuery(category: "Grocery", search: "oil", minPrice: Money("10"), maxPrice: Money("50")))))
        (model, commands) = run(model, [key(.char("s"))])
        #expect(browse(model).query.sort == .priceAscending)
        (model, commands) = run(model, [key(.char("x"))])
        #expect(commands.last?.sentRequest?.1 == AnyRequest(BrowseScreen.page(ProductQuery(sort: .priceAscending))))
    }

    @Test func theCategoryPickerListsEveryCategoryOfTheCatalogueWithItsCount() throws {
        // Before the server answers: the categories of the products loaded.
        let (opened, commands) = run(browsingModel(), [key(.char("f"))])
        let asked = try #require(commands.compactMap(\.sentRequest).last)
        #expect(asked.1 == AnyRequest(.data(Endpoints.categories)))
        let loaded = Set(browse(opened).products.map(\.category))
        #expect(Set(try #require(browse(opened).picker).options) == loaded)
        // The answer: every category, counted, beside any loaded one it did not know yet.
        let counts = [CategoryCount(name: "Books", count: 12), CategoryCount(name: "Garden", count: 3), CategoryCount(name: "Zither", count: 1)]
        let (answered, _) = run(opened, [.reply(asked.0, .success(counts))])
        let picker = try #require(browse(answered).picker)
        #expect(picker.options == Set(counts.map(\.name)).union(loaded).sorted())
        #expect(picker.entries.contains { $0.label == "Zither (1)" && $0.value == "Zither" })
        #expect(view(answered).text().contains("Books (12)"))
        // Typing filters those too; Enter chooses the category, not its label.
        let (chosen, next) = run(answered, keys("zit") + [key(.enter)])
        #expect(browse(chosen).query.category == "Zither")
        #expect(next.last?.sentRequest?.1 == AnyRequest(BrowseScreen.page(ProductQuery(category: "Zither"))))
        // An answer that failed leaves the loaded categories (and no error for a picker).
        let (failed, _) = run(opened, [.reply(asked.0, .failure(APIError.server(code: .unavailable, message: "busy", fieldErrors: [])))])
        #expect(Set(try #require(browse(failed).picker).options) == loaded)
    }

    @Test func aBackwardsPriceRangeIsRefusedBeforeAnyRequest() {
        let (model, commands) = run(browsingModel(), [key(.char("$"))] + keys("50-10") + [key(.enter)])
        #expect(commands.isEmpty)
        #expect(view(model).line(1).contains("The lowest price must not be above the highest"))
        #expect(BrowseScreen.parsePriceRange("abc").isFailure)
        #expect(BrowseScreen.parsePriceRange("-20").value! == (nil, Money("20")))
    }

    @Test func typingInTheSearchFieldDoesNotQuit() {
        let (model, commands) = run(browsingModel(), [key(.char("/"))] + keys("q?"))
        #expect(commands.isEmpty)
        #expect(!model.quitting && model.overlay == nil)
        #expect(browse(model).prompt == .search(TextField("q?", maxLength: 100)))
    }

    @Test func enterOpensTheProductWhichRefreshesItselfAndEscReturns() throws {
        let (detail, commands) = run(browsingModel(), [key(.down), key(.down), key(.enter)])
        let screen = try #require(detail.screen as? ProductDetailScreen)
        #expect(screen.product.id == "p002")
        // One request: the product's answer carries its stock.
        #expect(commands.compactMap(\.sentRequest).map(\.1) == [AnyRequest(.data(Endpoints.product, "p002"))])
        #expect(view(detail).text().contains("Only 3 left"))
        let (back, more) = run(detail, [key(.escape)])
        #expect(back.screen is BrowseScreen)
        #expect(browse(back).list.selected == 2)
        #expect(more.compactMap(\.sentRequest).first?.1 == AnyRequest(.stock(fixtureProducts().map(\.id))))
    }

    @Test func quantityIsBoundedByStockAndAddSendsIt() throws {
        var (model, _) = run(browsingModel(), [key(.down), key(.down), key(.enter)])
        var commands: [Command]
        (model, commands) = run(model, [key(.char("+")), key(.char("+")), key(.char("+")), key(.char("+")), key(.enter)])
        #expect(commands.last?.sentRequest?.1 == AnyRequest(.data(Endpoints.addToCart, body: AddToCartRequest(productId: "p002", quantity: 3))))
        let id = try #require(commands.last?.sentRequest?.0)
        (model, _) = run(model, [.reply(id, .success(fixtureCart()))])
        #expect(model.notice?.text == "Added 3 × Crème Brûlée Torch No. 1. Cart: 6 items, $154.49.")
    }

    @Test func outOfStockCannotBeAddedAndGuestsAreAskedToSignIn() {
        let (model, commands) = run(browsingModel(), [key(.down), key(.enter), key(.char("a"))])
        #expect(model.notice?.text == "Tetsubin Teapot 鉄瓶 No. 1 is out of stock.")
        #expect(!commands.contains { $0.sentRequest?.1.calls(Endpoints.addToCart) == true })
        var guest = freshModel()
        guest.screen = ProductDetailScreen(product: fixtureProducts()[0])
        let (asked, none) = run(guest, [key(.enter)])
        #expect(none.isEmpty)
        #expect(asked.notice?.text == "Sign in to use the cart: Esc, then i.")
    }

    @Test func clickingARowSelectsItAndClickingAgainOpensIt() {
        let (selected, _) = run(browsingModel(), [.click(x: 10, y: 7, double: false)])
        #expect(browse(selected).list.selected == 4)
        let (opened, _) = run(selected, [.click(x: 10, y: 7, double: false)])
        #expect((opened.screen as? ProductDetailScreen)?.product.id == "p004")
    }

    @Test func aFailedPageSaysSoAndRRetries() {
        let (failing, commands) = run(browsingModel(), [key(.char("r"))])
        let id = commands.first!.sentRequest!.0
        let (failed, _) = run(failing, [.reply(id, .failure(.timedOut(server: "http://127.0.0.1:9", seconds: 10)))])
        #expect(failed.screen.status?.text == "http://127.0.0.1:9 did not answer within 10 s. Press r to retry.")
        #expect(failed.serverOnline == false)
        #expect(view(failed).line(23).contains("r reload"))
        let (_, retry) = run(failed, [key(.char("r"))])
        #expect(retry.first?.sentRequest?.1 == AnyRequest(BrowseScreen.page(ProductQuery())))
    }

    @Test func cartChangesQuantitiesRemovesAndEmptiesOnlyAfterAskingTwice() throws {
        var (model, commands) = run(browsingModel(), [key(.char("c"))])
        #expect(model.screen is CartScreen)
        let id = try #require(commands.first?.sentRequest).0
        (model, _) = run(model, [.reply(id, .success(fixtureCart()))])
        #expect(view(model).text().contains("6 items   Total $154.49"))
        (_, commands) = run(model, [key(.char("-"))])
        #expect(commands.first?.sentRequest?.1 == AnyRequest(.setCartQuantity(productID: "p000", quantity: 1)))
        (_, commands) = run(model, [key(.down), key(.char("+"))])
        #expect(commands.first?.sentRequest?.1 == AnyRequest(.data(Endpoints.addToCart, body: AddToCartRequest(productId: "p001", quantity: 1))))
        (_, commands) = run(model, [key(.down), key(.down), key(.char("d"))])
        #expect(commands.first?.sentRequest?.1 == AnyRequest(.data(Endpoints.removeFromCart, body: RemoveFromCartRequest(productId: "p004"))))
        var asked: Model
        (asked, commands) = run(model, [key(.char("X"))])
        #expect(commands.isEmpty)
        #expect(asked.screen.status?.text.hasPrefix("Press X again") == true)
        (_, commands) = run(asked, [key(.char("j"))])
        #expect(commands.isEmpty)
        (_, commands) = run(asked, [key(.char("X"))])
        #expect(commands.first?.sentRequest?.1 == AnyRequest(.data(Endpoints.clearCart)))
    }

    @Test func queryStringsAreEncoded() {
        let query = ProductQuery(page: 2, category: "Home & Garden", search: "crème brûlée", sort: .priceDescending, minPrice: Money("5"), maxPrice: nil)
        #expect(query.queryString == "page=2&limit=20&sort=price_desc&category=Home%20%26%20Garden&q=cr%C3%A8me%20br%C3%BBl%C3%A9e&minPrice=5.00")
    }
}

extension Result {
    var isFailure: Bool { if case .failure = self { true } else { false } }
    var value: Success? { try? get() }
}

@Suite("update: checkout and orders")
struct CheckoutTests {
    /// Browse, open the cart, load it, press Enter: the checkout form.
    func checkoutModel(size: Size = standardSize, glyphs: Glyphs = .unicode) -> (Model, [Command]) {
        let cart = run(browsingModel(size: size, glyphs: glyphs), [key(.char("c"))]).0
        let loaded = run(cart, [.reply(cart.nextRequestID - 1, .success(fixtureCart()))]).0
        return run(loaded, [key(.enter)])
    }

    func filled(_ model: Model) -> Model {
        run(model, keys("1 Rue Neuve") + [key(.tab)] + keys("Lyon") + [key(.tab)] + keys("69001") + [key(.tab)] + keys("France")).0
    }

    @Test func checkoutAsksForSavedAddressesAndRequiresEveryAddressField() throws {
        let (model, commands) = checkoutModel()
        #expect(model.screen is CheckoutScreen)
        #expect(commands.compactMap(\.sentRequest).map(\.1) == [AnyRequest(.data(Endpoints.addresses))])
        let (refused, none) = run(model, [key(.enter)])
        #expect(none.isEmpty)
        let screen = refused.screen as! CheckoutScreen
        #expect(screen.form.errors[.street] == "Street is required")
        #expect(screen.form.errors[.zip] == "Postal code is required")  // a shipping address needs one
        #expect(screen.form.errors[.country] == "Country is required")
        #expect(refused.screen.hasUnsavedInput == false)
    }

    @Test func aSavedDefaultAddressIsFilledIn() {
        let (model, commands) = checkoutModel()
        let id = commands.first!.sentRequest!.0
        let saved = [Address(id: "a1", street: "9 Side St", city: "Oslo", state: nil, zip: "0150", country: "Norway", isDefault: false),
                     Address(id: "a2", street: "2 Main St", city: "Lyon", state: nil, zip: "69002", country: "France", isDefault: true)]
        let (withSaved, _) = run(model, [.reply(id, .success(saved))])
        let screen = withSaved.screen as! CheckoutScreen
        #expect(screen.savedIndex == 1 && screen.form[.street].text == "2 Main St" && screen.form.focus == .saved)
        let (other, _) = run(withSaved, [key(.right)])
        #expect((other.screen as! CheckoutScreen).savedIndex == nil)  // past the last: a new address
        let (first, _) = run(other, [key(.right)])
        #expect((first.screen as! CheckoutScreen).form[.city].text == "Oslo")
    }

    @Test func placingTheOrderSendsAnIdempotentRequestAndShowsTheIDs() throws {
        let (model, _) = checkoutModel()
        let (sent, commands) = run(filled(model), [key(.enter)])
        guard let request = commands.first?.sentRequest?.1, case let (address, method, key1)? = request.checkout else {
            Issue.record("no checkout request: \(commands)")
            return
        }
        #expect(address == ShippingAddress(street: "1 Rue Neuve", city: "Lyon", zip: "69001", country: "France"))
        #expect(method == "tok_visa")
        // A declined payment, missing stock or changed prices still answer with the checkout's own body.
        #expect(request.call?.answersWithBody == [.paymentDeclined, .outOfStock, .priceChanged])
        // A retry of the same cart, address and method carries the same key.
        let (_, again) = run(run(sent, [key(.escape)]).0, [key(.enter)])
        guard let key2 = again.first?.sentRequest?.1.checkout?.key else { Issue.record("no retry"); return }
        #expect(key1 == key2)
        let id = again.first!.sentRequest!.0
        let (placed, _) = run(run(sent, [key(.escape)]).0, [key(.enter), .reply(id, .success(
            CheckoutResponse(success: true, message: "Order placed successfully", orderId: "order-42", transactionId: "txn-7")))])
        let text = view(placed).text()
        #expect(text.contains("Order placed. Thank you!") && text.contains("order-42") && text.contains("txn-7"))
        let (orders, more) = run(placed, [key(.char("o"))])
        // Esc from the history leads back to the catalogue.
        #expect(orders.screen is OrdersScreen && orders.history.count == 1 && orders.history.first is BrowseScreen)
        #expect(more.first?.sentRequest?.1 == AnyRequest(OrdersScreen.page(1)))
    }

    @Test func changedPricesAreShownAndTheNextTryIsANewCheckoutAtTheNewPrices() throws {
        let (model, _) = checkoutModel()
        let (sent, commands) = run(filled(model), [key(.enter)])
        let (id, request) = try #require(commands.first?.sentRequest)
        guard let firstKey = request.checkout?.key else { Issue.record("no checkout sent"); return }
        let change = PriceChange(productId: "p000", name: "Lamp", oldPrice: Money("19.99")!, newPrice: Money("24.99")!)
        let (changed, reload) = run(sent, [.reply(id, .success(CheckoutResponse(
            success: false, code: .priceChanged, message: "Prices changed", priceChanges: [change])))])
        #expect(changed.screen.status?.text == "Prices changed: Lamp $19.99 → $24.99. Your cart has the new prices; place the order again to accept them.")
        // The cart is asked for again, so the next try carries a new key and is not the refused checkout replayed.
        let (cartID, cartRequest) = try #require(reload.first?.sentRequest)
        #expect(cartRequest == AnyRequest(.data(Endpoints.cart)))
        var repriced = fixtureCart()
        repriced.totalPrice = Money("99.99")!
        repriced.updatedAt = fixtureDate.addingTimeInterval(60)
        let (updated, _) = run(changed, [.reply(cartID, .success(repriced))])
        let (_, again) = run(updated, [key(.enter)])
        guard let secondKey = again.first?.sentRequest?.1.checkout?.key else { Issue.record("no second checkout"); return }
        #expect(secondKey != firstKey)
    }

    @Test func aDeclinedPaymentAndMissingStockAreExplainedAndTheCartKept() throws {
        let (model, _) = checkoutModel()
        let (sent, commands) = run(filled(model), [key(.tab), key(.right), key(.enter)])
        let id = try #require(commands.first?.sentRequest).0
        guard commands.first?.sentRequest?.1.checkout?.method == "tok_chargeDeclined" else { Issue.record("wrong method"); return }
        let (declined, _) = run(sent, [.reply(id, .success(CheckoutResponse(success: false, code: .paymentDeclined, message: "Payment declined",
                                                                                           orderId: "o1", transactionId: "t1", reason: "Your card was declined")))])
        #expect(declined.screen.status?.text == "Payment declined: Your card was declined. Your cart is kept.")
        #expect(declined.screen is CheckoutScreen)
        let short = CheckoutResponse(success: false, code: .outOfStock, message: "Insufficient stock", shortages: [StockShortage(productId: "p000", requested: 2, available: 1)])
        #expect(CheckoutScreen.explain(short) == "Not enough stock: 2 wanted, 1 left.")
    }
}

@Suite("update: admin low stock")
struct LowStockTests {
    static let levels = [InventoryLevel(productId: "p001", quantity: 0, lowStockThreshold: 10, lastUpdated: fixtureDate),
                         InventoryLevel(productId: "p002", quantity: 3, lowStockThreshold: 10, lastUpdated: fixtureDate)]

    /// Signed in as an admin, on the low-stock screen with its list and names loaded.
    static func lowStockModel(size: Size = standardSize, glyphs: Glyphs = .unicode) -> Model {
        var admin = browsingModel(size: size, glyphs: glyphs)
        admin.session?.user.role = .admin
        admin = run(admin, [key(.char("r"))]).0
        admin = run(admin, [.reply(admin.nextRequestID - 1, .success(PageEnvelope(data: fixtureProducts(), pagination: Pagination(page: 1, limit: 20, total: 47))))]).0
        let (opened, _) = run(admin, [key(.char("A"))])
        let listed = run(opened, [.reply(opened.nextRequestID - 1, .success(PageEnvelope(data: levels, pagination: Pagination(page: 1, limit: 200, total: 2))))]).0
        let products = fixtureProducts()
        return run(listed, [.reply(listed.nextRequestID - 1, .success(["p001": products[1], "p002": products[2]]))]).0
    }

    @Test func onlyAdminsHaveTheLowStockKey() {
        let (shopper, _) = run(browsingModel(), [key(.char("A"))])
        #expect(shopper.screen is BrowseScreen)
        let admin = Self.lowStockModel()
        #expect(admin.screen is LowStockScreen)
        let text = view(admin).text()
        #expect(text.contains("Tetsubin Teapot 鉄瓶 No. 1") && text.contains("Crème Brûlée Torch No. 1"))
    }

    @Test func restockingSendsTheUnitsAndRefreshes() throws {
        let (prompted, none) = run(Self.lowStockModel(), [key(.down), key(.enter)] + keys("x5q0"))
        #expect(none.isEmpty)
        #expect((prompted.screen as! LowStockScreen).restock?.field.text == "50")  // only digits are typed
        let (sent, commands) = run(prompted, [key(.enter)])
        #expect(commands.first?.sentRequest?.1 == AnyRequest(.data(Endpoints.addStock, body: AddStockRequest(productId: "p002", quantity: 50))))
        let id = try #require(commands.first?.sentRequest).0
        let (done, more) = run(sent, [.reply(id, .success(InventoryLevel(productId: "p002", quantity: 53, lowStockThreshold: 10, lastUpdated: fixtureDate)))])
        #expect(done.notice?.text == "Crème Brûlée Torch No. 1: now 53 in stock.")
        #expect(more.first?.sentRequest?.1 == AnyRequest(LowStockScreen.page(1)))
    }

    @Test func theListRefreshesOnItsOwnEveryFewSeconds() {
        var model = Self.lowStockModel()
        model = run(model, [.tick(100)]).0           // first tick after loading: refresh is due
        let (early, none) = run(model, [.tick(102)])
        #expect(none.compactMap(\.sentRequest).isEmpty || none.compactMap(\.sentRequest).allSatisfy { $0.1 != AnyRequest(LowStockScreen.page(1)) })
        let id = early.nextRequestID - 1
        let (answered, _) = run(early, [.reply(id, .success(PageEnvelope(data: Self.levels, pagination: Pagination(page: 1, limit: 200, total: 2))))])
        let (later, due) = run(answered, [.tick(105.5)])
        #expect(due.compactMap(\.sentRequest).contains { $0.1 == AnyRequest(LowStockScreen.page(1)) })
        #expect(later.screen is LowStockScreen)
    }
}

@Suite("update: theme preference and profile")
struct ProfileTests {
    func profile(theme: String) -> UserProfile {
        UserProfile(userId: ann.id, phone: "+33 6 12 34 56 78", addresses: [
            Address(id: "a1", street: "1 Rue Neuve", city: "Lyon", state: nil, zip: "69001", country: "France", isDefault: true)],
                    preferences: UserPreferences(newsletter: true, theme: theme))
    }

    @Test func signingInAppliesTheAccountsThemeUnlessOneWasChosen() throws {
        let start = Model.start(options: AppOptions(serverURL: "http://127.0.0.1:9"), size: standardSize).0
        let typed = run(start, keys("ann@example.com") + [key(.tab)] + keys("secret1") + [key(.enter)]).0
        let (signedIn, commands) = run(typed, [.reply(1, .success(LoginResponse(token: "t", user: ann)))])
        let (profileID, request) = try #require(commands.compactMap(\.sentRequest).last)
        #expect(request == AnyRequest(.data(Endpoints.profile)))
        let (themed, apply) = run(signedIn, [.reply(profileID, .success(profile(theme: "mono")))])
        #expect(apply == [.applyTheme("mono")])
        let (applied, _) = run(themed, [.themeApplied(name: "mono", .success(.ascii))])
        #expect(applied.themeName == "mono" && applied.glyphs == .ascii)
        #expect(view(applied).line(0).hasPrefix(" Storefront > Browse"))
        // Chosen with --theme: no profile request at all.
        let (_, explicit) = run(run(freshModel(), keys("ann@example.com") + [key(.tab)] + keys("secret1") + [key(.enter)]).0,
                                [.reply(1, .success(LoginResponse(token: "t", user: ann)))])
        #expect(!explicit.contains { $0.sentRequest?.1 == AnyRequest(.data(Endpoints.profile)) })
    }

    @Test func savingTheProfileSendsTheChangesAndSwitchesTheme() throws {
        var (model, commands) = run(browsingModel(), [key(.char("u"))])
        let id = try #require(commands.first?.sentRequest).0
        (model, _) = run(model, [.reply(id, .success(profile(theme: "light")))])
        (model, commands) = run(model, [key(.tab), key(.right), key(.tab), key(.right), key(.right)])
        #expect(model.screen.hasUnsavedInput)
        (model, commands) = run(model, [key(.enter)])
        #expect(commands.first?.sentRequest?.1 == AnyRequest(.data(Endpoints.updateProfile, body: ProfileUpdate(phone: "+33 6 12 34 56 78", preferences: .init(newsletter: false, theme: "mono")))))
        let saveID = try #require(commands.first?.sentRequest).0
        (model, commands) = run(model, [.reply(saveID, .success(profile(theme: "mono")))])
        #expect(commands == [.applyTheme("mono")])
        #expect(model.notice?.text == "Profile saved.")
    }
}

@Suite("update: vendor products")
struct VendorTests {
    static func vendorModel(size: Size = standardSize, glyphs: Glyphs = .unicode) -> Model {
        var model = browsingModel(size: size, glyphs: glyphs)
        model.session?.user.role = .vendor
        let (opened, commands) = run(model, [key(.char("V"))])
        let id = commands.first!.sentRequest!.0
        let mine = Array(fixtureProducts().prefix(3))
        let listed = run(opened, [.reply(id, .success(VendorProducts(products: mine, truncated: false)))]).0
        return run(listed, [.reply(listed.nextRequestID - 1, .success(fixtureStock(mine)))]).0
    }

    @Test func onlySellersHaveTheirProductsScreen() {
        let (shopper, _) = run(browsingModel(), [key(.char("V"))])
        #expect(shopper.screen is BrowseScreen)
        let vendor = Self.vendorModel()
        #expect(vendor.screen is VendorScreen)
        #expect(view(vendor).text().contains("Crème Brûlée Torch No. 1"))
    }

    @Test func aNewProductIsCheckedThenSent() throws {
        // The description comes from the editor (e on it), outside a kiosk.
        var (model, commands) = run(Self.vendorModel(), [key(.char("n"))] + keys("Lampe 灯") + [key(.tab), key(.char("e"))])
        #expect(commands == [.editText("")])
        (model, commands) = run(model, [.editorClosed(.edited("A brass lamp\n")), key(.tab)] + keys("12.345") + [key(.tab)] + keys("Home") + [key(.enter)])
        #expect(commands.isEmpty)
        #expect((model.screen as! ProductFormScreen).form.errors[.price]?.hasPrefix("Price like 12.50") == true)
        (model, commands) = run(model, [key(.backspace), key(.enter)])
        #expect(commands.first?.sentRequest?.1 == AnyRequest(.data(Endpoints.createProduct, body: ProductInput(name: "Lampe 灯", description: "A brass lamp", price: Money("12.34")!, category: "Home", images: []))))
        let id = try #require(commands.first?.sentRequest).0
        var saved = fixtureProducts()[0]
        saved.name = "Lampe 灯"
        (model, commands) = run(model, [.reply(id, .success(saved))])
        #expect(model.screen is VendorScreen)
        #expect(model.notice?.text == "Lampe 灯 created. Add stock with +.")
        #expect(commands.first?.sentRequest?.1 == AnyRequest(.myProducts(ownerID: ann.id)))
    }

    @Test func deleteAsksFirstAndStockIsAdded() throws {
        let (asked, none) = run(Self.vendorModel(), [key(.char("d"))])
        #expect(none.isEmpty)
        #expect(asked.screen.status?.text == "Delete Spicy Olive Oil No. 1? y deletes it, any other key keeps it.")
        let (_, kept) = run(asked, [key(.char("n"))])
        #expect(kept.isEmpty)
        let (_, deleted) = run(asked, [key(.char("y"))])
        #expect(deleted.first?.sentRequest?.1 == AnyRequest(.call(Endpoints.deleteProduct, "p000")))
        let (_, stocked) = run(Self.vendorModel(), [key(.down), key(.char("+"))] + keys("40") + [key(.enter)])
        #expect(stocked.first?.sentRequest?.1 == AnyRequest(.data(Endpoints.addStock, body: AddStockRequest(productId: "p001", quantity: 40))))
    }
}
