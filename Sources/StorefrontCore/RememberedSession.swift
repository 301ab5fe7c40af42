import MarketplaceAPI

/// The session kept between starts, in `$XDG_STATE_HOME/storefront/session.json`
/// (mode 0600). It names the server it belongs to: a token is only offered
/// back to the server that issued it.
public struct RememberedSession: Codable, Equatable, Sendable {
    public var server: String
    public var token: String
    public var user: UserSummary

    public init(server: String, session: Session) {
        self.server = server
        token = session.token
        user = session.user
    }

    public var session: Session { Session(token: token, user: user) }

    /// `$XDG_STATE_HOME/storefront`, or `~/.local/state/storefront`.
    public static func folder(environment: [String: String]) -> String? {
        if let state = environment["XDG_STATE_HOME"], state.hasPrefix("/") { return state + "/storefront" }
        if let home = environment["HOME"], !home.isEmpty { return home + "/.local/state/storefront" }
        return nil
    }

    public static func path(environment: [String: String]) -> String? {
        folder(environment: environment).map { $0 + "/session.json" }
    }
}
