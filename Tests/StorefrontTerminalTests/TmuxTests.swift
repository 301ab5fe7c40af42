import Foundation
import MarketplaceAPI
import StorefrontCore
import StorefrontHTTP
import Testing

/// The real `storefront` binary in tmux against a real marketplace server the
/// test starts itself. Screens are polled until text appears, with deadlines.
@Suite("storefront in tmux", .serialized)
struct TmuxTests {
    @Test func theSignInScreenAppearsWithItsKeys() throws {
        let server = try MarketplaceServer()
        let shop = try TmuxSession(server: server.url)
        let screen = try shop.waitFor("Sign in to Storefront", "Tab next", "Enter sign in")
        #expect(screen.contains("Email"))
        #expect(screen.contains("[ Create an account ]"))
        try shop.press("F1")
        try shop.waitFor("Keys: Sign in", "Press any key to close this help.")
        try shop.press("Escape")
        try shop.waitFor("New here?")
    }

    @Test func aNewShopperRegistersAndThenSignsIn() throws {
        let server = try MarketplaceServer()
        let shop = try TmuxSession(server: server.url)
        let email = uniqueEmail("shopper")
        try shop.waitFor("Sign in to Storefront")
        try shop.press("Tab", "Tab", "Tab", "Enter")
        try shop.waitFor("Create a Storefront account")
        // Validation before any request: nothing typed yet.
        try shop.press("Tab", "Tab", "Tab", "Tab", "Enter")
        try shop.waitFor("Name is required", "Email is required", "Password is required")
        try shop.typeFields("Zoë Tester", email, "secret1")
        try shop.press("Enter")
        try shop.waitFor("Welcome, Zoë Tester! Your account is ready.", "Zoë Tester (customer)", "online")

        // The profile's theme is saved to the user service and applies at once
        // (mono draws with ASCII: the breadcrumb becomes ">"). Themes are listed in
        // `ThemeName` order: dark, light, high-contrast, mono; a new account has light.
        try shop.press("u")
        try shop.waitFor("Newsletter", "Theme")
        try shop.press("Tab", "Tab", "Right", "Right", "Enter")
        try shop.waitFor("Profile saved.", " Storefront > Profile")

        // Addresses: the form checks required fields before sending (a saved
        // address may lack a postal code), then the new address is listed; it
        // can be made the default and deleted.
        try shop.press("Tab", "Tab")
        try shop.waitFor("a add", "d delete", "* default", "none saved yet: a adds one")
        try shop.press("a")
        try shop.waitFor("A new address", " Storefront > New address")
        try shop.press("Enter")
        try shop.waitFor("Street is required", "City is required", "Country is required")
        #expect(!(try shop.capture().contains("Postal code is required")))
        try shop.typeFields("12 Tmux Lane", "Testville")
        try shop.press("Tab", "Tab")
        try shop.typeFields("10001", "Narnia")
        try shop.press("Enter")
        try shop.waitFor("Address added.", "12 Tmux Lane, Testville, 10001, Narnia", " Storefront > Profile")
        #expect(!(try shop.capture().contains("(default)")))
        try shop.press("*")
        try shop.waitFor("Default address changed.", "12 Tmux Lane, Testville, 10001, Narnia  (default)")
        try shop.press("d")
        try shop.waitFor("Delete the address at 12 Tmux Lane? y deletes it, any other key keeps it.")
        try shop.press("y")
        try shop.waitFor("Address deleted.", "none saved yet: a adds one")
        try shop.press("Escape")
        try shop.waitFor(" Storefront > Browse")

        try shop.press("L")
        try shop.waitFor("Signed out", "Sign in to Storefront")
        try shop.typeFields(email, "wrong-password")
        try shop.press("Enter")
        try shop.waitFor("Invalid email or password.")
        try shop.type("secret1")
        try shop.press("Enter")
        try shop.waitFor("Signed in as Zoë Tester.", "Zoë Tester (customer)")
    }

    @Test func aStoppedServerShowsAMessageAndTheClientRecoversWhenItReturns() throws {
        let server = try MarketplaceServer()
        let email = uniqueEmail("offline")
        try server.register(name: "Otto Offline", email: email, password: "secret1")
        let shop = try TmuxSession(server: server.url)
        try shop.waitFor("Sign in to Storefront")
        try shop.typeFields(email, "secret1")

        server.stop()
        try shop.press("Enter")
        try shop.waitFor("Cannot reach \(server.url): connection refused. Press Enter to retry.", "offline")

        try server.start()
        try shop.press("Enter")
        try shop.waitFor("Signed in as Otto Offline.", "Otto Offline (customer)", "online")
    }

    @Test func theBinaryCopiedAloneIntoAnEmptyFolderStartsWithItsBuiltInThemes() throws {
        // No themes/ beside it, an empty HOME, nothing of the environment but the terminal's.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sf-lone-\(UUID().uuidString)")
        let home = folder.appendingPathComponent("home"), binary = folder.appendingPathComponent("storefront")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.copyItem(atPath: TmuxSession.binary, toPath: binary.path)
        for theme in ["light", "high-contrast", "mono"] {
            let shop = try TmuxSession(command: "sh -c 'cd \(folder.path) && exec env -i HOME=\(home.path) TERM=screen LANG=C.UTF-8 ./storefront --server http://127.0.0.1:9 --theme \(theme)'")
            // The shop's first screen: no theme error, no exit.
            try shop.waitFor("Sign in to Storefront", "Browse as guest")
            #expect(try !shop.paneIsDead())
            try shop.press("C-c")
            let deadline = Date().addingTimeInterval(10)
            while Date() < deadline, try !shop.paneIsDead() { usleep(50_000) }
            #expect(try shop.paneIsDead(), "storefront should have exited after Ctrl-C (theme \(theme))")
            #expect(!(try shop.capture()).contains("theme error"))
        }
    }

    @Test func aTerminalBelow60x20GetsThePlainTooSmallPage() throws {
        let server = try MarketplaceServer()
        let shop = try TmuxSession(server: server.url, width: 56, height: 18)
        try shop.waitFor("Terminal too small", "Storefront needs at least 60×20", "this one is 56×18.")
        try shop.press("q")
        // Quitting ends the program, and with it the tmux session.
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline, (try? shop.capture()) != nil { usleep(50_000) }
        #expect((try? shop.capture()) == nil, "storefront should have exited after q")
    }

    @Test func aShopperBrowsesFiltersSearchesAndFillsTheCart() throws {
        let server = try MarketplaceServer()
        try server.seed(products: 30)
        // Pick two seeded products with stock to spare, through the public routes.
        let client = MarketplaceClient(baseURL: server.url)
        guard case .success(let page) = client.perform(BrowseScreen.page(ProductQuery(limit: 30)), token: nil),
              case .success(let levels) = client.perform(.stock(page.data.map(\.id)), token: nil) else {
            throw HarnessError("the seeded catalogue could not be read")
        }
        #expect(page.pagination.total == 30)
        let stocked = page.data.filter { (levels[$0.id] ?? nil).map { $0.quantity >= 3 } ?? false }
        let first = try #require(stocked.first)
        let second = try #require(stocked.first { $0.name != first.name && $0.category != first.category })

        let email = uniqueEmail("browser")
        try server.register(name: "Bea Browser", email: email, password: "secret1")
        let shop = try TmuxSession(server: server.url)
        try shop.waitFor("Sign in to Storefront")
        try shop.typeFields(email, "secret1")
        try shop.press("Enter")
        try shop.waitFor("1 of 30 products · newest first", "Bea Browser (customer)")

        try shop.press("f")
        try shop.waitFor("Type to filter:")
        try shop.type(first.category)
        try shop.press("Enter")
        try shop.waitFor("Category \(first.category)")
        try shop.press("/")
        try shop.type(first.name)
        try shop.press("Enter")
        // The previous list also read "1 of 1": wait for the found product itself.
        try shop.waitFor("Search \"\(first.name)\"", "1 of 1 products", first.price.display)

        try shop.press("Enter")
        try shop.waitFor("Quantity  [-] 1 [+]", "[ Add to cart ]")
        try shop.press("+")
        try shop.waitFor("Quantity  [-] 2 [+]")
        try shop.press("Enter")
        try shop.waitFor("Added 2 × \(first.name). Cart: 2 items, \((first.price * 2).display).")

        try shop.press("Escape")
        try shop.waitFor("Search \"\(first.name)\"")
        try shop.press("x")
        try shop.waitFor("Category all", "1 of 30 products")
        try shop.press("/")
        try shop.type(second.name)
        try shop.press("Enter")
        try shop.waitFor("Search \"\(second.name)\"", "1 of 1 products", second.price.display)
        try shop.press("Enter")
        try shop.waitFor("[ Add to cart ]")
        try shop.press("a")
        try shop.waitFor("Added 1 × \(second.name). Cart: 3 items, \((first.price * 2 + second.price).display).")

        try shop.press("c")
        let cart = try shop.waitFor("3 items   Total \((first.price * 2 + second.price).display)")
        #expect(cart.contains(first.name) && cart.contains(second.name))
        try shop.press("-")
        let total = (first.price + second.price).display
        try shop.waitFor("2 items   Total \(total)")

        // Checkout: a declined test card first (the cart stays), then one that succeeds.
        try shop.press("Enter")
        try shop.waitFor("Checkout: 2 items, \(total)", "[ Place order ]")
        try shop.typeAddress()
        try shop.press("Tab", "Right", "Enter")
        try shop.waitFor("Payment declined:", "Your cart is kept.")
        try shop.press("Left", "Enter")
        let placed = try shop.waitFor("Order placed. Thank you!", "Payment ")
        #expect(placed.contains(total))
        try shop.press("o")
        let history = try shop.waitFor("Confirmed", "Placed (UTC)")
        #expect(history.contains(total))
        try shop.press("Enter")
        try shop.waitFor("Ships to  1 Rue Neuve, 69001 Lyon, France", first.name, second.name)
    }

    @Test func aShopperSeesWhoSellsAProductAndListsMoreFromThem() throws {
        let server = try MarketplaceServer()
        let tag = String(UUID().uuidString.prefix(6))
        let vendorEmail = uniqueEmail("maker")
        let vendorName = "Mira Maker \(tag)"
        try server.register(name: vendorName, email: vendorEmail, password: "secret1", role: .vendor)
        let client = MarketplaceClient(baseURL: server.url)
        guard case .success(let vendor) = client.perform(LoginScreen.signIn(email: vendorEmail, password: "secret1"), token: nil) else {
            throw HarnessError("the vendor could not sign in")
        }
        for (name, price) in [("Bowl \(tag)", "12.00"), ("Cup \(tag)", "8.50")] {
            let input = ProductInput(name: name, description: "Stoneware, glazed by hand.", price: Money(price)!, category: "Kitchen")
            guard case .success = client.perform(.data(Endpoints.createProduct, body: input), token: vendor.token) else {
                throw HarnessError("\(name) could not be created")
            }
        }
        let email = uniqueEmail("shopper")
        try server.register(name: "Sam Shopper", email: email, password: "secret1")
        let shop = try TmuxSession(server: server.url)
        try shop.waitFor("Sign in to Storefront")
        try shop.typeFields(email, "secret1")
        try shop.press("Enter")
        try shop.waitFor("Sam Shopper (customer)", " products · newest first")
        try shop.press("/")
        try shop.type("Cup \(tag)")
        try shop.press("Enter")
        try shop.waitFor("Search \"Cup \(tag)\"", "1 of 1 products", "$8.50")
        try shop.press("Enter")
        try shop.waitFor("Sold by \(vendorName)", "Quantity  [-] 1 [+]")
        try shop.press("v")
        // The catalogue of that vendor alone: both products, the filter named in the header.
        let theirs = try shop.waitFor("Vendor \(vendorName)", "1 of 2 products")
        #expect(theirs.contains("Bowl \(tag)") && theirs.contains("Cup \(tag)"))
        try shop.press("x")
        try shop.waitFor("Category all", "Search none")
        #expect(try !shop.capture().contains("Vendor \(vendorName)"))
        try shop.press("Escape")
        try shop.waitFor("Sold by \(vendorName)")
    }

    @Test func aVendorFiltersTheirProductsWithSlash() throws {
        let server = try MarketplaceServer()
        let tag = String(UUID().uuidString.prefix(6))
        let email = uniqueEmail("filterer")
        try server.register(name: "Fia Filter", email: email, password: "secret1", role: .vendor)
        let client = MarketplaceClient(baseURL: server.url)
        guard case .success(let vendor) = client.perform(LoginScreen.signIn(email: email, password: "secret1"), token: nil) else {
            throw HarnessError("the vendor could not sign in")
        }
        for name in ["Teapot \(tag)", "Kettle \(tag)", "Teacup \(tag)"] {
            let input = ProductInput(name: name, description: "Cast iron.", price: Money("20.00")!, category: "Kitchen")
            guard case .success = client.perform(.data(Endpoints.createProduct, body: input), token: vendor.token) else {
                throw HarnessError("\(name) could not be created")
            }
        }
        let shop = try TmuxSession(server: server.url)
        try shop.waitFor("Sign in to Storefront")
        try shop.typeFields(email, "secret1")
        try shop.press("Enter")
        try shop.waitFor("Fia Filter (vendor)")
        try shop.press("V")
        try shop.waitFor("Kettle \(tag)", "1 of 3")
        // Typing narrows at once; Enter keeps the filter; Esc clears it; Esc again goes back.
        try shop.press("/")
        try shop.type("tea")
        let narrowed = try shop.waitFor("Filter: tea", "1 of 2")
        #expect(!narrowed.contains("Kettle \(tag)"))
        try shop.press("Enter")
        try shop.waitFor("Filter \"tea\"", "Esc clear filter")
        try shop.press("Escape")
        try shop.waitFor("Kettle \(tag)", "1 of 3")
        try shop.press("Escape")
        try shop.waitFor("Storefront › Browse")
    }

    /// An editor for `EDITOR='<script> "line"'`: it appends its first argument to the file it
    /// is given (the second), and notes the file's path and mode in its folder first.
    static func editorScript() throws -> (script: URL, folder: URL) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("storefront-editor-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let script = folder.appendingPathComponent("append-line")
        try """
            #!/bin/sh
            stat -c %a "$2" > '\(folder.path)/mode'
            printf '%s\\n' "$2" > '\(folder.path)/path'
            printf '%s\\n' "$1" >> "$2"
            """.write(to: script, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: script.path)
        return (script, folder)
    }

    /// A server, a vendor signed in through the API and one product of theirs in Kitchen.
    static func vendorWithProduct(_ vendorName: String, email prefix: String, product: String, description: String, price: String) throws
        -> (server: MarketplaceServer, client: MarketplaceClient, email: String, vendor: LoginResponse, name: String, product: Product) {
        let server = try MarketplaceServer()
        let email = uniqueEmail(prefix)
        try server.register(name: vendorName, email: email, password: "secret1", role: .vendor)
        let client = MarketplaceClient(baseURL: server.url)
        guard case .success(let vendor) = client.perform(LoginScreen.signIn(email: email, password: "secret1"), token: nil) else {
            throw HarnessError("the vendor could not sign in")
        }
        let name = "\(product) \(UUID().uuidString.prefix(6))"
        let input = ProductInput(name: name, description: description, price: Money(price)!, category: "Kitchen")
        guard case .success(let created) = client.perform(.data(Endpoints.createProduct, body: input), token: vendor.token) else {
            throw HarnessError("\(name) could not be created")
        }
        return (server, client, email, vendor, name, created)
    }

    @Test func aVendorEditsADescriptionInTheirEditor() throws {
        let (server, client, email, _, name, product) = try Self.vendorWithProduct("Wes Writer", email: "writer", product: "Tetsubin", description: "Cast iron, 0.9 l.\nEnamelled inside.", price: "64.00")
        let editor = try Self.editorScript()
        defer { try? FileManager.default.removeItem(at: editor.folder) }
        // An editor with an argument of its own: the file's path comes after it, as "$1" of sh -c.
        // (The harness quotes each variable in single quotes: the line is in double quotes.)
        let shop = try TmuxSession(server: server.url, environment: ["VISUAL": "", "EDITOR": "\(editor.script.path) \"Seasoned before it ships.\""])
        try shop.waitFor("Sign in to Storefront")
        try shop.typeFields(email, "secret1")
        try shop.press("Enter")
        try shop.waitFor("Wes Writer (vendor)")
        try shop.press("V")
        try shop.waitFor("Storefront › My products", name)
        try shop.pressEnter(untilShows: "Editing \(name)")
        try shop.waitFor("Editing \(name)", "Cast iron, 0.9 l.", "Enamelled inside.")
        try shop.press("Tab")
        try shop.waitFor("e or Enter: edit in your editor", "e edit")
        try shop.press("e")
        // Back from the editor: the form is painted again with the line the editor added.
        try shop.waitFor("Editing \(name)", "Enamelled inside.", "Seasoned before it ships.", "e edit")
        let path = try String(contentsOf: editor.folder.appendingPathComponent("path"), encoding: .utf8).trimmingCharacters(in: .newlines)
        #expect(try String(contentsOf: editor.folder.appendingPathComponent("mode"), encoding: .utf8) == "600\n")
        #expect(!FileManager.default.fileExists(atPath: path), "the temporary file is removed")
        try shop.press("Tab", "Enter")
        try shop.waitFor("\(name) saved.")
        guard case .success(let saved) = client.perform(.productsByID([product.id]), token: nil), let stored = saved[product.id] else {
            throw HarnessError("\(name) could not be read back")
        }
        #expect(stored.description == "Cast iron, 0.9 l.\nEnamelled inside.\nSeasoned before it ships.")
    }

    @Test func anEditorThatFailsLeavesTheDescriptionWithAMessage() throws {
        let (server, _, email, _, name, _) = try Self.vendorWithProduct("Quinn Quitter", email: "quitter", product: "Kettle", description: "Copper, 1.2 l.", price: "48.00")
        // VISUAL wins over EDITOR: an editor that gives up (status 3) without touching the file.
        let shop = try TmuxSession(server: server.url, environment: ["VISUAL": "exit 3;", "EDITOR": "true"])
        try shop.waitFor("Sign in to Storefront")
        try shop.typeFields(email, "secret1")
        try shop.press("Enter")
        try shop.waitFor("Quinn Quitter (vendor)")
        try shop.press("V")
        try shop.waitFor("Storefront › My products", name)
        try shop.pressEnter(untilShows: "Editing \(name)")
        try shop.waitFor("Editing \(name)", "Copper, 1.2 l.")
        try shop.press("Tab", "Enter")
        try shop.waitFor("The editor exited with status 3: the description is unchanged.", "Copper, 1.2 l.")
    }

    @Test func aKioskTypesTheDescriptionInPlaceAndStartsNoEditor() throws {
        let (server, client, _, vendor, name, product) = try Self.vendorWithProduct("Kai Kiosk", email: "kioskvendor", product: "Trivet", description: "Cast iron.", price: "18.00")
        let editor = try Self.editorScript()
        defer { try? FileManager.default.removeItem(at: editor.folder) }
        // A session the SSH service signed in; an editor is set but must never start.
        let shop = try TmuxSession(server: server.url, arguments: ["--kiosk"], environment: [
            "STOREFRONT_SESSION_TOKEN": vendor.token, "VISUAL": "", "EDITOR": "\(editor.script.path) \"Not from a kiosk.\"",
        ])
        try shop.waitFor(" Storefront › Browse")
        try shop.press("V")
        try shop.waitFor("Storefront › My products", name)
        try shop.pressEnter(untilShows: "Editing \(name)")
        try shop.waitFor("Editing \(name)", "Cast iron.")
        try shop.press("Tab")
        try shop.waitFor("Enter new line")
        // e is typed here; Enter starts a new line.
        try shop.type(" Heavy")
        try shop.press("Enter")
        try shop.type("Typed in the kiosk.")
        try shop.waitFor("Cast iron. Heavy", "Typed in the kiosk.")
        try shop.press("Tab", "Enter")
        try shop.waitFor("\(name) saved.")
        #expect(!FileManager.default.fileExists(atPath: editor.folder.appendingPathComponent("path").path), "no editor ran")
        guard case .success(let saved) = client.perform(.productsByID([product.id]), token: nil), let stored = saved[product.id] else {
            throw HarnessError("\(name) could not be read back")
        }
        #expect(stored.description == "Cast iron. Heavy\nTyped in the kiosk.")
    }

    @Test func anAdminSeesLowStockWithNamesAndRestocksInPlace() throws {
        let server = try MarketplaceServer()
        try server.seed(products: 30)
        let client = MarketplaceClient(baseURL: server.url)
        // Earlier runs' `seed --fresh` leave stock rows of removed products: pick a row whose product exists.
        guard case .success(let low) = client.perform(LowStockScreen.page(1), token: nil),
              case .success(let named) = client.perform(.productsByID(low.data.map(\.productId)), token: nil),
              // (and not the lamp the vendor test below restocks at the same time)
              let row = low.data.firstIndex(where: { named[$0.productId].map { !$0.name.hasPrefix("Lampe Bergère") } ?? false }) else {
            throw HarnessError("the seeded catalogue has nothing low in stock to restock")
        }
        let first = low.data[row]
        let product = named[first.productId]!
        let email = uniqueEmail("admin")
        try server.createAdmin(name: "Ada Admin", email: email, password: "admin-secret")
        let shop = try TmuxSession(server: server.url, width: 100, height: 30)
        try shop.waitFor("Sign in to Storefront")
        try shop.typeFields(email, "admin-secret")
        try shop.press("Enter")
        // (The vendor test below may add a product meanwhile: no count here.)
        try shop.waitFor("Ada Admin (admin)", " products · newest first")
        try shop.press("A")
        // The stale rows earlier runs leave may push the product below the first screenful.
        try shop.waitFor("Storefront › Low stock", " of ")
        // Rows come in the server's order and other tests add some: find the product's row and restock it with 40 units.
        try shop.selectRow(containing: product.name, moves: 200)
        try shop.press("Enter")
        try shop.waitFor("Add units to")
        try shop.type("40")
        try shop.press("Enter")
        try shop.waitFor("\(product.name): now \(first.quantity + 40) in stock.")
        guard case .success(let levels) = client.perform(.stock([product.id]), token: nil),
              let level = levels[product.id] ?? nil else { throw HarnessError("stock of \(product.name) unreadable") }
        #expect(level.quantity == first.quantity + 40)
    }

    @Test func aVendorCreatesAProductWithStockAndAnAdminRestocksIt() throws {
        let server = try MarketplaceServer()
        let vendorEmail = uniqueEmail("vendor")
        try server.register(name: "Vera Vendor", email: vendorEmail, password: "secret1", role: .vendor)
        let name = "Lampe Bergère 灯 \(UUID().uuidString.prefix(4))"
        // The description is written in the vendor's editor: this one adds its argument to the file.
        let editor = try Self.editorScript()
        defer { try? FileManager.default.removeItem(at: editor.folder) }
        let shop = try TmuxSession(server: server.url, environment: ["VISUAL": "", "EDITOR": "\(editor.script.path) \"A brass reading lamp with a linen shade.\""])
        try shop.waitFor("Sign in to Storefront")
        try shop.typeFields(vendorEmail, "secret1")
        try shop.press("Enter")
        try shop.waitFor("Vera Vendor (vendor)")
        try shop.press("V")
        try shop.waitFor("You have no products yet. Press n to create one.")
        try shop.press("n")
        try shop.waitFor("A new product")
        try shop.typeFields(name)
        try shop.press("Tab", "e")
        try shop.waitFor("A brass reading lamp with a linen shade.")
        try shop.press("Tab")
        try shop.typeFields("89.90", "Home", "https://images.storefront.test/lamp.jpg")
        try shop.press("Enter")
        try shop.waitFor("\(name) created. Add stock with +.", "$89.90")
        try shop.press("+")
        try shop.waitFor("Add units to")
        try shop.type("3")
        try shop.press("Enter")
        try shop.waitFor("Stock is now 3.")

        // Three is below the default threshold of ten: the admin sees it and restocks it.
        let client = MarketplaceClient(baseURL: server.url)
        guard case .success(let low) = client.perform(LowStockScreen.page(1), token: nil),
              case .success(let named) = client.perform(.productsByID(low.data.map(\.productId)), token: nil),
              low.data.contains(where: { named[$0.productId]?.name == name }) else {
            throw HarnessError("\(name) is not in the low-stock list")
        }
        let adminEmail = uniqueEmail("admin")
        try server.createAdmin(name: "Ada Admin", email: adminEmail, password: "admin-secret")
        let admin = try TmuxSession(server: server.url, width: 100, height: 40)
        try admin.waitFor("Sign in to Storefront")
        try admin.typeFields(adminEmail, "admin-secret")
        try admin.press("Enter")
        try admin.waitFor("Ada Admin (admin)")
        try admin.press("A")
        // Rows left by earlier runs may push the new product below the first screenful: find it.
        try admin.waitFor("Storefront › Low stock", " of ")
        try admin.selectRow(containing: name, moves: 200)
        try admin.press("Enter")
        try admin.type("20")
        try admin.press("Enter")
        try admin.waitFor("\(name): now 23 in stock.")
    }
}

extension TmuxSession {
    /// Enter on a list, again while the screen it opens has not come (at most three
    /// presses, 5 s each): a CI run once saw My products take no notice of an Enter
    /// sent the moment its row showed.
    func pressEnter(untilShows text: String) throws {
        for attempt in 1...3 {
            try press("Enter")
            do {
                _ = try waitFor(text, timeout: 5)
                return
            } catch where attempt < 3 {
                continue
            }
        }
    }
}

