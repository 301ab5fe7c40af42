/// One line of help: the keys as shown ("↑/k") and what they do.
public struct KeyHelp: Equatable, Sendable {
    /// Where a key belongs in the `?` help, and how long it stays in a short key bar.
    public enum Scope: Int, Comparable, Sendable {
        /// The screen's own keys: the first to give way in a short bar, the last first.
        case screen
        /// Keys there for the account's role (cart and orders for shoppers, V for
        /// vendors, A for admins): they give way only after every screen key.
        case role
        /// Keys every screen shares (help, quit, back): always in the bar.
        case global

        public static func < (a: Scope, b: Scope) -> Bool { a.rawValue < b.rawValue }
    }

    public var keys: String
    public var short: String
    public var long: String
    /// Shown in the bottom bar (otherwise only in the `?` help).
    public var inBar: Bool
    public var scope: Scope
    /// The screen's primary action (open, add to cart, check out, place order):
    /// never the key a short bar cuts off.
    public var primary: Bool

    public init(_ keys: String, _ short: String, long: String? = nil, inBar: Bool = true, scope: Scope = .screen, primary: Bool = false) {
        self.keys = keys
        self.short = short
        self.long = long ?? short
        self.inBar = inBar
        self.scope = scope
        self.primary = primary
    }
}

/// A key binding that carries its own help, so the bottom bar and the `?`
/// overlay are generated from the same list that `update` dispatches on.
public struct KeyBinding<Action: Sendable>: Sendable {
    public var keys: [Key]
    public var help: KeyHelp
    public var action: Action

    public init(_ keys: [Key], _ help: KeyHelp, _ action: Action) {
        self.keys = keys
        self.help = help
        self.action = action
    }
}

public struct Keymap<Action: Sendable>: Sendable {
    public var bindings: [KeyBinding<Action>]

    public init(_ bindings: [KeyBinding<Action>]) { self.bindings = bindings }

    public func action(for key: Key) -> Action? {
        bindings.first { $0.keys.contains(key) }?.action
    }

    public var help: [KeyHelp] { bindings.map(\.help) }
}

/// Common key sets, so every screen spells them the same way.
public extension Array where Element == Key {
    static let up: [Key] = [.up, .char("k")]
    static let down: [Key] = [.down, .char("j")]
    static let left: [Key] = [.left, .char("h")]
    static let right: [Key] = [.right, .char("l")]
}
