/// Where a signed-in account lands until the catalogue routes are served.
public struct HomeScreen: ScreenState {
    enum Action: Sendable { case signOut }

    public init() {}

    public var title: String { "Home" }

    var keymap: Keymap<Action> {
        Keymap([KeyBinding([.char("o")], KeyHelp("o", "sign out", long: "sign out and return to the sign-in screen"), .signOut)])
    }

    public var keyHelp: [KeyHelp] { keymap.help }

    public mutating func handle(_ key: Key, _ ctx: inout Context) -> Bool {
        guard let action = keymap.action(for: key) else { return false }
        switch action {
        case .signOut:
            ctx.signOut()
            ctx.notify("Signed out.")
            ctx.reset(to: LoginScreen())
        }
        return true
    }

    public mutating func receive(_ id: RequestID, _ reply: APIReply, _ ctx: inout Context) {}

    public func draw(_ frame: inout Frame, _ area: Rect, _ env: DrawEnv) {
        let form = FormLayout(area)
        guard let session = env.session else { return }
        frame.write("Signed in as \(session.user.name)", x: form.left, y: form.top, role: .title)
        frame.write("Email", x: form.left, y: form.top + 2, role: .label)
        frame.write(session.user.email, x: form.fieldX, y: form.top + 2, role: .text, limit: area.maxX)
        frame.write("Account", x: form.left, y: form.top + 3, role: .label)
        frame.write(session.user.role.rawValue, x: form.fieldX, y: form.top + 3, role: .text)
    }
}
