import MarketplaceAPI

/// Create an account (shopper or vendor); on success the new account is signed in.
public struct RegisterScreen: ScreenState {
    public enum Focus: Int, CaseIterable, Sendable { case name, email, password, role, create, back }
    enum Action: Sendable { case next, previous, submit, cancel }
    enum Phase: Equatable, Sendable { case editing, registering(RequestID), signingIn(RequestID) }

    public static let roles: [Role] = [.customer, .vendor]

    public var name = TextField(maxLength: 255)
    public var email: TextField
    public var password = TextField(secret: true, maxLength: 128)
    public var role: Role = .customer
    public var focus: Focus = .name
    public var fieldErrors: [Focus: String] = [:]
    var phase: Phase = .editing
    public var failure: APIError?

    public init(email: String = "") {
        self.email = TextField(email, maxLength: 255)
    }

    public var title: String { "Create an account" }
    public var capturesText: Bool { [.name, .email, .password].contains(focus) }
    public var hasUnsavedInput: Bool { !name.isEmpty || !email.isEmpty || !password.isEmpty }
    public var isWaiting: Bool { phase != .editing }

    public var busyLabel: String? {
        switch phase {
        case .editing: nil
        case .registering: "Creating your account… (Esc cancels)"
        case .signingIn: "Signing in… (Esc cancels)"
        }
    }

    public var status: StatusText? {
        guard let failure else { return nil }
        return StatusText(failure.message + (failure.isConnectivity ? " Press Enter to retry." : ""), role: .error)
    }

    var keymap: Keymap<Action> {
        var bindings: [KeyBinding<Action>] = [
            KeyBinding([.tab, .down], KeyHelp("Tab", "next", long: "next field or button (also ↓)"), .next),
            KeyBinding([.backTab, .up], KeyHelp("S-Tab", "previous", long: "previous field or button (also ↑)", inBar: false), .previous),
            KeyBinding([.enter], KeyHelp("Enter", focus == .back ? "back" : "create account",
                                         long: "create the account, or press the focused button"), .submit),
        ]
        if isWaiting { bindings.append(KeyBinding([.escape], KeyHelp("Esc", "cancel", long: "stop waiting for the server"), .cancel)) }
        return Keymap(bindings)
    }

    public var keyHelp: [KeyHelp] {
        var help = keymap.help
        if focus == .role { help.insert(KeyHelp("←/→", "role", long: "choose shopper (customer) or vendor"), at: 0) }
        return help
    }

    public mutating func handle(_ key: Key, _ ctx: inout Context) -> Bool {
        if isWaiting {
            if key == .escape { phase = .editing }
            return true
        }
        if let action = keymap.action(for: key) {
            switch action {
            case .next: focus = focus.next
            case .previous: focus = focus.previous
            case .submit: if focus == .back { ctx.back() } else { submit(&ctx) }
            case .cancel: phase = .editing
            }
            return true
        }
        switch focus {
        case .name:
            guard name.edit(key) else { return false }
            fieldErrors[.name] = nil
        case .email:
            guard email.edit(key) else { return false }
            fieldErrors[.email] = nil
        case .password:
            guard password.edit(key) else { return false }
            fieldErrors[.password] = nil
        case .role:
            switch key {
            case .left, .right, .char("h"), .char("l"), .char(" "):
                role = role == .customer ? .vendor : .customer
            case .char("c"): role = .customer
            case .char("v"): role = .vendor
            default: return false
            }
        case .create, .back:
            switch key {
            case .left, .char("h"): focus = .create
            case .right, .char("l"): focus = .back
            default: return false
            }
        }
        return true
    }

    mutating func submit(_ ctx: inout Context) {
        fieldErrors = [:]
        failure = nil
        if let problem = Validation.name(name.text) { fieldErrors[.name] = problem }
        if let problem = Validation.email(email.text) { fieldErrors[.email] = problem }
        if let problem = Validation.password(password.text) { fieldErrors[.password] = problem }
        if let first = Focus.allCases.first(where: { fieldErrors[$0] != nil }) {
            focus = first
            return
        }
        phase = .registering(ctx.send(.register(name: name.trimmed, email: email.trimmed, password: password.text, role: role)))
    }

    public mutating func receive(_ id: RequestID, _ reply: APIReply, _ ctx: inout Context) {
        switch (phase, reply) {
        case (.registering(let waiting), .registered(let result)) where waiting == id:
            switch result {
            case .success:
                // Registration answers the account but no token: sign in with what was just typed.
                phase = .signingIn(ctx.send(.login(email: email.trimmed, password: password.text)))
            case .failure(let error):
                phase = .editing
                show(error)
            }
        case (.signingIn(let waiting), .loggedIn(let result)) where waiting == id:
            phase = .editing
            switch result {
            case .success(let response):
                ctx.signIn(Session(token: response.token, user: response.user))
                ctx.notify("Welcome, \(response.user.name)! Your \(response.user.role == .vendor ? "vendor " : "")account is ready.")
                ctx.reset(to: Model.home())
            case .failure(let error):
                // The account exists; only signing in failed. Send them to sign in by hand.
                ctx.notify("Your account was created, but signing in failed: \(error.message)", role: .warning)
                ctx.reset(to: LoginScreen(email: email.trimmed))
            }
        default:
            break
        }
    }

    private mutating func show(_ error: APIError) {
        failure = error
        for field in error.fieldErrors {
            switch field.field {
            case "name": fieldErrors[.name] = field.message
            case "email": fieldErrors[.email] = field.message
            case "password": fieldErrors[.password] = field.message
            default: break
            }
        }
        if case .server(.emailTaken, let message, _) = error {
            fieldErrors[.email] = message
            focus = .email
        }
    }

    public func draw(_ frame: inout Frame, _ area: Rect, _ env: DrawEnv) {
        let form = FormLayout(area)
        frame.write("Create a Storefront account", x: form.left, y: form.top, role: .title)
        form.drawField(&frame, label: "Name", field: name, row: 2, focused: focus == .name, error: fieldErrors[.name], glyphs: env.glyphs)
        form.drawField(&frame, label: "Email", field: email, row: 4, focused: focus == .email, error: fieldErrors[.email], glyphs: env.glyphs)
        form.drawField(&frame, label: "Password", field: password, row: 6, focused: focus == .password,
                       error: fieldErrors[.password] ?? (focus == .password ? "at least 6 characters" : nil), glyphs: env.glyphs)
        if fieldErrors[.password] == nil && focus == .password {
            frame.paint(Rect(x: form.fieldX, y: form.top + 7, width: form.fieldWidth, height: 1), role: .muted)
        }
        frame.write("I am a", x: form.left, y: form.top + 8, role: focus == .role ? .heading : .label)
        var x = form.fieldX
        for option in Self.roles {
            let label = option == .customer ? "shopper" : "vendor"
            let marker = option == role ? "(\(env.glyphs.online)) " : "( ) "
            let chosen = option == role
            x = frame.write(marker + label, x: x, y: form.top + 8,
                            role: chosen ? (focus == .role ? .buttonFocused : .selection) : .text) + 3
        }
        x = drawButton(&frame, "Create account", x: form.fieldX, y: form.top + 10, focused: focus == .create)
        drawButton(&frame, "Back to sign in", x: x + 3, y: form.top + 10, focused: focus == .back)
        frame.write("Vendors can list products for sale; shoppers buy them.", x: form.left, y: form.top + 12, role: .muted, limit: area.maxX)
    }
}
