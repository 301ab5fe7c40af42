import MarketplaceAPI

/// Everything the client knows. `update` is the only way it changes.
public struct Model: Sendable {
    public enum Overlay: Equatable, Sendable {
        case help
        case confirmQuit
    }

    public var screen: any ScreenState
    /// Screens Esc returns to, most recent last.
    public var history: [any ScreenState] = []
    public var overlay: Overlay?
    /// The first line of the `?` help on show (it scrolls when the keys outgrow the window).
    public var helpScroll = 0
    public var session: Session?
    /// What the header says of the cart: items and total, from the last cart the server sent.
    public var cartSummary: CartSummary?
    var cartRequest: Pending<Cart>?
    /// The header's own questions are numbered apart, downwards from -1, so they
    /// never shift or meet the numbers screens wait for.
    var nextHeaderRequestID: RequestID = -1
    public var size: Size
    public let options: AppOptions
    public var glyphs: Glyphs
    /// The theme on screen now.
    public var themeName: String
    var profileRequest: Pending<UserProfile>?
    public var nextRequestID: RequestID = 1
    /// nil until the first reply; then whether the last request reached the server.
    public var serverOnline: Bool?
    /// A passing message ("Account created"); the next key clears it.
    public var notice: StatusText?
    /// The count-down of a request the server asked to repeat later, while one runs.
    var retryNotice: StatusText?
    /// In an SSH session whose key signed in nobody: once the shopper has signed
    /// in (or registered), the email of the account the status row offers to
    /// remember the key for ("y/n"); the next key answers it.
    public var keyOffer: String?
    /// Whether the offer was made in this session (it is made once).
    var keyOffered = false
    var addKeyRequest: Pending<SSHKey>?

    /// Which frame of the spinner shows, while one does (a request is out); nil
    /// otherwise. A frame that only the clock changes needs painting when this does.
    public var spinnerFrame: Int? { screen.busyLabel == nil ? nil : Int(clock * 10) }
    public var clock: Double = 0
    public var lastInput: Double = 0
    public var quitting = false

    public init(options: AppOptions, size: Size, glyphs: Glyphs = .unicode) {
        self.options = options
        self.size = size
        self.glyphs = glyphs
        self.themeName = options.themeName
        self.screen = LoginScreen()
    }

    /// The model a fresh session starts from, with its first commands.
    /// `firstRequestID` continues the numbering of a session being reset, so
    /// a reply to the old session can never pass for one to the new.
    /// `remembered`: the session kept from the last start; it opens the catalogue
    /// signed in (a kiosk never takes one).
    public static func start(options: AppOptions, size: Size, glyphs: Glyphs = .unicode, firstRequestID: RequestID = 1,
                             remembered: Session? = nil) -> (Model, [Command]) {
        var model = Model(options: options, size: size, glyphs: glyphs)
        model.nextRequestID = firstRequestID
        var ctx = model.context()
        let resumed = options.kiosk ? nil : remembered
        // An SSH session the marketplace signed in by its key: in memory only.
        if options.kiosk, let token = options.ssh.token, let session = Session.fromSSHSessionToken(token, fingerprint: options.ssh.fingerprint) {
            ctx.signIn(session)
            model.keyOffered = true
        }
        if let resumed {
            ctx.signIn(resumed)
            ctx.notify("Welcome back, \(resumed.user.name). L signs out and forgets this session.", role: .muted)
        }
        model.screen = options.kiosk ? Model.guestStart() : resumed != nil ? Model.home() : LoginScreen()
        model.screen.appear(&ctx)
        var commands: [Command] = []
        model.apply(ctx, commands: &commands)
        // A remembered session is already on disk.
        commands.removeAll { if case .rememberSession = $0 { true } else { false } }
        return (model, commands)
    }

    /// Where guests (and kiosk sessions) start.
    static func guestStart() -> any ScreenState { BrowseScreen() }

    /// Where an account lands after signing in.
    static func home() -> any ScreenState { BrowseScreen() }

    public var sizeClass: SizeClass { SizeClass(size) }

    func context() -> Context {
        Context(session: session, options: options, area: Layout.content(size), nextRequestID: nextRequestID)
    }

    /// Takes over what a screen did through its context: requests, moves, sign-in.
    mutating func apply(_ ctx: Context, commands: inout [Command]) {
        nextRequestID = ctx.nextRequestID
        commands += ctx.commands
        let signedIn = session == nil && ctx.session != nil
        let signedOut = session != nil && ctx.session == nil
        session = ctx.session
        if signedOut {
            cartSummary = nil
            cartRequest = nil
            commands.append(.forgetSession)
        }
        if signedIn, let session {
            if options.remember { commands.append(.rememberSession(session)) }
            refreshCart(&commands)
            if options.kiosk, options.ssh.publicKey != nil, session.signedInByKey == nil, !keyOffered {
                keyOffered = true
                keyOffer = session.user.email
            }
        }
        if let theme = ctx.theme, theme != themeName { commands.append(.applyTheme(theme)) }

        if let notice = ctx.notice { self.notice = notice }
        switch ctx.navigation {
        case .push(let next)?:
            history.append(screen)
            screen = next
            appearAndApply(&commands)
        case .back?:
            if let previous = history.popLast() {
                screen = previous
                if signedIn { screen.sessionResumed() }
                appearAndApply(&commands)
            }
        case .reset(let next)?:
            history = []
            screen = next
            appearAndApply(&commands)
        case .resetOver(let base, let top)?:
            history = [base]
            screen = top
            appearAndApply(&commands)
        case nil:
            break
        }
        if signedIn && !options.themeExplicit {
            // The account's theme preference, unless --theme or STOREFRONT_THEME chose one.
            let id = nextRequestID
            nextRequestID += 1
            profileRequest = Pending(id)
            commands.append(.send(id, .data(Endpoints.profile), token: session?.token))
        }
        if ctx.wantsQuit { requestQuit(&commands) }
    }

    /// Asks for the cart so the header can show its count and total.
    mutating func refreshCart(_ commands: inout [Command]) {
        guard let session else { return }
        let id = nextHeaderRequestID
        nextHeaderRequestID -= 1
        cartRequest = Pending(id)
        commands.append(.send(id, .data(Endpoints.cart), token: session.token))
    }

    /// The server no longer takes the token (expired or revoked): forget it and
    /// ask for the password on a sign-in screen that leads back to this one.
    mutating func sessionEnded(_ error: APIError, _ commands: inout [Command]) {
        guard let ended = session else { return }
        session = nil
        cartSummary = nil
        cartRequest = nil
        commands.append(.forgetSession)
        let reason = error.code == .tokenExpired ? "Session expired." : "Session no longer accepted."
        if screen is LoginScreen { return }
        history.append(screen)
        screen = LoginScreen(resuming: ended.user, reason: "\(reason) Sign in to go back to \(screen.title).")
        appearAndApply(&commands)
    }

    private mutating func appearAndApply(_ commands: inout [Command]) {
        var ctx = context()
        screen.appear(&ctx)
        apply(ctx, commands: &commands)
    }

    mutating func openHelp() {
        overlay = .help
        helpScroll = 0
    }

    /// Quits at once, or asks first when typed input would be lost.
    mutating func requestQuit(_ commands: inout [Command]) {
        if screen.hasUnsavedInput || history.contains(where: \.hasUnsavedInput) {
            overlay = .confirmQuit
        } else {
            quitting = true
            commands.append(.quit)
        }
    }

    /// The keys every screen shares, after the screen's own.
    public var globalKeyHelp: [KeyHelp] {
        var keys: [KeyHelp] = []
        if !history.isEmpty && !screen.keyHelp.contains(where: { $0.keys == "Esc" }) {
            keys.append(KeyHelp("Esc", "back", long: "go back to the previous screen", scope: .global))
        }
        if screen.capturesText {
            keys.append(KeyHelp("F1", "help", long: "all keys of this screen, grouped; ↓/↑ scroll it", scope: .global))
            if !options.kiosk { keys.append(KeyHelp("Ctrl-C", "quit", long: "quit Storefront (asks first when a form has input)", scope: .global)) }
        } else {
            keys.append(KeyHelp("?", "help", long: "all keys of this screen, grouped; ↓/↑ scroll it (also F1)", scope: .global))
            keys.append(KeyHelp("q", "quit", long: options.kiosk ? "end this session" : "quit Storefront (asks first when a form has input)", scope: .global))
            if session != nil {
                keys.append(KeyHelp("L", "sign out", long: options.remember ? "sign out and forget the remembered session" : "sign out",
                                    inBar: false, scope: .global))
            }
        }
        keys.append(KeyHelp("Ctrl-L", "redraw", long: "redraw the whole screen", inBar: false, scope: .global))
        if !options.kiosk {
            keys.append(KeyHelp("Ctrl-Z", "suspend", long: "suspend to the shell; fg comes back", inBar: false, scope: .global))
        }
        if options.mouse {
            keys.append(KeyHelp("wheel", "scroll", long: "the mouse wheel moves through lists; a click selects",
                                inBar: false, scope: .global))
        }
        return keys
    }

    /// Every key of the current screen in help order: the screen's, then the shared ones.
    public var allKeyHelp: [KeyHelp] { screen.keyHelp + globalKeyHelp }
}

/// The Elm-style update: a pure function from the old model and a message to
/// the new model and the commands to run.
public func update(_ model: Model, _ msg: Msg) -> (Model, [Command]) {
    var model = model
    var commands: [Command] = []
    switch msg {
    case .resize(let size):
        model.size = size
    case .tick(let now):
        model.clock = now
        var ctx = model.context()
        model.screen.tick(now, &ctx)
        model.apply(ctx, commands: &commands)
        if model.options.kiosk, now - model.lastInput >= Double(model.options.kioskIdleSeconds),
           model.session != nil || !model.history.isEmpty || model.screen.hasUnsavedInput || model.overlay != nil {
            let (fresh, startCommands) = Model.start(options: model.options, size: model.size, glyphs: model.glyphs,
                                                     firstRequestID: model.nextRequestID)
            let headerRequests = model.nextHeaderRequestID
            model = fresh
            model.nextHeaderRequestID = headerRequests
            model.clock = now
            model.lastInput = now
            model.notice = StatusText("Session reset: \(model.options.kioskIdleSeconds) s without a key.", role: .warning)
            commands += startCommands
        }
    case .retryWait(let seconds):
        // The count down of a request the server asked to repeat later; the screen waits for its reply as before.
        let countdown = seconds > 0 ? StatusText("The shop is busy: trying again in \(seconds) s…", role: .warning) : nil
        // Cleared only while it is still on show: a notice that came since stays.
        if seconds > 0 || model.notice == model.retryNotice { model.notice = countdown }
        model.retryNotice = countdown
    case .themeApplied(let name, let result):
        switch result {
        case .success(let glyphs):
            model.themeName = name
            model.glyphs = glyphs
        case .failure(let error):
            model.notice = StatusText("Theme \(name) could not be used: \(error.description)", role: .warning)
        }
    case .reply(let id, let reply):
        // The account's theme: a failure goes to the screen like any other reply.
        if case .success(let profile)? = model.profileRequest?.result(id, reply) {
            model.profileRequest = nil
            model.serverOnline = true
            if profile.preferences.theme != model.themeName { commands.append(.applyTheme(profile.preferences.theme)) }
            break
        }
        if let result = model.addKeyRequest.take(id, reply) {
            model.serverOnline = !(reply.error?.isConnectivity ?? false)
            switch result {
            case .success: model.notice = StatusText("Key remembered for SSH sign-in.", role: .success)
            case .failure(let error) where error.code == .sshKeyTaken:
                model.notice = StatusText("Key not added: another account has it.", role: .warning)
            case .failure(let error): model.notice = StatusText("The key was not remembered: \(error.message)", role: .error)
            }
            if let error = reply.error, error.endsSession { model.sessionEnded(error, &commands) }
            break
        }
                if let result = model.cartRequest.take(id, reply) {
            model.serverOnline = !(reply.error?.isConnectivity ?? false)
            if case .success(let cart) = result { model.cartSummary = CartSummary(cart) }
            if let error = reply.error, error.endsSession { model.sessionEnded(error, &commands) }
            break
        }
        model.serverOnline = !(reply.error?.isConnectivity ?? false)
        // Whatever screen asked, a cart in the answer is the cart now.
        if model.session != nil, case .success(let cart)? = reply.result(as: Cart.self) { model.cartSummary = CartSummary(cart) }
        if case .success(let placed)? = reply.result(as: CheckoutResponse.self), placed.success { model.cartSummary = CartSummary(count: 0, total: .zero) }
        var ctx = model.context()
        model.screen.receive(id, reply, &ctx)
        model.apply(ctx, commands: &commands)
        if let error = reply.error, error.endsSession, model.session != nil { model.sessionEnded(error, &commands) }
    case .scroll(let rows):
        model.lastInput = model.clock
        if model.overlay == .help {
            model.helpScroll = HelpOverlay(model).clamp(model.helpScroll + rows)
            break
        }
        guard model.overlay == nil, model.sizeClass != .tooSmall else { break }
        var ctx = model.context()
        model.screen.wheel(rows, &ctx)
        model.apply(ctx, commands: &commands)
    case .click(let x, let y, let double):
        model.lastInput = model.clock
        if model.overlay == .help { model.overlay = nil; break }
        guard model.overlay == nil, model.sizeClass != .tooSmall else { break }
        var ctx = model.context()
        model.screen.click(x: x, y: y, double: double, area: Layout.content(model.size), &ctx)
        model.apply(ctx, commands: &commands)
    case .editorClosed(let outcome):
        model.lastInput = model.clock
        var ctx = model.context()
        model.screen.editorClosed(outcome, &ctx)
        model.apply(ctx, commands: &commands)
    case .key(let key):
        model.lastInput = model.clock
        handleKey(&model, key, &commands)
    }
    return (model, commands)
}

private func handleKey(_ model: inout Model, _ key: Key, _ commands: inout [Command]) {
    let kiosk = model.options.kiosk
    // Kiosks ignore the keys that would stop or suspend the program.
    if kiosk && (key == .ctrl("c") || key == .ctrl("z") || key == .ctrl("\\")) { return }
    if key == .ctrl("l") { commands.append(.redraw); return }
    if key == .ctrl("z") { commands.append(.suspend); return }
    switch model.overlay {
    case .confirmQuit?:
        switch key {
        case .char("y"), .char("Y"), .ctrl("c"):
            model.overlay = nil
            model.quitting = true
            commands.append(.quit)
        case .char("n"), .char("N"), .escape, .char("q"):
            model.overlay = nil
        default: break
        }
        return
    case .help?:
        let help = HelpOverlay(model)
        switch key {
        case .down, .char("j"): model.helpScroll = help.clamp(model.helpScroll + 1)
        case .up, .char("k"): model.helpScroll = help.clamp(model.helpScroll - 1)
        case .pageDown, .char(" "): model.helpScroll = help.clamp(model.helpScroll + help.page)
        case .pageUp: model.helpScroll = help.clamp(model.helpScroll - help.page)
        case .home, .char("g"): model.helpScroll = 0
        case .end, .char("G"): model.helpScroll = help.clamp(Int.max / 2)
        default: model.overlay = nil
        }
        return
    case nil:
        break
    }
    model.notice = nil
    if model.keyOffer != nil {
        // The offer to remember this SSH key takes the next key: y adds it, any other declines.
        model.keyOffer = nil
        if key == .char("y") || key == .char("Y"), let line = model.options.ssh.publicKey, let session = model.session {
            let id = model.nextHeaderRequestID
            model.nextHeaderRequestID -= 1
            model.addKeyRequest = Pending(id)
            commands.append(.send(id, .data(Endpoints.addSSHKey, body: AddSSHKeyRequest(publicKey: line)), token: session.token))
        }
        return
    }
    if key == .ctrl("c") { model.requestQuit(&commands); return }
    if model.sizeClass == .tooSmall {
        if key == .char("q") { model.requestQuit(&commands) }
        return
    }
    if key == .function(1) { model.openHelp(); return }
    var ctx = model.context()
    if model.screen.handle(key, &ctx) {
        model.apply(ctx, commands: &commands)
        return
    }
    switch key {
    case .char("?"): model.openHelp()
    case .char("q"): model.requestQuit(&commands)
    case .char("L") where model.session != nil:
        // Signing out would drop what a form holds: leave the form first.
        if model.screen.hasUnsavedInput || model.history.contains(where: \.hasUnsavedInput) {
            model.notice = StatusText("A form has input: save it or leave it (Esc) before signing out with L.", role: .warning)
            return
        }
        var ctx = model.context()
        ctx.signOut()
        ctx.notify(model.options.remember ? "Signed out; the remembered session is forgotten." : "Signed out.")
        ctx.reset(to: model.options.kiosk ? Model.guestStart() : LoginScreen())
        model.apply(ctx, commands: &commands)
    case .escape:
        var ctx = model.context()
        ctx.back()
        model.apply(ctx, commands: &commands)
    default: break
    }
}

/// The header's view of the cart.
public struct CartSummary: Equatable, Sendable {
    public var count: Int
    public var total: Money

    public init(count: Int, total: Money) {
        self.count = count
        self.total = total
    }

    public init(_ cart: Cart) {
        self.init(count: cart.items.reduce(0) { $0 + $1.quantity }, total: cart.totalPrice)
    }
}
