/// One line of help: the keys as shown ("↑/k") and what they do.
public struct KeyHelp: Equatable, Sendable {
    public var keys: String
    public var short: String
    public var long: String
    /// Shown in the bottom bar (otherwise only in the `?` help).
    public var inBar: Bool

    public init(_ keys: String, _ short: String, long: String? = nil, inBar: Bool = true) {
        self.keys = keys
        self.short = short
        self.long = long ?? short
        self.inBar = inBar
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
