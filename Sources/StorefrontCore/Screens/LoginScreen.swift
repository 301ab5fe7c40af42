import MarketplaceAPI

/// Sign in with email and password; from here a new shopper creates an account.
public struct LoginScreen: FormScreen {
    public enum Focus: Hashable, Sendable { case email, password, signIn, createAccount, guest }

    public var form = Form<Focus>([
        .email(.email),
        .password(.password, new: false),
        .button(.signIn, "Sign in"),
        .button(.createAccount, "Create an account", enter: "create account"),
        .button(.guest, "Browse as guest", enter: "browse"),
    ], stopWaiting: .stopWaiting)

    /// Set when the server ended the session: signing in as the same account
    /// goes back to the screen the shopper was on, cart and all.
    public var resuming: UserSummary?
    /// Why the sign-in is asked for again.
    public var reason: String?

    public init(email: String = "") {
        form.set(.email, email)
        if !email.isEmpty { form.focus = .password }
    }

    public init(resuming user: UserSummary, reason: String) {
        self.init(email: user.email)
        resuming = user
        self.reason = reason
    }

    public var title: String { "Sign in" }
    public var hasUnsavedInput: Bool { form.hasText }
    public var busyLabel: String? { form.sending == nil ? nil : "Signing in… (Esc cancels)" }
    public var submitHelp: KeyHelp { KeyHelp("Enter", "sign in", long: "sign in, or press the focused button") }

    public mutating func submit(_ field: Focus, _ ctx: inout Context) {
        switch field {
        case .createAccount: ctx.push(RegisterScreen(email: form.value(.email)))
        case .guest: ctx.reset(to: BrowseScreen())
        default:
            guard form.validate() else { return }
            form.send(Self.signIn(email: form.value(.email), password: form[.password].text), &ctx)
        }
    }

    /// Signing in never sends a token: a stale one must not stand in its way.
    public static func signIn(email: String, password: String) -> Request<LoginResponse> {
        .call(Endpoints.login, body: LoginRequest(email: email, password: password), sendsToken: false)
    }

    public mutating func receive(_ id: RequestID, _ reply: APIReply, _ ctx: inout Context) {
        switch form.settle(id, reply, as: LoginResponse.self) {
        case .success(let response)?:
            ctx.signIn(Session(token: response.token, user: response.user))
            ctx.notify("Signed in as \(response.user.name).")
            if resuming?.id == response.user.id { ctx.back() } else { ctx.reset(to: Model.home()) }
        case .failure(let error)? where error.code == .invalidCredentials:
            form.set(.password, "")
            form.focus = .password
        case .failure?, nil:
            break
        }
    }

    public func draw(_ frame: inout Frame, _ area: Rect, _ env: DrawEnv) {
        let layout = FormLayout(area)
        frame.write("Sign in to Storefront", x: layout.left, y: layout.top, role: .title)
        if let reason { frame.write(reason, x: layout.left, y: layout.top + 1, role: .warning, limit: area.maxX) }
        let buttons = layout.top + form.drawTexts([.email, .password], &frame, layout, from: 2, glyphs: env.glyphs) + 1
        let x = form.drawButton(.signIn, &frame, x: layout.fieldX, y: buttons)
        let next = form.drawButton(.createAccount, &frame, x: x + 3, y: buttons)
        // A compact window puts the third button on the next row.
        let fits = next + 3 + TextWidth.of("[ Browse as guest ]") <= area.maxX
        form.drawButton(.guest, &frame, x: fits ? next + 3 : layout.fieldX, y: fits ? buttons : buttons + 1)
        frame.write("New here? Tab to \"Create an account\" and press Enter.", x: layout.left, y: buttons + 3, role: .muted, limit: area.maxX)
        frame.write("Shoppers and vendors sign in here; admins too.", x: layout.left, y: buttons + 4, role: .muted, limit: area.maxX)
    }
}
