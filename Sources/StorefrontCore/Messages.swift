import Foundation
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
    /// The editor `Command.editText` started has closed: the text it left, or why there is none.
    case editorClosed(EditorOutcome)
}

/// How an editor session ended (`Command.editText`).
public enum EditorOutcome: Equatable, Sendable {
    /// The file's text after the editor exited with status 0.
    case edited(String)
    /// The editor exited with this status (128 + the signal when one ended it): the text is left as it was.
    case failed(status: Int32)
    /// The file could not be read back (gone, or not UTF-8).
    case unreadable
    /// No editor could be started (no temporary file, no shell, or none may be started: a kiosk).
    case couldNotStart
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
    /// Open `$VISUAL` (else `$EDITOR`, else `vi`) on a temporary file holding the text, with the
    /// terminal handed over; the result comes back as `Msg.editorClosed`. Never in a kiosk.
    case editText(String)
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
    /// The fingerprint of the SSH key that signed this session in (a kiosk run
    /// by the SSH service); nil for a password sign-in.
    public var signedInByKey: String?
    public init(token: String, user: UserSummary, signedInByKey: String? = nil) {
        self.token = token
        self.user = user
        self.signedInByKey = signedInByKey
    }

    /// The session the SSH service started, from its token: the account's id and
    /// role are the token's claims (the server checks the token on every request;
    /// here they only shape the screens). Name and email are not in the token:
    /// the header names the key instead. nil for a token that is no JWT.
    public static func fromSSHSessionToken(_ token: String, fingerprint: String?) -> Session? {
        let parts = token.split(separator: ".")
        guard parts.count == 3 else { return nil }
        var payload = parts[1].replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while payload.count % 4 != 0 { payload += "=" }
        guard let data = Data(base64Encoded: payload),
              let claims = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let subject = claims["sub"] as? String, let role = (claims["role"] as? String).flatMap(Role.init(rawValue:))
        else { return nil }
        return Session(token: token, user: UserSummary(id: subject, name: "", email: "", role: role), signedInByKey: fingerprint ?? "")
    }
}
