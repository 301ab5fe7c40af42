import Foundation
import Glibc
import MarketplaceAPI
import StorefrontCore
import StorefrontHTTP
import Testing

/// Issue 14's journeys: the real client in tmux against a real server, each
/// step waiting for what the screen shows, with deadlines.
@Suite("storefront in tmux: every user, every size", .serialized)
struct TerminalShopJourneyTests {
    /// Databases apart from the other tmux suite's, whose `seed --fresh` replaces
    /// the catalogue while these journeys add products of their own.
    static let databaseSuffix = "_tui_journey_test"

    func signIn(_ shop: TmuxSession, _ email: String, _ password: String, as name: String) throws {
        try shop.waitFor("Sign in to Storefront")
        try shop.typeFields(email, password)
        try shop.press("Enter")
        try shop.waitFor(name)
    }

    func token(_ client: MarketplaceClient, _ email: String, _ password: String) throws -> String {
        guard case .success(let answer) = client.perform(LoginScreen.signIn(email: email, password: password), token: nil) else {
            throw HarnessError("\(email) could not sign in")
        }
        return answer.token
    }

    /// A vendor's products with `units` in stock each, made through the public routes.
    /// `vendor`: the email of the account made for them (a test that signs the vendor in names it).
    func stockedProducts(_ server: MarketplaceServer, count: Int, units: Int, price: String = "12.50", prefix: String,
                         vendor email: String = uniqueEmail("vendor")) throws -> [Product] {
        try server.register(name: "Vic Vendor", email: email, password: "secret1", role: .vendor)
        let client = MarketplaceClient(baseURL: server.url)
        let vendor = try token(client, email, "secret1")
        return try (0..<count).map { index in
            let draft = ProductInput(name: String(format: "%@ %03d", prefix, index), description: "A journey product.",
                                     price: Money(price)!, category: "Journeys", images: [])
            guard case .success(let product) = client.perform(.data(Endpoints.createProduct, body: draft), token: vendor) else {
                throw HarnessError("product \(index) could not be created")
            }
            guard case .success = client.perform(.data(Endpoints.addStock, body: AddStockRequest(productId: product.id, quantity: units)), token: vendor) else {
                throw HarnessError("stock for product \(index) could not be added")
            }
            return product
        }
    }

    /// Presses `key` until `text` shows (each press waits for a changed screen), or fails with the screen.
    func press(_ shop: TmuxSession, _ key: String, until text: String, atMost presses: Int = 40) throws -> String {
        var screen = try shop.capture()
        for _ in 0..<presses {
            if screen.contains(text) { return screen }
            try shop.press(key)
            let before = screen
            let deadline = Date().addingTimeInterval(5)
            repeat {
                usleep(20_000)
                screen = (try? shop.capture()) ?? ""
            } while screen == before && !screen.contains(text) && Date() < deadline
        }
        if screen.contains(text) { return screen }
        throw HarnessError("pressed \(key) \(presses) times without \(text) showing; the screen shows:\n\(screen)")
    }

    /// A new shopper named `name`, signed in at `width`×`height`, who has just asked to place an order of `quantity`
    /// of a new product (at $9.90, 20 in stock): the server, the product, the shopper's email and the session.
    func newShopperCheckingOut(_ name: String, product prefix: String, quantity: Int, width: Int, height: Int,
                               vendor: String = uniqueEmail("vendor")) throws -> (MarketplaceServer, Product, String, TmuxSession) {
        let server = try MarketplaceServer(databaseSuffix: Self.databaseSuffix)
        let product = try stockedProducts(server, count: 1, units: 20, price: "9.90", prefix: "\(prefix) \(UUID().uuidString.prefix(4))", vendor: vendor)[0]
        let email = uniqueEmail(prefix.lowercased())
        try server.register(name: name, email: email, password: "secret1")
        let shop = try TmuxSession(server: server.url, width: width, height: height)
        try signIn(shop, email, "secret1", as: name)
        try checkOut(shop, product, quantity: quantity, total: (product.price * quantity).display)
        return (server, product, email, shop)
    }

    /// From the catalogue: finds `product` by its name, puts `quantity` in the cart
    /// (`total` as the header and the cart show it) and places the order with a typed address.
    func checkOut(_ shop: TmuxSession, _ product: Product, quantity: Int, total: String) throws {
        try shop.press("/")
        try shop.type(product.name)
        try shop.press("Enter")
        try shop.waitFor("1 of 1 products", product.price.display)
        try shop.press("Enter")
        try shop.waitFor("[ Add to cart ]")
        for _ in 1..<quantity { try shop.press("+") }
        try shop.press("Enter")
        try shop.waitFor("Added \(quantity) × ", "\(quantity) · \(total)")
        let items = "\(quantity) item" + (quantity == 1 ? "" : "s")
        try shop.press("c")
        try shop.waitFor("\(items)   Total \(total)")
        try shop.press("Enter")
        try shop.waitFor("Checkout: \(items)", "[ Place order ]")
        try shop.typeAddress()
        try shop.press("Enter")
    }

    /// Waits until one of two texts shows.
    func waitForEither(_ shop: TmuxSession, _ one: String, _ other: String, timeout: TimeInterval = 15) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var screen = ""
        while Date() < deadline {
            screen = (try? shop.capture()) ?? ""
            if screen.contains(one) || screen.contains(other) { return screen }
            usleep(50_000)
        }
        throw HarnessError("waited \(Int(timeout)) s for \(one) or \(other) but the screen shows:\n\(screen)")
    }

    func markedRow(_ screen: String) -> String {
        screen.split(separator: "\n").first { $0.contains("▶") }.map(String.init) ?? ""
    }

    @Test func anAdminAt80x24FindsLowStockThroughTheHelp() throws {
        let server = try MarketplaceServer(databaseSuffix: Self.databaseSuffix)
        let email = uniqueEmail("admin")
        try server.createAdmin(name: "Ada Admin", email: email, password: "admin-secret")
        let shop = try TmuxSession(server: server.url, width: 80, height: 24)
        try signIn(shop, email, "admin-secret", as: "Ada Admin (admin)")
        try shop.press("?")
        let help = try shop.waitFor("Keys: Browse", "This screen", "more below")
        #expect(help.contains("↓/↑ PgDn/PgUp scroll"))
        // Scrolled a line at a time until the admin's group shows.
        let found = try press(shop, "Down", until: "admin: products low in stock")
        #expect(found.contains("Your role (admin)"))
        try shop.press("Escape")
        try shop.waitFor("A low stock")
        try shop.press("A")
        try shop.waitFor("Storefront › Low stock", "In stock", "Threshold")
    }

    @Test func sixtyOrdersAnd150LowStockRowsScrollToTheirLastRow() throws {
        // Databases of its own, so the low-stock list holds exactly this test's rows.
        let server = try MarketplaceServer(databaseSuffix: "_tui_scroll_test", overrides: ["STOREFRONT_RATE_LIMIT": "off", "STOREFRONT_SIGNUP_LIMIT": "off"])
        let client = MarketplaceClient(baseURL: server.url)
        let existing: Int
        if case .success(let low) = client.perform(LowStockScreen.page(1), token: nil) { existing = low.pagination.total } else { existing = 0 }
        let low = try stockedProducts(server, count: max(0, 150 - existing), units: 1, prefix: "Scarce")
        #expect(existing + low.count == 150)
        let goods = try stockedProducts(server, count: 1, units: 500, price: "3.00", prefix: "Plenty")[0]

        let email = uniqueEmail("buyer")
        try server.register(name: "Bo Buyer", email: email, password: "secret1")
        let buyer = try token(client, email, "secret1")
        let address = ShippingAddress(street: "1 Rue Neuve", city: "Lyon", zip: "69001", country: "France")
        for index in 0..<60 {
            guard case .success = client.perform(.data(Endpoints.addToCart, body: AddToCartRequest(productId: goods.id, quantity: 1)), token: buyer),
                  case .success(let placed) = client.perform(CheckoutScreen.placeOrder(address, paymentMethod: "tok_visa",
                                                                                       idempotencyKey: "journey-\(email)-\(index)"), token: buyer),
                  placed.success else { throw HarnessError("order \(index) could not be placed") }
        }

        let shop = try TmuxSession(server: server.url, width: 80, height: 24)
        try signIn(shop, email, "secret1", as: "Bo Buyer (customer)")
        try shop.press("o")
        try shop.waitFor("Placed (UTC)", "1 of 60")
        // A screenful at a time; the end of the first page of 50 loads the next.
        let orders = try press(shop, "NPage", until: "60 of 60")
        #expect(markedRow(orders).contains("Confirmed"))
        guard case .success(let page2) = client.perform(OrdersScreen.page(2), token: buyer), let oldest = page2.data.last else {
            throw HarnessError("the second page of orders could not be read")
        }
        try shop.press("End")
        let bottom = try shop.waitFor("60 of 60")
        #expect(markedRow(bottom).contains(formatted(oldest.createdAt)))

        let adminEmail = uniqueEmail("admin")
        try server.createAdmin(name: "Ada Admin", email: adminEmail, password: "admin-secret")
        let admin = try TmuxSession(server: server.url, width: 80, height: 24)
        try signIn(admin, adminEmail, "admin-secret", as: "Ada Admin (admin)")
        try admin.press("A")
        try admin.waitFor("Storefront › Low stock", "1 of 150")
        // The list loads a page of 100 at a time: the last row is the last of page 2.
        guard case .success(let levels) = client.perform(LowStockScreen.page(2), token: nil), let last = levels.data.last,
              case .success(let named) = client.perform(.productsByID([last.productId]), token: nil),
              let lastName = named[last.productId]?.name else { throw HarnessError("the low-stock list could not be read") }
        // End reaches row 100 and asks for the next page; End again reaches row 150.
        try admin.press("End")
        try admin.waitFor("100 of 150")
        _ = try press(admin, "End", until: "150 of 150")
        #expect(markedRow(try admin.waitFor(lastName)).contains(lastName))
        // And back to the top a screenful at a time.
        let top = try press(admin, "PPage", until: "1 of 150")
        #expect(!markedRow(top).isEmpty)
    }

    func formatted(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        return formatter.string(from: date)
    }

    @Test func anExpiredTokenSendsTheShopperToSignInAndBackWithTheCartIntact() throws {
        let server = try MarketplaceServer(databaseSuffix: Self.databaseSuffix, overrides: ["STOREFRONT_TOKEN_TTL": "5", "STOREFRONT_RATE_LIMIT": "off", "STOREFRONT_SIGNUP_LIMIT": "off"])
        let product = try stockedProducts(server, count: 1, units: 20, price: "7.25", prefix: "Lasting")[0]
        let email = uniqueEmail("expiring")
        try server.register(name: "Eve Expiring", email: email, password: "secret1")
        let client = MarketplaceClient(baseURL: server.url)
        let filling = Request.data(Endpoints.addToCart, body: AddToCartRequest(productId: product.id, quantity: 2))
        guard case .success = client.perform(filling, token: try token(client, email, "secret1")) else {
            throw HarnessError("the cart could not be filled")
        }
        let shop = try TmuxSession(server: server.url)
        try signIn(shop, email, "secret1", as: "Eve Expiring (customer)")
        try shop.waitFor("cart 2 · $14.50")
        // The cart screen asks the server each time it opens: once the token's five
        // seconds are over, the answer is token_expired. (Going back to Browse asks for
        // stock badges each time, so the per-address rate limit is off for this server.)
        let deadline = Date().addingTimeInterval(30)
        var screen = ""
        while Date() < deadline {
            try shop.press("c")
            screen = try waitForEither(shop, "2 items   Total $14.50", "Session expired.")
            if screen.contains("Session expired.") { break }
            try shop.press("Escape")
            try shop.waitFor("Storefront › Browse")
        }
        screen = try shop.waitFor("Session expired. Sign in to go back to Cart", "guest")
        #expect(screen.contains(email), "the email is filled in")
        try shop.type("secret1")
        try shop.press("Enter")
        try shop.waitFor("Storefront › Cart", "2 items   Total $14.50", "Eve Expiring (customer)")
    }

    @Test func aRememberedSessionSurvivesARestartAndLRemovesTheFile() throws {
        let server = try MarketplaceServer(databaseSuffix: Self.databaseSuffix)
        let email = uniqueEmail("remember")
        try server.register(name: "Rita Remembered", email: email, password: "secret1")
        let first = try TmuxSession(server: server.url)
        let file = first.home.appendingPathComponent("state/storefront/session.json").path
        try signIn(first, email, "secret1", as: "Rita Remembered (customer)")
        let attributes = try FileManager.default.attributesOfItem(atPath: file)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let folder = try FileManager.default.attributesOfItem(atPath: (file as NSString).deletingLastPathComponent)
        #expect((folder[.posixPermissions] as? Int) == 0o700)
        try first.press("q")
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline, (try? first.capture()) != nil { usleep(50_000) }

        let second = try TmuxSession(server: server.url, home: first.home)
        try second.waitFor("Welcome back, Rita Remembered.", "Rita Remembered (customer)", "Storefront › Browse")
        try second.press("L")
        try second.waitFor("Signed out; the remembered session is forgotten.", "Sign in to Storefront")
        #expect(!FileManager.default.fileExists(atPath: file))

        // --no-remember signs in without writing the file.
        let third = try TmuxSession(server: server.url, arguments: ["--no-remember"], home: first.home)
        try signIn(third, email, "secret1", as: "Rita Remembered (customer)")
        #expect(!FileManager.default.fileExists(atPath: file))
    }

    @Test func theCompactLayoutAt60x20CompletesACheckout() throws {
        // The server is kept to the end: a discarded one stops at once, under the checkout.
        let (server, _, _, shop) = try newShopperCheckingOut("Cy Compact", product: "Compact", quantity: 1, width: 60, height: 20)
        try withExtendedLifetime(server) {
            try shop.waitFor("Order placed. Thank you!", "0 · $0.00")
        }
    }

    @Test func aShopperCancelsTheOrderJustPlacedAndGetsTheStockAndMoneyBack() throws {
        let (server, product, email, shop) = try newShopperCheckingOut("Cal Cancel", product: "Regret", quantity: 2, width: 80, height: 24)
        let placed = try shop.waitFor("Order placed. Thank you!", "o: your orders")
        let paymentLine = placed.split(separator: "\n").first { $0.trimmingCharacters(in: .whitespaces).hasPrefix("Payment ") }
        let transaction = try #require(paymentLine?.split(separator: " ").last.map(String.init))
        try shop.press("o")
        try shop.waitFor("Placed (UTC)", "Confirmed", "1 of 1")
        try shop.press("Enter")
        let detail = try shop.waitFor("Storefront › Order", "Confirmed", "x cancel order")
        #expect(detail.contains(product.name))
        try shop.press("x")
        try shop.waitFor("and refund $19.80? y/n")
        try shop.press("y")
        let cancelled = try shop.waitFor("Cancelled", "is cancelled and $19.80 refunded.")
        #expect(!cancelled.contains("x cancel order"), "a cancelled order offers no cancel")
        // The list reads the orders again on the way back.
        try shop.press("Escape")
        let list = try shop.waitFor("Placed (UTC)", "Cancelled")
        #expect(markedRow(list).contains("Cancelled"))

        // The server agrees: the order Cancelled, its payment refunded and the two units back in stock.
        let client = MarketplaceClient(baseURL: server.url)
        let buyer = try token(client, email, "secret1")
        guard case .success(let orders) = client.perform(OrdersScreen.page(1), token: buyer), let order = orders.data.first,
              case .success(let payment) = client.perform(.data(Endpoints.payment, transaction), token: buyer),
              case .success(let stock) = client.perform(.stock([product.id]), token: nil) else {
            throw HarnessError("the order, its payment (\(transaction)) and the stock could not be read")
        }
        #expect(orders.data.count == 1 && order.status == .cancelled)
        #expect(payment.orderId == order.id && payment.status == .refunded)
        #expect(stock[product.id]?.quantity == 20)
    }

    @Test func aVendorShipsWhatAShopperOrderedDeliversItAndAnAdminFindsItByStatus() throws {
        let vendorEmail = uniqueEmail("shipper")
        let (server, product, _, shopper) = try newShopperCheckingOut("Sam Shopper", product: "Parcel", quantity: 1, width: 80, height: 24,
                                                                      vendor: vendorEmail)
        let placed = try shopper.waitFor("Order placed. Thank you!", "o: your orders")
        let orderLine = placed.split(separator: "\n").first { $0.trimmingCharacters(in: .whitespaces).hasPrefix("Order ") && !$0.contains("placed") }
        let orderID = try #require(orderLine?.split(separator: " ").last.map(String.init))
        let short = String(orderID.prefix(8))
        // The shopper's list stays open: it shows the new status on its own.
        try shopper.press("o")
        try shopper.waitFor("Placed (UTC)", "Confirmed", "1 of 1")

        // The vendor: O on their products opens the orders to ship, the new one with its line and address.
        let vendor = try TmuxSession(server: server.url, width: 80, height: 24)
        try signIn(vendor, vendorEmail, "secret1", as: "Vic Vendor (vendor)")
        try vendor.press("V")
        try vendor.waitFor("Storefront › My products", product.name)
        try vendor.press("O")
        let toShip = try vendor.waitFor("Storefront › Orders to ship", short, "To ship", "1 × \(product.name)", "1 Rue Neuve, 69001 Lyon, France")
        #expect(markedRow(toShip).contains(short))
        // The shared rule checks the tracking number before anything is sent.
        try vendor.press("s")
        try vendor.waitFor("Carrier", "Tracking", "Enter ship")
        try vendor.type("DHL")
        try vendor.press("Tab")
        try vendor.type(String(repeating: "9", count: InputRules.trackingNumber.maximum + 1))
        try vendor.press("Enter")
        try vendor.waitFor("Tracking number must be at most \(InputRules.trackingNumber.maximum) characters")
        try vendor.press("C-u")
        try vendor.type("1Z999AA10123456784")
        try vendor.press("Enter")
        try vendor.waitFor("Order \(short): your part is shipped via DHL, tracking 1Z999AA10123456784.")
        // Delivered only once shipped: the list shows Shipped, then D.
        try vendor.waitFor("Shipped")

        // The shopper's list refreshed by itself; the timeline has the carrier and tracking number, and no x.
        let shipped = try shopper.waitFor("Shipped", timeout: 20)
        #expect(markedRow(shipped).contains("Shipped"))
        try shopper.press("Enter")
        let timeline = try shopper.waitFor("Paid and confirmed", "Shipped via DHL, tracking 1Z999AA10123456784")
        #expect(!timeline.contains("x cancel order"), "a shipped order cannot be cancelled")

        try vendor.press("D")
        try vendor.waitFor("Order \(short): your part is delivered.")
        // The open detail reads the order again on its own.
        try shopper.waitFor("Delivered", timeout: 20)
        let delivered = try shopper.capture()
        #expect(delivered.contains("Order \(orderID)  Delivered"))

        // An admin: O on Low stock lists every order; f keeps one status at a time.
        let adminEmail = uniqueEmail("admin")
        try server.createAdmin(name: "Ada Admin", email: adminEmail, password: "admin-secret")
        let admin = try TmuxSession(server: server.url, width: 80, height: 24)
        try signIn(admin, adminEmail, "admin-secret", as: "Ada Admin (admin)")
        try admin.press("A")
        try admin.waitFor("Storefront › Low stock")
        try admin.press("O")
        try admin.waitFor("Storefront › All orders", "Status: all (f)", short, "1/1 sent")
        _ = try press(admin, "f", until: "Status: Confirmed (f)")
        let confirmedOnly = try admin.waitFor("Status: Confirmed (f)")
        #expect(!confirmedOnly.contains(short), "a delivered order is not among the confirmed ones")
        _ = try press(admin, "f", until: "Status: Delivered (f)")
        let deliveredOnly = try admin.waitFor("Status: Delivered (f)", short)
        #expect(markedRow(deliveredOnly).contains("Delivered"))
        #expect(deliveredOnly.contains("DHL"), "the pane shows the part: \(deliveredOnly)")
    }

    @Test func anAdminCancelsAConfirmedOrderFromAllOrders() throws {
        let (server, _, email, shopper) = try newShopperCheckingOut("Cora Cancelled", product: "Unwanted", quantity: 2, width: 60, height: 20)
        let placed = try shopper.waitFor("Order placed. Thank you!")
        let orderLine = placed.split(separator: "\n").first { $0.trimmingCharacters(in: .whitespaces).hasPrefix("Order ") && !$0.contains("placed") }
        let orderID = try #require(orderLine?.split(separator: " ").last.map(String.init))
        let short = String(orderID.prefix(8))
        let adminEmail = uniqueEmail("admin")
        try server.createAdmin(name: "Ada Admin", email: adminEmail, password: "admin-secret")
        let admin = try TmuxSession(server: server.url, width: 60, height: 20)
        try signIn(admin, adminEmail, "admin-secret", as: "Ada Admin")
        try admin.press("A")
        try admin.waitFor("Storefront › Low stock")
        try admin.press("O")
        try admin.waitFor("Storefront › All orders")
        // The newest order is first; the pane names it.
        try admin.waitFor(short)
        try admin.press("x")
        try admin.waitFor("Cancel order \(short) and refund the shopper $19.80? y/n")
        try admin.press("y")
        try admin.waitFor("Order \(short) is cancelled and $19.80 refunded.")
        let client = MarketplaceClient(baseURL: server.url)
        let buyer = try token(client, email, "secret1")
        guard case .success(let order) = client.perform(.data(Endpoints.order, orderID), token: buyer) else {
            throw HarnessError("the order \(orderID) could not be read")
        }
        #expect(order.status == .cancelled)
        // The order answers its refund, and the shopper's timeline tells both.
        let refund = try #require(order.refund, "a cancelled, paid order answers its refund")
        #expect(refund.amount.display == "$19.80")
        try shopper.press("o")
        // The order's row itself (the shopper's name, Cora Cancelled, is in the header before any row is).
        try shopper.waitFor("Placed (UTC)", "1 of 1", "$19.80")
        try shopper.press("Enter")
        let timeline = try shopper.waitFor("Paid and confirmed", "Refunded")
        #expect(!timeline.contains("x cancel order"))
        try shopper.waitFor("Refunded \(refund.amount.display) (payment \(refund.transactionId.prefix(8)))")
    }

    @Test func ctrlZAndFgBringTheClientBackIntactAndCtrlLRepaints() throws {
        let server = try MarketplaceServer(databaseSuffix: Self.databaseSuffix)
        _ = try stockedProducts(server, count: 1, units: 20, prefix: "Suspended")
        let shop = try TmuxSession(command: "bash --norc --noprofile -i")
        let client = ([TmuxSession.binary, "--server", server.url].map { "'\($0)'" } + ["--no-remember"]).joined(separator: " ")
        try shop.type(TmuxSession.folders(shop.home).joined(separator: " ") + " " + client)
        try shop.press("Enter")
        try shop.waitFor("Sign in to Storefront")
        try shop.type("someone@example.com")
        try shop.press("C-z")
        try shop.waitFor("Stopped")
        #expect(!(try shop.capture()).contains("Sign in to Storefront"))
        try shop.type("fg")
        try shop.press("Enter")
        // The same screen, with what was typed before the suspension.
        try shop.waitFor("Sign in to Storefront", "someone@example.com")
        try shop.press("Tab", "Tab", "Tab", "Tab", "Enter")
        // The catalogue loaded: nothing on screen changes on its own from here.
        try shop.waitFor("Storefront › Browse", "guest", "1 of ")
        // Something else writes on the terminal (a background job, wall): Ctrl-L paints it all again.
        let tty = try shell(shop.tmux, ["-L", shop.socket, "display-message", "-p", "-t", "shop", "#{pane_tty}"])
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let handle = try #require(FileHandle(forWritingAtPath: tty))
        handle.write(Data("\u{1b}[5;5HSTRAY-OUTPUT-STRAY".utf8))
        try handle.close()
        try shop.waitFor("STRAY-OUTPUT-STRAY")
        try shop.press("C-l")
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline, (try shop.capture()).contains("STRAY-OUTPUT") { usleep(50_000) }
        let repainted = try shop.capture()
        #expect(!repainted.contains("STRAY-OUTPUT") && repainted.contains("Storefront › Browse"))
        // Quitting leaves the shell in charge again (the arithmetic shows it ran, not just that it was typed).
        try shop.press("q")
        let gone = Date().addingTimeInterval(10)
        while Date() < gone, (try shop.capture()).contains("Storefront › Browse") { usleep(50_000) }
        try shop.type("echo back-in-$((20+22))")
        try shop.press("Enter")
        try shop.waitFor("back-in-42")
    }

    @Test func exitStatusesAre0ForQuit1ForCannotRunAnd2ForUsage() throws {
        func status(_ arguments: [String], environment: [String: String] = [:]) throws -> Int32 {
            var env = ProcessInfo.processInfo.environment
            env.merge(environment) { $1 }
            let pid = try spawn(TmuxSession.binary, arguments, environment: env)
            guard let status = wait(pid, timeout: 20) else { kill(pid, SIGKILL); throw HarnessError("storefront \(arguments) did not end") }
            return (status >> 8) & 0xff
        }
        #expect(try status(["--help"]) == 0)
        #expect(try status(["--colour"]) == 2)
        #expect(try status(["--idle-timeout", "soon"]) == 2)
        #expect(try status(["--theme", "no-such-theme"]) == 2)
        let home = try TmuxSession.makeHome()
        let config = home.appendingPathComponent("config/storefront")
        try FileManager.default.createDirectory(at: config, withIntermediateDirectories: true)
        try "mouse = maybe\n".write(to: config.appendingPathComponent("config.toml"), atomically: true, encoding: .utf8)
        #expect(try status([], environment: ["XDG_CONFIG_HOME": home.appendingPathComponent("config").path]) == 2)
        // No terminal (standard input is /dev/null here): it cannot run.
        #expect(try status(["--no-remember"]) == 1)

        let server = try MarketplaceServer(databaseSuffix: Self.databaseSuffix)
        // The shell that runs the client writes its exit status to a file (a pane's last
        // lines are not always on screen once tmux marks it dead).
        let statusFile = home.appendingPathComponent("exit-status").path
        let client = ([TmuxSession.binary, "--server", server.url, "--no-remember"]).map { "'\($0)'" }.joined(separator: " ")
        let shop = try TmuxSession(command: "sh -c \"" + client + "; echo \\$? > '\(statusFile)'\"")
        try shop.waitFor("Sign in to Storefront")
        try shop.press("Tab", "Tab", "Tab", "Tab", "Enter")
        try shop.waitFor("Storefront › Browse")
        try shop.press("q")
        let deadline = Date().addingTimeInterval(15)
        var written = ""
        repeat {
            usleep(50_000)
            written = (try? String(contentsOfFile: statusFile, encoding: .utf8)) ?? ""
        } while !written.hasSuffix("\n") && Date() < deadline
        #expect(written == "0\n", "exit status after q: \(written.isEmpty ? "none within 15 s" : written)")
    }

    /// An xterm (X10) mouse report of the wheel turned down at the top-left cell, as a terminal sends it.
    static let wheelDown = "\u{1b}[Ma!!"

    @Test func theWheelScrollsTheCatalogueUnlessTheMouseIsLeftToTheTerminal() throws {
        let server = try MarketplaceServer(databaseSuffix: Self.databaseSuffix)
        _ = try stockedProducts(server, count: 6, units: 20, prefix: "Wheel")
        let shop = try TmuxSession(server: server.url)
        try shop.waitFor("Sign in to Storefront")
        try shop.press("Tab", "Tab", "Tab", "Tab", "Enter")
        try shop.waitFor("1 of ")
        try shop.type(Self.wheelDown)
        try shop.waitFor("4 of ")

        let plain = try TmuxSession(server: server.url, arguments: ["--no-mouse"])
        try plain.waitFor("Sign in to Storefront")
        try plain.press("Tab", "Tab", "Tab", "Tab", "Enter")
        try plain.waitFor("1 of ")
        try plain.type(Self.wheelDown)
        // Without the mouse the report is only keys the screen does not use; j then proves input is read.
        try plain.press("j")
        let screen = try plain.waitFor("2 of ")
        #expect(!screen.contains("4 of ") && !screen.contains("5 of "))
    }
}
