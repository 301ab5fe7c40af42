import MarketplaceAPI

/// Sign in with email and password; from here a new shopper creates an account.
public struct LoginScreen: ScreenState {
    public enum Focus: Int, CaseIterable, Sendable { case email, password, signIn, createAccount, guest }
    enum Action: Sendable { case next, previous, submit, cancel }

    public var email: TextField
    public var password = TextField(secret: true, maxLength: 128)
    public var focus: Focus = .email
    public var fieldErrors: [Focus: String] = [:]
    public var awaiting: RequestID?
    public var failure: APIError?

    public init(email: String = "") {
        self.email = TextField(email, maxLength: 255)
        if !email.isEmpty { focus = .password }
    }

    public var title: String { "Sign in" }
    public var capturesText: Bool { focus == .email || focus == .password }
    public var hasUnsavedInput: Bool { !email.isEmpty || !password.isEmpty }
    public var busyLabel: String? { awaiting == nil ? nil : "Signing in… (Esc cancels)" }

    public var status: StatusText? {
        guard let failure else { return nil }
        return StatusText(failure.message + (failure.isConnectivity ? " Press Enter to retry." : ""), role: .error)
    }

    var keymap: Keymap<Action> {
        var bindings: [KeyBinding<Action>] = [
            KeyBinding([.tab, .down], KeyHelp("Tab", "next", long: "next field or button (also ↓)"), .next),
            KeyBinding([.backTab, .up], KeyHelp("S-Tab", "previous", long: "previous field or button (also ↑)", inBar: false), .previous),
            KeyBinding([.enter], KeyHelp("Enter", focus == .createAccount ? "create account" : focus == .guest ? "browse" : "sign in",
                                         long: "sign in, or press the focused button"), .submit),
        ]
        if awaiting != nil { bindings.append(KeyBinding([.escape], KeyHelp("Esc", "cancel", long: "stop waiting for the server"), .cancel)) }
        return Keymap(bindings)
    }

    public var keyHelp: [KeyHelp] { keymap.help }

    public mutating func handle(_ key: Key, _ ctx: inout Context) -> Bool {
        if awaiting != nil {
            if key == .escape { awaiting = nil }
            return true
        }
        if let action = keymap.action(for: key) {
            switch action {
            case .next: focus = focus.next
            case .previous: focus = focus.previous
            case .submit:
                switch focus {
                case .createAccount: ctx.push(RegisterScreen(email: email.trimmed))
                case .guest: ctx.reset(to: BrowseScreen())
                default: submit(&ctx)
                }
            case .cancel: awaiting = nil
            }
            return true
        }
        switch focus {
        case .email:
            guard email.edit(key) else { return false }
            fieldErrors[.email] = nil
        case .password:
            guard password.edit(key) else { return false }
            fieldErrors[.password] = nil
        case .signIn, .createAccount, .guest:
            switch key {
            case .left, .char("h"): focus = Focus(rawValue: max(Focus.signIn.rawValue, focus.rawValue - 1))!
            case .right, .char("l"): focus = Focus(rawValue: min(Focus.guest.rawValue, focus.rawValue + 1))!
            default: return false
            }
        }
        return true
    }

    mutating func submit(_ ctx: inout Context) {
        fieldErrors = [:]
        failure = nil
        if let problem = Validation.email(email.text) { fieldErrors[.email] = problem }
        if let problem = Validation.password(password.text) { fieldErrors[.password] = problem }
        if let first = Focus.allCases.first(where: { fieldErrors[$0] != nil }) {
            focus = first
            return
        }
        awaiting = ctx.send(.login(email: email.trimmed, password: password.text))
    }

    public mutating func receive(_ id: RequestID, _ reply: APIReply, _ ctx: inout Context) {
        guard id == awaiting, case .loggedIn(let result) = reply else { return }
        awaiting = nil
        switch result {
        case .success(let response):
            ctx.signIn(Session(token: response.token, user: response.user))
            ctx.notify("Signed in as \(response.user.name).")
            ctx.reset(to: Model.home())
        case .failure(let error):
            failure = error
            for field in error.fieldErrors {
                if field.field == "email" { fieldErrors[.email] = field.message }
                if field.field == "password" { fieldErrors[.password] = field.message }
            }
            if error.code == .invalidCredentials {
                password = TextField(secret: true, maxLength: 128)
                focus = .password
            }
        }
    }

    public func draw(_ frame: inout Frame, _ area: Rect, _ env: DrawEnv) {
        let form = FormLayout(area)
        frame.write("Sign in to Storefront", x: form.left, y: form.top, role: .title)
        form.drawField(&frame, label: "Email", field: email, row: 2, focused: focus == .email, error: fieldErrors[.email], glyphs: env.glyphs)
        form.drawField(&frame, label: "Password", field: password, row: 4, focused: focus == .password, error: fieldErrors[.password], glyphs: env.glyphs)
        let x = drawButton(&frame, "Sign in", x: form.fieldX, y: form.top + 7, focused: focus == .signIn)
        let next = drawButton(&frame, "Create an account", x: x + 3, y: form.top + 7, focused: focus == .createAccount)
        drawButton(&frame, "Browse as guest", x: next + 3, y: form.top + 7, focused: focus == .guest)
        frame.write("New here? Tab to \"Create an account\" and press Enter.", x: form.left, y: form.top + 10, role: .muted, limit: area.maxX)
        frame.write("Shoppers and vendors sign in here; admins too.", x: form.left, y: form.top + 11, role: .muted, limit: area.maxX)
    }
}
