import Foundation
import MarketplaceAPI

/// The keys of every screen, read from the screens' own keymaps in the states
/// a user meets them in. The README's key tables and the man page are
/// generated from this, and a test keeps both in step with the code.
public enum KeyReference {
    public struct Section: Equatable, Sendable {
        public var title: String
        /// Who sees the screen ("everyone", "vendors and admins").
        public var audience: String
        public var keys: [KeyHelp]
    }

    public static func sections() -> [Section] {
        let options = AppOptions(remember: true)
        func session(_ role: Role) -> Session {
            Session(token: "", user: UserSummary(id: "u", name: "", email: "", role: role))
        }
        /// A screen after it appeared for an account with `role` (nil: a guest).
        func appeared<S: ScreenState>(_ screen: S, _ role: Role?) -> S {
            var screen = screen
            var ctx = Context(session: role.map(session), options: options, area: Layout.content(SizeClass.full), nextRequestID: 1)
            screen.appear(&ctx)
            return screen
        }
        /// A form's keys with the focus on each of its fields in turn.
        func formKeys<S: FormScreen>(_ screen: S) -> [KeyHelp] {
            var screen = screen
            var keys: [KeyHelp] = []
            for field in screen.form.order {
                screen.form.focus = field
                keys += screen.keyHelp
            }
            return unique(keys)
        }
        let product = Product(id: "p", name: "", description: "", price: .zero, category: "", images: [], userId: "v",
                              createdAt: Date(timeIntervalSince1970: 0), updatedAt: Date(timeIntervalSince1970: 0))
        let line = LineItem(productId: "p", name: "", price: .zero, quantity: 1)
        let cart = Cart(id: "c", userId: "u", items: [line], totalPrice: .zero, updatedAt: Date(timeIntervalSince1970: 0))
        let order = Order(id: "o", userId: "u", items: [line], totalAmount: .zero, status: .confirmed, shippingAddress: nil,
                          createdAt: Date(timeIntervalSince1970: 0), updatedAt: Date(timeIntervalSince1970: 0))
        var profile = ProfileScreen()
        profile.form.focus = .addresses
        var everywhere = Model(options: options, size: SizeClass.full)
        everywhere.session = session(.customer)
        everywhere.history = [BrowseScreen()]
        everywhere.screen = OrdersScreen()
        // Where a text field has the keys, help and quit move to F1 and Ctrl-C.
        var typing = everywhere
        typing.screen = LoginScreen()
        return [
            Section(title: "Sign in", audience: "everyone", keys: formKeys(LoginScreen())),
            Section(title: "Create an account", audience: "everyone", keys: formKeys(RegisterScreen())),
            Section(title: "Browse (as a guest)", audience: "guests", keys: appeared(BrowseScreen(), nil).keyHelp),
            Section(title: "Browse", audience: "shoppers; vendors add V, admins add A and V",
                    keys: appeared(BrowseScreen(), .admin).keyHelp),
            Section(title: "Product", audience: "everyone; c for accounts", keys: appeared(ProductDetailScreen(product: product), .customer).keyHelp),
            Section(title: "Cart", audience: "accounts", keys: CartScreen().keyHelp),
            Section(title: "Checkout", audience: "accounts", keys: formKeys(CheckoutScreen(cart: cart))),
            Section(title: "Orders", audience: "accounts", keys: OrdersScreen().keyHelp),
            Section(title: "Order", audience: "accounts", keys: OrderDetailScreen(order: order).keyHelp),
            Section(title: "Profile", audience: "accounts", keys: unique(formKeys(ProfileScreen()) + profile.keyHelp)),
            Section(title: "Address", audience: "accounts", keys: formKeys(AddressFormScreen())),
            Section(title: "SSH keys", audience: "accounts; K on the profile opens it", keys: SSHKeysScreen().keyHelp),
            Section(title: "My products", audience: "vendors and admins", keys: VendorScreen().keyHelp),
            Section(title: "Product form", audience: "vendors and admins", keys: formKeys(ProductFormScreen())),
            Section(title: "Low stock", audience: "admins", keys: LowStockScreen().keyHelp),
            Section(title: "Everywhere", audience: "every screen (F1 and Ctrl-C where a text field has the keys)",
                    keys: unique(everywhere.globalKeyHelp + typing.globalKeyHelp)),
        ]
    }

    /// One line a key, the first description winning (a form's Tab reads the same on every field).
    static func unique(_ keys: [KeyHelp]) -> [KeyHelp] {
        var seen = Set<String>()
        return keys.filter { seen.insert($0.keys).inserted }
    }

    /// The keys every list shares, told once in their own section instead of in each screen's.
    static let listKeys = Set(List.bindings("row", loadsMore: true) { $0 }.map(\.help.keys))

    /// The sections with each list screen's moving keys folded into one line, and the list keys once, first.
    public static func compactSections() -> [Section] {
        var sections: [Section] = [Section(title: "Every list", audience: "the same keys on every screen with a list",
                                           keys: List.bindings("row", loadsMore: true) { $0 }.map(\.help) +
                                               [KeyHelp("wheel", "scroll", long: "the mouse wheel moves like ↑ and ↓")])]
        for var section in Self.sections() {
            if section.keys.contains(where: { listKeys.contains($0.keys) }) {
                let rest = section.keys.filter { !listKeys.contains($0.keys) }
                section.keys = [KeyHelp("↑↓ PgUp PgDn g G", "move", long: "move through the list (see Every list)")] + rest
            }
            sections.append(section)
        }
        return sections
    }

    /// Markdown: one small table per screen.
    public static func markdown() -> String {
        compactSections().map { section in
            var text = "**\(section.title)** (\(section.audience))\n\n| key | does |\n|---|---|\n"
            for key in section.keys {
                text += "| `\(key.keys.replacingOccurrences(of: "|", with: "\\|"))` | \(key.long.replacingOccurrences(of: "|", with: "\\|")) |\n"
            }
            return text
        }.joined(separator: "\n")
    }

    /// roff for the man page's KEYS section.
    public static func roff() -> String {
        ".PD 0\n" + compactSections().map { section in
            var text = ".SS \(ManPage.escape(section.title)) (\(ManPage.escape(section.audience)))\n"
            for key in section.keys {
                text += ".TP 18\n.B \(ManPage.escape(key.keys))\n\(ManPage.escape(key.long))\n"
            }
            return text
        }.joined() + ".PD\n"
    }
}
