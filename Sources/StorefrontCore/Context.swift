/// A line for the status row: an error, a warning or good news.
public struct StatusText: Equatable, Sendable {
    public var text: String
    public var role: ThemeRole
    public init(_ text: String, role: ThemeRole = .text) {
        self.text = text
        self.role = role
    }
}

enum Navigation {
    case push(any ScreenState)
    case back
    /// Start afresh at a screen (after signing in or out): no way back.
    case reset(any ScreenState)
    /// Start afresh at `top`, with Esc leading back to `base`.
    case resetOver(base: any ScreenState, top: any ScreenState)
}

/// What a screen may do besides changing its own state: ask the server, move
/// between screens, sign in or out. `Model.update` applies it afterwards, so
/// screens stay plain values.
public struct Context {
    public internal(set) var session: Session?
    public let options: AppOptions
    /// Where the screen draws (`Layout.content`), so keys that scroll a list know how many rows show.
    public let area: Rect
    var nextRequestID: RequestID
    var commands: [Command] = []
    var navigation: Navigation?
    var notice: StatusText?
    var wantsQuit = false
    var theme: String?

    init(session: Session?, options: AppOptions, area: Rect, nextRequestID: RequestID) {
        self.session = session
        self.options = options
        self.area = area
        self.nextRequestID = nextRequestID
    }

    /// Sends a request and returns it as pending, which the screen keeps to
    /// recognise the reply, typed as the request answers (and drop replies to anything older).
    public mutating func send<Reply>(_ request: Request<Reply>) -> Pending<Reply> {
        let id = nextRequestID
        nextRequestID += 1
        commands.append(.send(id, request, token: session?.token))
        return Pending(id)
    }

    public mutating func push(_ screen: any ScreenState) { navigation = .push(screen) }
    public mutating func back() { navigation = .back }
    public mutating func reset(to screen: any ScreenState) { navigation = .reset(screen) }
    /// Start afresh at `screen`, with Esc leading back to `base` (which loads when shown).
    public mutating func reset(to screen: any ScreenState, over base: any ScreenState) { navigation = .resetOver(base: base, top: screen) }
    /// Opens the user's editor on `text`; `ScreenState.editorClosed` gets what it left.
    public mutating func editInEditor(_ text: String) { commands.append(.editText(text)) }
    public mutating func notify(_ text: String, role: ThemeRole = .success) { notice = StatusText(text, role: role) }
    public mutating func quit() { wantsQuit = true }
    /// Switch the screen to another shipped theme.
    public mutating func useTheme(_ name: String) { theme = name }

    public mutating func signIn(_ session: Session) { self.session = session }
    public mutating func signOut() { session = nil }
}

/// What a screen needs to draw itself besides its own state.
public struct DrawEnv: Sendable {
    public var glyphs: Glyphs
    public var session: Session?
    public var sizeClass: SizeClass
    public var spinner: String
}

public enum SizeClass: Equatable, Sendable {
    /// Below 60×20: only the "terminal too small" page.
    case tooSmall
    /// 60×20 up to 80×24 (phones over SSH, tmux splits): narrower columns, fewer words.
    case compact
    /// 80 to 119 columns, 24 rows or more.
    case standard
    /// 120 columns or more: extra columns and side panes.
    case wide

    /// The smallest terminal the client draws in.
    public static let minimum = Size(width: 60, height: 20)
    /// The size from which nothing is shortened.
    public static let full = Size(width: 80, height: 24)

    public init(_ size: Size) {
        if size.width < Self.minimum.width || size.height < Self.minimum.height { self = .tooSmall }
        else if size.width < Self.full.width || size.height < Self.full.height { self = .compact }
        else if size.width >= 120 { self = .wide }
        else { self = .standard }
    }
}

/// One page of the client. Each screen keeps its state, its keys, its update
/// and its view together in one file; `Model` only routes to the active one.
public protocol ScreenState: Sendable {
    /// Shown in the top bar: "Storefront › Sign in".
    var title: String { get }
    /// This screen's keys in its current state (bottom bar and `?` help).
    var keyHelp: [KeyHelp] { get }
    /// Typed input that quitting would lose.
    var hasUnsavedInput: Bool { get }
    /// A text field has focus: printable keys (q, ?, /) are typed, not commands.
    var capturesText: Bool { get }
    /// What the status row says while a request is out ("Signing in…").
    var busyLabel: String? { get }
    /// An error or note for the status row.
    var status: StatusText? { get }

    /// Returns false when the screen does not use the key (global keys then apply).
    mutating func handle(_ key: Key, _ ctx: inout Context) -> Bool
    mutating func receive(_ id: RequestID, _ reply: APIReply, _ ctx: inout Context)
    mutating func click(x: Int, y: Int, double: Bool, area: Rect, _ ctx: inout Context)
    /// Called when the screen becomes active, first or again after Esc from a later one.
    mutating func appear(_ ctx: inout Context)
    /// The clock, a few times a second (for screens that refresh on their own).
    mutating func tick(_ now: Double, _ ctx: inout Context)
    /// The mouse wheel turned `rows` rows (negative: up). Lists move like ↑/↓.
    mutating func wheel(_ rows: Int, _ ctx: inout Context)
    /// Back after signing in again: a failure that said the session had ended is stale.
    mutating func sessionResumed()
    /// The editor this screen opened (`Context.editInEditor`) has closed.
    mutating func editorClosed(_ outcome: EditorOutcome, _ ctx: inout Context)
    func draw(_ frame: inout Frame, _ area: Rect, _ env: DrawEnv)
}

public extension ScreenState {
    var hasUnsavedInput: Bool { false }
    var capturesText: Bool { false }
    var busyLabel: String? { nil }
    var status: StatusText? { nil }
    mutating func click(x: Int, y: Int, double: Bool, area: Rect, _ ctx: inout Context) {}
    mutating func appear(_ ctx: inout Context) {}
    mutating func tick(_ now: Double, _ ctx: inout Context) {}
    mutating func wheel(_ rows: Int, _ ctx: inout Context) {}
    mutating func sessionResumed() {}
    mutating func editorClosed(_ outcome: EditorOutcome, _ ctx: inout Context) {}

    /// A list screen's wheel: the same as pressing ↑ or ↓ once per row, so
    /// scrolling to the end loads more exactly as the keys do.
    mutating func wheelAsArrows(_ rows: Int, _ ctx: inout Context) {
        guard !capturesText else { return }
        for _ in 0..<abs(rows) { _ = handle(rows < 0 ? .up : .down, &ctx) }
    }
}
