import Foundation
import MarketplaceAPI

/// How the client was started: from the command line and the environment.
public struct AppOptions: Equatable, Sendable {
    public var serverURL: String
    public var themeName: String
    /// Chosen by --theme or STOREFRONT_THEME: then it wins over the account's preference.
    public var themeExplicit: Bool
    public var kiosk: Bool
    /// Kiosk sessions forget the shopper after this many seconds without a key.
    public var kioskIdleSeconds: Int
    /// Keep the session between starts (never in a kiosk; off with --no-remember).
    public var remember: Bool
    /// Clicks and the wheel (off with --no-mouse or `mouse = false`, so the terminal's own selection works).
    public var mouse: Bool
    /// PEM file of the certificate authorities an https:// server's certificate must
    /// chain to, for a private CA; nil trusts the system's authorities.
    public var caFile: String?
    /// What the marketplace's SSH service tells the client it runs for a session
    /// (read only with --kiosk).
    public var ssh = SSHSessionSettings()

    public init(serverURL: String = AppOptions.defaultServer, themeName: String = "dark", themeExplicit: Bool = false,
                kiosk: Bool = false, kioskIdleSeconds: Int = 120, remember: Bool = false, mouse: Bool = true, caFile: String? = nil) {
        self.serverURL = serverURL
        self.themeName = themeName
        self.themeExplicit = themeExplicit
        self.kiosk = kiosk
        self.kioskIdleSeconds = kioskIdleSeconds
        self.remember = remember && !kiosk
        self.mouse = mouse
        self.caFile = caFile
    }

    public static let defaultServer = "http://127.0.0.1:8080"
}

/// A kiosk session started by the marketplace's SSH service, from the
/// environment it sets for the client: read in one place (`LaunchOptions.parse`),
/// only with --kiosk, so nobody's own shell variables sign anybody in.
public struct SSHSessionSettings: Equatable, Sendable {
    /// `STOREFRONT_SESSION_TOKEN`: the session's account, signed in by its key
    /// (`Endpoints.sshSession`). Held in memory only, never written anywhere.
    public var token: String?
    /// `STOREFRONT_SSH_PUBLIC_KEY`: the key the shopper connected with, as an
    /// OpenSSH line; offered for the account they sign in to when it signed in nobody.
    public var publicKey: String?
    /// `STOREFRONT_SSH_FINGERPRINT` (else the public key's): for the header.
    public var fingerprint: String?
    /// `STOREFRONT_CLIENT_ADDRESS`: the shopper's address (`203.0.113.7`,
    /// `203.0.113.7:52011`, `[2001:db8::7]:4711`), sent as `X-Forwarded-For`.
    public var clientAddress: String?

    public init(token: String? = nil, publicKey: String? = nil, fingerprint: String? = nil, clientAddress: String? = nil) {
        self.token = token
        self.publicKey = publicKey
        self.fingerprint = fingerprint
        self.clientAddress = clientAddress
    }

    public static let variables = ["STOREFRONT_SESSION_TOKEN", "STOREFRONT_SSH_PUBLIC_KEY", "STOREFRONT_SSH_FINGERPRINT", "STOREFRONT_CLIENT_ADDRESS"]

    /// The settings an SSH session's environment gives, or a usage error for one it garbles.
    public static func read(_ environment: [String: String]) throws(UsageError) -> SSHSessionSettings {
        func value(_ name: String) -> String? {
            environment[name].map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.flatMap { $0.isEmpty ? nil : $0 }
        }
        var settings = SSHSessionSettings(token: value("STOREFRONT_SESSION_TOKEN"), publicKey: value("STOREFRONT_SSH_PUBLIC_KEY"))
        if let token = settings.token, !token.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) {
            throw UsageError("STOREFRONT_SESSION_TOKEN must be a token of visible ASCII characters")
        }
        if let key = settings.publicKey, case .failure(let problem) = InputRules.sshPublicKey(key) {
            throw UsageError("STOREFRONT_SSH_PUBLIC_KEY: \(problem.message)")
        }
        if let fingerprint = value("STOREFRONT_SSH_FINGERPRINT") {
            guard let normalized = SSHFingerprint.normalized(fingerprint) else {
                throw UsageError("STOREFRONT_SSH_FINGERPRINT must be a key's SHA256: fingerprint, not '\(fingerprint.prefix(60))'")
            }
            settings.fingerprint = normalized
        } else if let key = settings.publicKey {
            settings.fingerprint = try? InputRules.sshPublicKey(key).get().fingerprint
        }
        if let address = value("STOREFRONT_CLIENT_ADDRESS") {
            guard isAddress(address) else {
                throw UsageError("STOREFRONT_CLIENT_ADDRESS must be an IP address, optionally with a port (203.0.113.7:52011, [2001:db8::7]:4711), not '\(address.prefix(60))'")
            }
            settings.clientAddress = address
        }
        return settings
    }

    /// An IPv4 or IPv6 address, maybe with a port, as an `X-Forwarded-For` hop
    /// names one; nothing a header could be bent with.
    static func isAddress(_ text: String) -> Bool {
        guard text.utf8.count <= 64, text.contains(where: { $0 == "." || $0 == ":" }) else { return false }
        return text.allSatisfy { $0.isHexDigit || $0 == "." || $0 == ":" || $0 == "[" || $0 == "]" }
    }
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

    /// Every flag with its value's name and what it does: the usage text and the man page both come from here.
    public static let flags: [(flag: String, value: String?, meaning: String)] = [
        ("--server", "URL", "the marketplace server (env STOREFRONT_SERVER, config server, default \(AppOptions.defaultServer))"),
        ("--theme", "NAME", "a theme: dark, light, high-contrast, mono, one of yours in $XDG_CONFIG_HOME/storefront/themes/, or a path to a .theme file (env STOREFRONT_THEME, config theme, default dark)"),
        ("--cacert", "FILE", "trust the certificate authorities in this PEM file for an https:// server, as for a private CA (env STOREFRONT_CACERT, config cacert); certificates are always verified"),
        ("--no-mouse", nil, "leave the mouse to the terminal, for its own selection and scrollback (config mouse = false)"),
        ("--no-remember", nil, "do not keep the session in $XDG_STATE_HOME/storefront/"),
        ("--kiosk", nil, "shared-terminal mode: guest browsing, per-session sign-in, reset after an idle timeout, no way out to a shell, nothing remembered"),
        ("--idle-timeout", "SECONDS", "kiosk idle reset (env STOREFRONT_KIOSK_IDLE, default 120)"),
        ("--help", nil, "show this help"),
        ("--version", nil, "show the version"),
    ]

    public static let synopsis = "storefront [--server URL] [--cacert FILE] [--theme NAME] [--no-mouse] [--no-remember] [--kiosk [--idle-timeout SECONDS]]"

    public static let settingsNote = """
    Settings are read from flags, then the environment, then $XDG_CONFIG_HOME/storefront/config.toml \
    (server = "...", cacert = "...", theme = "...", mouse = true|false). NO_COLOR (any value) turns colours off; themes \
    then use bold, underline and reverse. Keys: ? on any screen lists them. With --kiosk, the marketplace's SSH service \
    sets STOREFRONT_SESSION_TOKEN (start signed in, kept in memory only), STOREFRONT_SSH_PUBLIC_KEY and \
    STOREFRONT_SSH_FINGERPRINT (the session's key) and STOREFRONT_CLIENT_ADDRESS (the shopper's address).
    """

    public static let exitNote = "Exit status: 0 after quitting, 1 when the client cannot run (no terminal, a theme that does not load), 2 for a usage or configuration mistake."

    public static var usage: String {
        var text = "storefront — the Storefront marketplace in your terminal\n\nUSAGE: \(synopsis)\n\nOPTIONS:\n"
        for option in flags {
            let head = "  " + option.flag + (option.value.map { " " + $0 } ?? "")
            let lines = TextWidth.wrap(option.meaning, width: 54)
            for (index, line) in lines.enumerated() {
                text += (index == 0 ? TextWidth.pad(head, to: 26) : String(repeating: " ", count: 26)) + line + "\n"
            }
        }
        text += "\n" + TextWidth.wrap(settingsNote, width: 78).joined(separator: "\n")
        text += "\n" + TextWidth.wrap(exitNote, width: 78).joined(separator: "\n")
        return text
    }

    /// Flags win over the environment; the environment wins over defaults.
    public static func parse(_ arguments: [String], environment: [String: String], config: ConfigFile = ConfigFile()) throws(UsageError) -> LaunchAction {
        var options = AppOptions(remember: true)
        if let server = config.server { options.serverURL = server }
        if let theme = config.theme {
            options.themeName = theme
            options.themeExplicit = true
        }
        if let mouse = config.mouse { options.mouse = mouse }
        if let caFile = config.cacert { options.caFile = caFile }
        if let server = environment["STOREFRONT_SERVER"], !server.isEmpty { options.serverURL = server }
        if let caFile = environment["STOREFRONT_CACERT"], !caFile.isEmpty { options.caFile = caFile }
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
            case "--cacert": options.caFile = try value()
            case "--theme":
                options.themeName = try value()
                options.themeExplicit = true
            case "--kiosk": options.kiosk = true
            case "--no-mouse": options.mouse = false
            case "--no-remember": options.remember = false
            case "--idle-timeout":
                let text = try value()
                guard let seconds = Int(text), seconds > 0 else { throw UsageError("--idle-timeout must be a whole number of seconds > 0, not '\(text)'") }
                options.kioskIdleSeconds = seconds
            default: throw UsageError("unknown argument '\(argument)' (see storefront --help)")
            }
        }
        // A kiosk serves one shopper after another: nothing of one may be kept for the next.
        if options.kiosk {
            options.remember = false
            options.ssh = try SSHSessionSettings.read(environment)
        }
        while options.serverURL.hasSuffix("/") { options.serverURL.removeLast() }
        guard options.serverURL.hasPrefix("http://") || options.serverURL.hasPrefix("https://") else {
            throw UsageError("the server URL must start with http:// or https://, not '\(options.serverURL)'")
        }
        if let caFile = options.caFile, !FileManager.default.isReadableFile(atPath: caFile) {
            throw UsageError("the certificate authorities file '\(caFile)' cannot be read")
        }
        return .run(options)
    }
}
