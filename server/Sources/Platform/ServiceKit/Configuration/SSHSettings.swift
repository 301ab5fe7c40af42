import Foundation

/// The marketplace's own SSH door (`ssh -p 2222 shop`): where it listens, its host
/// key, the terminal shop it runs for each session and its limits. Read from the
/// `STOREFRONT_SSH_*` variables, each checked here as the other settings are.
public struct SSHSettings: Sendable, Equatable {
    /// Off with `STOREFRONT_SSH=off` (or `--no-ssh`); on by default in the all-in-one process.
    public var enabled = true
    /// Asked for by name (`STOREFRONT_SSH=on`, a port given): a port already taken then
    /// stops the server; otherwise the shop runs on without its SSH door and says so.
    public var required = false
    public var host = "127.0.0.1"
    public var port = 2222
    /// An OpenSSH private key file (ed25519, unencrypted: `ssh-keygen -t ed25519 -N ''`);
    /// nil: `ssh_host_ed25519_key` in the data folder, made on first start.
    public var hostKeyPath: String?
    /// Where the server keeps what it makes itself (the generated host key).
    public var dataDirectory = ".data"
    /// The terminal shop each session runs; nil: `storefront` beside the server's
    /// binary, else the repository's `.build/debug/storefront`.
    public var clientPath: String?
    /// The marketplace URL the sessions' clients use; nil: this process's own port
    /// (all in one), the gateway on 8080 (the service alone).
    public var shopURL: String?
    /// Sessions open at once, in all and per client address.
    public var maxSessions = 200
    public var sessionsPerAddress = 10
    /// A connection that has not authenticated within this time is closed.
    public var authenticationTimeout: Duration = .seconds(30)
    /// Authentication requests one connection may make (every key the client offers counts).
    public var authenticationAttempts = 10
    /// New connections per client address per second, with bursts of twice as many.
    public var connectionsPerSecond: Double = 5
    /// How long a stopping server gives each session's shop to end before it is killed.
    public var drain: Duration = .seconds(5)
    /// For benchmarks: a folder where each session's shop writes its timings
    /// (`STOREFRONT_TRACE`, one file per process); nil: none.
    public var traceDirectory: String?

    public init() {}

    public var hostKeyFile: String {
        hostKeyPath ?? URL(fileURLWithPath: dataDirectory).appendingPathComponent("ssh_host_ed25519_key").path
    }

    /// Reads the `STOREFRONT_SSH*` and `STOREFRONT_DATA_DIR` variables.
    public static func fromEnvironment(_ env: [String: String]) throws -> SSHSettings {
        var settings = SSHSettings()
        func positive(_ key: String, upTo limit: Int = 1_000_000) throws -> Int? {
            guard let text = env[key] else { return nil }
            guard let value = Int(text), (1...limit).contains(value) else {
                throw ConfigurationError("\(key) must be a whole number from 1 to \(limit): \(text)")
            }
            return value
        }
        if let switchText = env["STOREFRONT_SSH"] {
            switch switchText.lowercased() {
            case "on", "1", "true", "yes": settings.enabled = true; settings.required = true
            case "off", "0", "false", "no": settings.enabled = false
            default: throw ConfigurationError("STOREFRONT_SSH must be on or off: \(switchText)")
            }
        }
        if let host = env["STOREFRONT_SSH_HOST"], !host.isEmpty { settings.host = host }
        if let port = env["STOREFRONT_SSH_PORT"] {
            guard let value = Int(port), (0...65535).contains(value) else { throw ConfigurationError("STOREFRONT_SSH_PORT must be a port number: \(port)") }
            settings.port = value
            settings.required = true
        }
        if let key = env["STOREFRONT_SSH_HOST_KEY"], !key.isEmpty { settings.hostKeyPath = key }
        if let data = env["STOREFRONT_DATA_DIR"], !data.isEmpty { settings.dataDirectory = data }
        if let client = env["STOREFRONT_SSH_CLIENT"], !client.isEmpty { settings.clientPath = client }
        if let url = env["STOREFRONT_SSH_SHOP_URL"], !url.isEmpty {
            guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme ?? ""), parsed.host != nil else {
                throw ConfigurationError("STOREFRONT_SSH_SHOP_URL must be an http(s) URL such as http://127.0.0.1:8080: \(url)")
            }
            settings.shopURL = url
        }
        if let value = try positive("STOREFRONT_SSH_SESSIONS") { settings.maxSessions = value }
        if let value = try positive("STOREFRONT_SSH_SESSIONS_PER_ADDRESS") { settings.sessionsPerAddress = value }
        if let value = try positive("STOREFRONT_SSH_AUTH_TIMEOUT", upTo: 3600) { settings.authenticationTimeout = .seconds(value) }
        if let value = try positive("STOREFRONT_SSH_AUTH_ATTEMPTS", upTo: 100) { settings.authenticationAttempts = value }
        if let rate = env["STOREFRONT_SSH_CONNECT_RATE"] {
            guard let value = Double(rate), value > 0, value <= 10_000 else {
                throw ConfigurationError("STOREFRONT_SSH_CONNECT_RATE must be new connections per second per address, more than 0: \(rate)")
            }
            settings.connectionsPerSecond = value
        }
        if let value = try positive("STOREFRONT_SSH_DRAIN", upTo: 300) { settings.drain = .seconds(value) }
        if let folder = env["STOREFRONT_SSH_TRACE"], !folder.isEmpty { settings.traceDirectory = folder }
        return settings
    }
}
