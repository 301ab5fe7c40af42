import MarketplaceAPI

/// Create an account (shopper or vendor); on success the new account is signed in.
public struct RegisterScreen: FormScreen {
    public enum Focus: Hashable, Sendable { case name, email, password, role, create, back }

    public static let roles: [Role] = [.customer, .vendor]

    public var form = Form<Focus>([
        .text(.name, "Name", rule: InputRules.accountName, server: "name"),
        .email(.email),
        .password(.password, new: true),
        .choice(.role, "I am a", help: KeyHelp("←/→", "role", long: "choose shopper (customer) or vendor"), server: "role"),
        .button(.create, "Create account"),
        .button(.back, "Back to sign in", enter: "back"),
    ], stopWaiting: .stopWaiting)
    public var role: Role = .customer
    /// The account exists and the form now waits to sign in with it.
    var signingIn = false

    public init(email: String = "") {
        form.set(.email, email)
    }

    public var title: String { "Create an account" }
    public var hasUnsavedInput: Bool { form.hasText }
    public var isWaiting: Bool { form.sending != nil }

    public var busyLabel: String? {
        guard isWaiting else { return nil }
        return signingIn ? "Signing in… (Esc cancels)" : "Creating your account… (Esc cancels)"
    }

    public var submitHelp: KeyHelp { KeyHelp("Enter", "create account", long: "create the account, or press the focused button") }

    public mutating func handle(_ key: Key, _ ctx: inout Context) -> Bool {
        // c and v pick the role outright.
        if !isWaiting, form.focus == .role, case .char(let letter) = key, letter == "c" || letter == "v" {
            role = letter == "c" ? .customer : .vendor
            return true
        }
        return handleForm(key, &ctx)
    }

    public mutating func step(_ field: Focus, by step: Int) {
        role = role == .customer ? .vendor : .customer
    }

    public mutating func submit(_ field: Focus, _ ctx: inout Context) {
        if field == .back { return ctx.back() }
        guard form.validate() else { return }
        signingIn = false
        let account = RegisterRequest(name: form.value(.name), email: form.value(.email), password: form[.password].text, role: role.rawValue)
        form.send(.data(Endpoints.register, body: account, sendsToken: false), &ctx)
    }

    public mutating func receive(_ id: RequestID, _ reply: APIReply, _ ctx: inout Context) {
        if !signingIn {
            switch form.settle(id, reply, as: UserSummary.self) {
            case .success?:
                // Registration answers the account but no token: sign in with what was just typed.
                signingIn = true
                form.send(LoginScreen.signIn(email: form.value(.email), password: form[.password].text), &ctx)
            case .failure(.server(.emailTaken, let message, _))?:
                form.errors[.email] = message
                form.focus = .email
            case .failure?, nil:
                break
            }
        } else {
            switch form.settle(id, reply, as: LoginResponse.self) {
            case .success(let response)?:
                ctx.signIn(Session(token: response.token, user: response.user))
                ctx.notify("Welcome, \(response.user.name)! Your \(response.user.role == .vendor ? "vendor " : "")account is ready.")
                ctx.reset(to: Model.home())
            case .failure(let error)?:
                // The account exists; only signing in failed. Send them to sign in by hand.
                ctx.notify("Your account was created, but signing in failed: \(error.message)", role: .warning)
                ctx.reset(to: LoginScreen(email: form.value(.email)))
            case nil:
                break
            }
        }
    }

    public func draw(_ frame: inout Frame, _ area: Rect, _ env: DrawEnv) {
        let layout = FormLayout(area)
        frame.write("Create a Storefront account", x: layout.left, y: layout.top, role: .title)
        let row = form.drawTexts([.name, .email, .password], &frame, layout, from: 2, glyphs: env.glyphs,
                                 hints: [.password: "at least \(InputRules.minimumPasswordLength) characters"])
        let options = Self.roles.map { option in
            ((option == role ? "(\(env.glyphs.online)) " : "( ) ") + (option == .customer ? "shopper" : "vendor"), option == role)
        }
        form.drawOptions(.role, &frame, layout, row: row, options: options, gap: 3)
        let x = form.drawButton(.create, &frame, x: layout.fieldX, y: layout.top + row + 2)
        form.drawButton(.back, &frame, x: x + 3, y: layout.top + row + 2)
        frame.write("Vendors can list products for sale; shoppers buy them.", x: layout.left, y: layout.top + row + 4, role: .muted, limit: area.maxX)
    }
}
