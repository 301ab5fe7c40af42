import Foundation
import MarketplaceAPI
import Testing
@testable import StorefrontCore

/// The repository's root, found from this file so tests run from any folder.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

func shippedTheme(_ name: String) throws -> Theme {
    try ThemeLibrary(folders: [repositoryRoot.appendingPathComponent("themes").path]).load(name)
}

/// Runs messages through `update`, collecting every command.
func run(_ model: Model, _ messages: [Msg]) -> (Model, [Command]) {
    var model = model
    var all: [Command] = []
    for message in messages {
        let (next, commands) = update(model, message)
        model = next
        all += commands
    }
    return (model, all)
}

func keys(_ text: String) -> [Msg] { text.map { .key(.char($0)) } }

func key(_ key: Key) -> Msg { .key(key) }

let standardSize = Size(width: 80, height: 24)

func freshModel(kiosk: Bool = false, size: Size = standardSize, glyphs: Glyphs = .unicode) -> Model {
    // An explicit theme, so signing in does not also ask for the account's theme preference.
    Model.start(options: AppOptions(serverURL: "http://127.0.0.1:9", themeExplicit: true, kiosk: kiosk, kioskIdleSeconds: 30), size: size, glyphs: glyphs).0
}

let ann = UserSummary(id: "7d1d7c4e-0000-4000-8000-000000000001", name: "Ann Lee", email: "ann@example.com", role: .customer)

extension Command {
    var sentRequest: (RequestID, AnyRequest)? {
        if case .send(let id, let request, _) = self { return (id, request) }
        return nil
    }
}

extension AnyRequest {
    /// The one call the request makes, unless it is a compound one.
    var call: Call? {
        if case .call(let call) = question { return call }
        return nil
    }

    /// It is one call of this route.
    func calls<Body, Reply>(_ endpoint: Endpoint<Body, Reply>) -> Bool { call?.route == endpoint.route }

    /// The call's JSON body, read back.
    func body<Body: Decodable>(as type: Body.Type) -> Body? {
        call?.body.flatMap { try? JSONDecoder().decode(type, from: $0) }
    }

    /// What a checkout sends: the address, the payment method and the idempotency key.
    var checkout: (address: ShippingAddress, method: String, key: String)? {
        guard calls(Endpoints.checkout), let order = body(as: CheckoutRequest.self), let to = order.shippingAddress,
              let method = order.paymentMethod, let key = header("Idempotency-Key") else { return nil }
        return (ShippingAddress(street: to.street ?? "", city: to.city ?? "", zip: to.zip ?? "", country: to.country ?? ""), method, key)
    }

    /// The value of one of the call's own headers.
    func header(_ name: String) -> String? {
        call?.headers.first { $0.hasPrefix(name + ": ") }.map { String($0.dropFirst(name.count + 2)) }
    }
}

/// Compares a frame with `__Snapshots__/<name>.txt` (its text, then its role
/// mask). A missing golden fails; `UPDATE_GOLDENS=1 swift test` rewrites them.
func assertGolden(_ frame: Frame, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("__Snapshots__")
    let file = folder.appendingPathComponent(name + ".txt")
    let actual = frame.text() + "\n--- roles ---\n" + frame.roleMask() + "\n"
    if ProcessInfo.processInfo.environment["UPDATE_GOLDENS"] == "1" {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try actual.write(to: file, atomically: true, encoding: .utf8)
        return
    }
    guard let expected = try? String(contentsOf: file, encoding: .utf8) else {
        Issue.record("missing golden file \(file.path); run UPDATE_GOLDENS=1 swift test to record it", sourceLocation: sourceLocation)
        return
    }
    if expected != actual {
        let actualFile = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent(name + ".actual.txt")
        try? actual.write(to: actualFile, atomically: true, encoding: .utf8)
        let expectedLines = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let actualLines = actual.split(separator: "\n", omittingEmptySubsequences: false)
        let first = zip(expectedLines, actualLines).enumerated().first { $0.element.0 != $0.element.1 }
        let detail = first.map { "line \($0.offset + 1):\n  expected: \($0.element.0)\n  actual:   \($0.element.1)" } ?? "line counts differ"
        Issue.record("frame differs from \(file.lastPathComponent) (\(detail)); actual written to \(actualFile.path)", sourceLocation: sourceLocation)
    }
}

let fixtureDate = Date(timeIntervalSince1970: 1_790_000_000)

/// A catalogue page with accents, wide characters and a long name.
func fixtureProducts(count: Int = 20) -> [Product] {
    let names = ["Spicy Olive Oil", "Tetsubin Teapot 鉄瓶", "Crème Brûlée Torch", "Fjäll Atlas", "Wireless Mechanical Keyboard with Extra-Long Braided Cable",
                 "Rainbow Piñata", "Cedar Hammock", "Merino Linen Shirt", "抹茶 Matcha Set", "Trail Tennis Racket"]
    let categories = ["Grocery", "Kitchen", "Kitchen", "Books", "Electronics", "Toys", "Garden", "Clothing", "Grocery", "Sports"]
    return (0..<count).map { index in
        Product(id: String(format: "p%03d", index), name: names[index % names.count] + " No. \(index / names.count + 1)",
                description: "A fine \(names[index % names.count].lowercased()) from the demo catalogue. Ships in 2–4 days; returns within 30 days.",
                price: Money("\(10 + index * 7).\(index % 2 == 0 ? "50" : "99")")!, category: categories[index % categories.count],
                images: ["https://images.storefront.test/\(index).jpg"], userId: "vendor-1", createdAt: fixtureDate, updatedAt: fixtureDate, vendorName: "Kato & Daughters")
    }
}

/// Stock for the fixture products: out, low, plenty; the last one's is not known.
func fixtureStock(_ products: [Product]) -> [String: ProductStock] {
    var levels: [String: ProductStock] = [:]
    for (index, product) in products.enumerated().dropLast() {
        let quantity = index == 1 ? 0 : index == 2 ? 3 : 40
        levels[product.id] = ProductStock(InventoryLevel(productId: product.id, quantity: quantity, lowStockThreshold: 10, lastUpdated: fixtureDate))
    }
    return levels
}

/// Signed in as Ann, on the browse screen with page 1 of 3 and its stock loaded,
/// the header showing her cart.
func browsingModel(size: Size = standardSize, glyphs: Glyphs = .unicode) -> Model {
    let typed = run(freshModel(size: size, glyphs: glyphs), keys("ann@example.com") + [key(.tab)] + keys("secret1") + [key(.enter)]).0
    let signedIn = run(typed, [.reply(1, .success(LoginResponse(token: "t", user: ann)))]).0
    let products = fixtureProducts()
    let page = PageEnvelope(data: products, pagination: Pagination(page: 1, limit: 20, total: 47))
    let listed = run(signedIn, [.reply(2, .success(page))]).0
    // -1: the header's question for the cart, asked on signing in.
    var model = run(listed, [.reply(3, .success(fixtureStock(products))), .reply(-1, .success(fixtureCart()))]).0
    model.notice = nil
    return model
}

func fixtureCart() -> Cart {
    let products = fixtureProducts()
    let items = [LineItem(productId: products[0].id, name: products[0].name, price: products[0].price, quantity: 2),
                 LineItem(productId: products[1].id, name: products[1].name, price: products[1].price, quantity: 1),
                 LineItem(productId: products[4].id, name: products[4].name, price: products[4].price, quantity: 3)]
    let total = items.reduce(Money.zero) { $0 + $1.subtotal }
    return Cart(id: "cart-1", userId: ann.id, items: items, totalPrice: total, updatedAt: fixtureDate)
}

func fixtureOrders() -> [Order] {
    let cart = fixtureCart()
    let address = ShippingAddress(street: "1 Rue Neuve", city: "Lyon", zip: "69001", country: "France")
    return [
        Order(id: "3cd0cfbe-1d80-440a-8547-917bd90731e3", userId: ann.id, items: cart.items, totalAmount: cart.totalPrice, status: .confirmed,
              shippingAddress: address, createdAt: fixtureDate.addingTimeInterval(3600), updatedAt: fixtureDate),
        Order(id: "5b3ffff3-0000-4000-8000-000000000002", userId: ann.id, items: [cart.items[0]], totalAmount: cart.items[0].subtotal, status: .cancelled,
              shippingAddress: address, createdAt: fixtureDate, updatedAt: fixtureDate),
    ]
}

/// Signed in as Ann with another role, on the browse screen.
func browsingModel(role: Role, size: Size = standardSize, glyphs: Glyphs = .unicode) -> Model {
    var model = browsingModel(size: size, glyphs: glyphs)
    model.session?.user.role = role
    // As if the account had signed in with this role: the screen learns it on appearing.
    var ctx = model.context()
    model.screen.appear(&ctx)
    return model
}
