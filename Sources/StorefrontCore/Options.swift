/// How the client was started: from the command line and the environment.
public struct AppOptions: Equatable, Sendable {
    public var serverURL: String
    public var themeName: String
    /// Chosen by --theme or STOREFRONT_THEME: then it wins over the account's preference.
    public var themeExplicit: Bool
    public var kiosk: Bool
    /// Kiosk sessions forget the shopper after this many seconds without a key.
    public var kioskIdleSeconds: Int

    public init(serverURL: String = AppOptions.defaultServer, themeName: String = "dark", themeExplicit: Bool = false,
                kiosk: Bool = false, kioskIdleSeconds: Int = 120) {
        self.serverURL = serverURL
        self.themeName = themeName
        self.themeExplicit = themeExplicit
        self.kiosk = kiosk
        self.kioskIdleSeconds = kioskIdleSeconds
    }

    public static let defaultServer = "http://127.0.0.1:8080"
}

public enum LaunchAction: Equatable, Sendable {
    case run(AppOptions)
    case help
    case version
}

public struct UsageError: Error, Equatable, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

public enum LaunchOptions {
    public static let version = "0.1.0"

    public static let usage = """
    storefront — the Storefront marketplace in your terminal

    USAGE: storefront [--server URL] [--theme NAME] [--kiosk] [--idle-timeout SECONDS]

    OPTIONS:
      --server URL            the marketplace server (env STOREFRONT_SERVER,
                              default \(AppOptions.defaultServer))
      --theme NAME            a theme from themes/ (dark, light, high-contrast, mono)
                              or a path to a .theme file (env STOREFRONT_THEME, default dark)
      --kiosk                 shared-terminal mode: guest browsing, per-session login,
                              reset after an idle timeout, no way out to a shell
      --idle-timeout SECONDS  kiosk idle reset (env STOREFRONT_KIOSK_IDLE, default 120)
      --help                  show this help
      --version               show the version

    NO_COLOR (any value) turns colours off; themes then use bold, underline and reverse.
    Keys: ? on any screen lists them.
    """

    /// Flags win over the environment; the environment wins over defaults.
    public static func parse(_ arguments: [String], environment: [String: String]) throws(UsageError) -> LaunchAction {
        var options = AppOptions()
        if let server = environment["STOREFRONT_SERVER"], !server.isEmpty { options.serverURL = server }
        if let theme = environment["STOREFRONT_THEME"], !theme.isEmpty {
            options.themeName = theme
            options.themeExplicit = true
        }
        if let idle = environment["STOREFRONT_KIOSK_IDLE"], !idle.isEmpty {
            guard let seconds = Int(idle), seconds > 0 else { throw UsageError("STOREFRONT_KIOSK_IDLE must be a whole number of seconds > 0, not '\(idle)'") }
            options.kioskIdleSeconds = seconds
        }
        var rest = arguments[...]
        while let argument = rest.popFirst() {
            // Accept both "--server URL" and "--server=URL".
            var flag = argument
            var inlineValue: String?
            if argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") {
                flag = String(argument[..<equals])
                inlineValue = String(argument[argument.index(after: equals)...])
            }
            func value() throws(UsageError) -> String {
                if let inlineValue { return inlineValue }
                guard let next = rest.popFirst(), !next.hasPrefix("--") else { throw UsageError("\(flag) needs a value") }
                return next
            }
            switch flag {
            case "--help", "-h": return .help
            case "--version": return .version
            case "--server": options.serverURL = try value()
            case "--theme":
                options.themeName = try value()
                options.themeExplicit = true
            case "--kiosk": options.kiosk = true
            case "--idle-timeout":
                let text = try value()
                guard let seconds = Int(text), seconds > 0 else { throw UsageError("--idle-timeout must be a whole number of seconds > 0, not '\(text)'") }
                options.kioskIdleSeconds = seconds
            default: throw UsageError("unknown argument '\(argument)' (see storefront --help)")
            }
        }
        while options.serverURL.hasSuffix("/") { options.serverURL.removeLast() }
        guard options.serverURL.hasPrefix("http://") || options.serverURL.hasPrefix("https://") else {
            throw UsageError("the server URL must start with http:// or https://, not '\(options.serverURL)'")
        }
        return .run(options)
    }
}
