import MarketplaceAPI

/// A key as the model sees it; the terminal layer turns key codes into these.
public enum Key: Hashable, Sendable {
    case char(Character)
    case ctrl(Character)
    case up, down, left, right
    case enter, escape, tab, backTab, backspace, delete
    case home, end, pageUp, pageDown
    case function(Int)
}

/// Every request gets the next number; a screen keeps the number it waits for
/// and drops any reply carrying another one, so a slow answer to an old
/// question never overwrites a newer one.
public typealias RequestID = Int

public enum Msg: Sendable {
    case key(Key)
    case resize(Size)
    /// Seconds on a monotonic clock; drives the spinner and the kiosk idle timer.
    case tick(Double)
    case click(x: Int, y: Int, double: Bool)
    /// The mouse wheel: rows to move, negative upwards.
    case scroll(Int)
    /// The answer to the request numbered so; the screen that sent it reads it through its `Pending`.
    case reply(RequestID, APIReply)
    /// The runtime loaded a theme asked for with `Command.applyTheme`, or says why not.
    case themeApplied(name: String, Result<Glyphs, ThemeError>)
    /// The server asked to wait before a request is sent again: seconds left, 0 when it goes.
    case retryWait(Int)
}

/// What `update` asks the runtime to do; results come back as `Msg.reply`.
public enum Command: Equatable, Sendable {
    /// Perform the request with the session's token; its answer comes back as `Msg.reply` with the same number.
    case send(RequestID, AnyRequest, token: String?)
    /// Load `themes/<name>.theme` and repaint with it (the signed-in user's preference).
    case applyTheme(String)
    /// Keep the session for the next start (`$XDG_STATE_HOME/storefront/session.json`).
    case rememberSession(Session)
    /// Delete the remembered session, if any (signed out, or the server refused it).
    case forgetSession
    /// Ctrl-L: paint every cell again, whatever the terminal shows now.
    case redraw
    /// Ctrl-Z: give the terminal back to the shell until `fg`.
    case suspend
    case quit

    public static func send<Reply>(_ id: RequestID, _ request: Request<Reply>, token: String?) -> Command {
        .send(id, AnyRequest(request), token: token)
    }
}

/// The signed-in account: in memory, and remembered on disk between starts
/// unless `--no-remember` or a kiosk says otherwise.
public struct Session: Equatable, Sendable, Codable {
    public var token: String
    public var user: UserSummary
    public init(token: String, user: UserSummary) {
        self.token = token
        self.user = user
    }
}
