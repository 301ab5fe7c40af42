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
    public var session: Session?
    public var size: Size
    public let options: AppOptions
    public var glyphs: Glyphs
    /// The theme on screen now.
    public var themeName: String
    var profileRequest: RequestID?
    public var nextRequestID: RequestID = 1
    /// nil until the first reply; then whether the last request reached the server.
    public var serverOnline: Bool?
    /// A passing message ("Account created"); the next key clears it.
    public var notice: StatusText?
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
    public static func start(options: AppOptions, size: Size, glyphs: Glyphs = .unicode, firstRequestID: RequestID = 1) -> (Model, [Command]) {
        var model = Model(options: options, size: size, glyphs: glyphs)
        model.nextRequestID = firstRequestID
        var ctx = model.context()
        model.screen = options.kiosk ? Model.guestStart() : LoginScreen()
        model.screen.appear(&ctx)
        var commands: [Command] = []
        model.apply(ctx, commands: &commands)
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
        session = ctx.session
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
                appearAndApply(&commands)
            }
        case .reset(let next)?:
            history = []
            screen = next
            appearAndApply(&commands)
        case nil:
            break
        }
        if signedIn && !options.themeExplicit {
            // The account's theme preference, unless --theme or STOREFRONT_THEME chose one.
            profileRequest = nextRequestID
            nextRequestID += 1
            commands.append(.send(profileRequest!, .profile, token: session?.token))
        }
        if ctx.wantsQuit { requestQuit(&commands) }
    }

    private mutating func appearAndApply(_ commands: inout [Command]) {
        var ctx = context()
        screen.appear(&ctx)
        apply(ctx, commands: &commands)
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
        if !history.isEmpty && !screen.keyHelp.contains(where: { $0.keys == "Esc" }) { keys.append(KeyHelp("Esc", "back", long: "go back to the previous screen")) }
        if screen.capturesText {
            keys.append(KeyHelp("F1", "help", long: "all keys of this screen"))
            if !options.kiosk { keys.append(KeyHelp("Ctrl-C", "quit", long: "quit Storefront (asks first when a form has input)")) }
        } else {
            keys.append(KeyHelp("?", "help", long: "all keys of this screen"))
            keys.append(KeyHelp("q", "quit", long: options.kiosk ? "end this session" : "quit Storefront (asks first when a form has input)"))
        }
        return keys
    }
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
            model = fresh
            model.clock = now
            model.lastInput = now
            model.notice = StatusText("Session reset: \(model.options.kioskIdleSeconds) s without a key.", role: .warning)
            commands += startCommands
        }
    case .themeApplied(let name, let result):
        switch result {
        case .success(let glyphs):
            model.themeName = name
            model.glyphs = glyphs
        case .failure(let error):
            model.notice = StatusText("Theme \(name) could not be used: \(error.description)", role: .warning)
        }
    case .reply(let id, .profile(.success(let profile))) where id == model.profileRequest:
        model.profileRequest = nil
        model.serverOnline = true
        if profile.preferences.theme != model.themeName { commands.append(.applyTheme(profile.preferences.theme)) }
    case .reply(let id, let reply):
        model.serverOnline = !(reply.error?.isConnectivity ?? false)
        var ctx = model.context()
        model.screen.receive(id, reply, &ctx)
        model.apply(ctx, commands: &commands)
    case .click(let x, let y, let double):
        model.lastInput = model.clock
        if model.overlay == .help { model.overlay = nil; break }
        guard model.overlay == nil, model.sizeClass != .tooSmall else { break }
        var ctx = model.context()
        model.screen.click(x: x, y: y, double: double, area: Layout.content(model.size), &ctx)
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
        model.overlay = nil
        return
    case nil:
        break
    }
    model.notice = nil
    if key == .ctrl("c") { model.requestQuit(&commands); return }
    if model.sizeClass == .tooSmall {
        if key == .char("q") { model.requestQuit(&commands) }
        return
    }
    if key == .function(1) { model.overlay = .help; return }
    var ctx = model.context()
    if model.screen.handle(key, &ctx) {
        model.apply(ctx, commands: &commands)
        return
    }
    switch key {
    case .char("?"): model.overlay = .help
    case .char("q"): model.requestQuit(&commands)
    case .escape:
        var ctx = model.context()
        ctx.back()
        model.apply(ctx, commands: &commands)
    default: break
    }
}
