import AuthService
import Foundation
import MarketplaceAPI
import NIOCore
import ServiceKit

/// Everything the server needs to start, resolved once from flags and the environment.
public struct AppConfiguration: Sendable {
    public var host: String = "127.0.0.1"
    public var port: Int = 8080
    /// `postgres://user:password@host:port`; each service uses its own database on it.
    public var postgresURL: String
    /// `mongodb://host:port`: the user and product services' document store.
    public var mongoURL: String = ""
    /// How long a catalog read may be served from the product cache; a write on
    /// this instance clears it at once, writes on other instances show within this time.
    public var productCacheTTL: Duration = .seconds(5)
    /// Appended to every database name, so one server can hold several installations (tests use `_test`).
    public var databaseSuffix: String = ""
    /// HMAC secret for shoppers' tokens.
    public var tokenSecret: String
    /// HMAC secret for service credentials; must differ from `tokenSecret`.
    public var serviceSecret: String
    /// Secrets that signed tokens before the current ones: still accepted, never
    /// used to sign, until they are dropped after a token lifetime (key rotation).
    public var previousTokenSecrets: [String] = []
    public var previousServiceSecrets: [String] = []
    public var userTokenSecrets: TokenSecrets { TokenSecrets(current: tokenSecret, previous: previousTokenSecrets) }
    public var serviceTokenSecrets: TokenSecrets { TokenSecrets(current: serviceSecret, previous: previousServiceSecrets) }
    public var tokenLifetime: Duration = .seconds(3600)
    /// bcrypt's cost: 12 unless the operator says otherwise (10 to 16); 4 to 9 only
    /// for tests that are not about hashing, which need sign-ups by the hundred.
    public var bcryptCost: UInt8 = 12
    /// Password hashes running or waiting at once; more answer 503 at once.
    public var hashingQueue: Int = 16
    /// Of those, the most one client (an address, a kiosk session) may have running or
    /// waiting; its further sign-ins answer 429 while everybody else's still queue.
    public var hashingPerClient: Int = 4
    /// New accounts per client address: one every `signUpInterval`, after a burst of
    /// `signUpBurst`; nil: unlimited. Each costs a password hash, so this is much
    /// tighter than the request limit.
    public var signUpInterval: Duration? = .seconds(3)
    public var signUpBurst: Int = 20
    /// Threads hashing passwords (as many as the cores, as NIO's shared pool had);
    /// fewer leave cores to browsing during a storm of sign-ins.
    public var hashingThreads: Int = System.coreCount
    /// Failed sign-ins allowed per email and per client address before each further one waits; nil: no limit.
    public var loginThrottle: LoginThrottle.Limits? = LoginThrottle.Limits()
    /// The sandbox payment provider's delay per charge (tests and benchmarks).
    public var paymentLatency: Duration = .zero
    /// The share of sandbox charges declined as a processing error, 0...1.
    public var paymentFailureRate: Double = 0
    /// How long the payment service waits for the provider's answer to one charge or
    /// refund before it calls the outcome unknown (the payment stays Pending, to settle later).
    public var paymentProviderTimeout: Duration = .seconds(10)
    /// How often interrupted checkouts are looked for, and how long one must sit
    /// untouched before it counts as interrupted.
    public var checkoutRecoveryInterval: Duration = .seconds(15)
    public var checkoutStaleAfter: Duration = .seconds(30)
    /// The recovery takeover at which an unfinished checkout is undone (and refunded).
    /// Takeovers back off (the stale delay, doubled each time), so with a 30 s stale
    /// delay the sixth comes about 32 minutes after the checkout stopped moving:
    /// the recovery window.
    public var checkoutRecoveryAttempts = 6
    /// Requests per second per account (signed in) or per client address (guests),
    /// with bursts up to `rateLimitBurst`; nil turns the limit off.
    public var rateLimitPerSecond: Double? = 50
    public var rateLimitBurst: Double = 100
    /// Proxies whose `Forwarded` / `X-Forwarded-For` are believed (the gateway, a TLS
    /// terminator, kiosk hosts); loopback by default, so the gateway and kiosks on
    /// this host are told apart from their clients without configuration.
    public var trustedProxies: [IPNetwork] = IPNetwork.loopback
    /// Networks besides loopback whose clients may read `/metrics` without a credential.
    public var metricsScrapers: [IPNetwork] = []
    /// Origins allowed to call the API from a browser (`*` for any); empty allows none.
    public var corsOrigins: Set<String> = []
    /// Header and idle timeouts of every connection, and the connections one address may hold.
    public var connectionLimits = ConnectionLimits()
    /// The longest a request may take before it answers 503.
    public var requestTimeout: Duration = .seconds(10)
    /// nil: every service in this process (`marketplace serve`); otherwise this one alone.
    public var service: ServiceName?
    /// Where the services this process does not run answer.
    public var peers = PeerAddresses()
    /// How long one call to another service may take before it counts as failed.
    public var serviceCallTimeout: Duration = .seconds(5)
    /// Spans for every request, every call between services and every checkout
    /// step, exported over OTLP: on when the OpenTelemetry variables name an
    /// endpoint (`Telemetry.tracingRequested`).
    public var tracing = false
    /// The SSH door (`ssh -p 2222 shop`): on in the all-in-one process unless
    /// `STOREFRONT_SSH=off`; the only thing `--service ssh` runs besides its probes.
    public var ssh = SSHSettings()

    public init(postgresURL: String, tokenSecret: String, serviceSecret: String) {
        self.postgresURL = postgresURL
        self.tokenSecret = tokenSecret
        self.serviceSecret = serviceSecret
    }

    public func databaseName(_ database: Database) -> String { database.name + databaseSuffix }

    /// How long a stopping server lets requests in flight finish (their deadline and
    /// ten seconds more); a watchdog ends the process five seconds after that. A
    /// container runtime must wait longer before it kills (compose, Kubernetes).
    public var drain: Duration { requestTimeout + .seconds(10) }

    /// Reads the `STOREFRONT_*` variables. Flags given on the command line win over these.
    public static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment) throws -> AppConfiguration {
        func required(_ key: String, _ hint: String) throws -> String {
            guard let value = env[key], !value.isEmpty else {
                throw ConfigurationError("\(key) is not set (\(hint))")
            }
            return value
        }
        /// A positive whole number of seconds; nil when unset.
        func positiveSeconds(_ key: String) throws -> Duration? {
            guard let text = env[key] else { return nil }
            guard let seconds = Int(text), seconds > 0 else { throw ConfigurationError("\(key) must be a positive number of seconds: \(text)") }
            return .seconds(seconds)
        }
        /// `A/B`, two positive whole numbers (`format` names them, with an example), or
        /// `off` (nil). Called only when the variable is set.
        func pairOrOff(_ key: String, _ text: String, format: String) throws -> (Int, Int)? {
            if text == "off" { return nil }
            let parts = text.split(separator: "/").map { Int($0) }
            guard parts.count == 2, let first = parts[0], let second = parts[1], first > 0, second > 0 else {
                throw ConfigurationError("\(key) must be \(format), or off: \(text)")
            }
            return (first, second)
        }
        var configuration = AppConfiguration(
            postgresURL: try required("STOREFRONT_POSTGRES_URL", "e.g. postgres://user:password@127.0.0.1:5432; `server/dev/stores env` prints the local one"),
            tokenSecret: try required("STOREFRONT_JWT_SECRET", "a random string of at least 32 bytes"),
            serviceSecret: try required("STOREFRONT_SERVICE_SECRET", "a random string of at least 32 bytes, different from STOREFRONT_JWT_SECRET"))
        configuration.mongoURL = try required("STOREFRONT_MONGO_URL", "e.g. mongodb://127.0.0.1:27017; `server/dev/stores env` prints the local one")
        if let ttl = env["STOREFRONT_PRODUCT_CACHE_TTL"] {
            guard let seconds = Int(ttl), seconds >= 0 else { throw ConfigurationError("STOREFRONT_PRODUCT_CACHE_TTL must be a whole number of seconds (0 disables the cache): \(ttl)") }
            configuration.productCacheTTL = .seconds(seconds)
        }
        if let host = env["STOREFRONT_HOST"], !host.isEmpty { configuration.host = host }
        if let port = env["STOREFRONT_PORT"] {
            guard let value = Int(port), (0...65535).contains(value) else { throw ConfigurationError("STOREFRONT_PORT must be a port number: \(port)") }
            configuration.port = value
        }
        if let suffix = env["STOREFRONT_DB_SUFFIX"] { configuration.databaseSuffix = suffix }
        configuration.tracing = Telemetry.tracingRequested(env)
        configuration.previousTokenSecrets = TokenSecrets.list(env["STOREFRONT_JWT_PREVIOUS_SECRETS"] ?? "")
        configuration.previousServiceSecrets = TokenSecrets.list(env["STOREFRONT_SERVICE_PREVIOUS_SECRETS"] ?? "")
        try TokenSecrets.validate(user: configuration.userTokenSecrets, service: configuration.serviceTokenSecrets)
        if let lifetime = try positiveSeconds("STOREFRONT_TOKEN_TTL") { configuration.tokenLifetime = lifetime }
        if let cost = env["STOREFRONT_BCRYPT_COST"] {
            guard let value = UInt8(cost), (4...16).contains(value) else {
                throw ConfigurationError("STOREFRONT_BCRYPT_COST must be between 10 and 16 (4 to 9 for tests only): \(cost)")
            }
            configuration.bcryptCost = value
        }
        if let queue = env["STOREFRONT_HASHING_QUEUE"] {
            guard let value = Int(queue), value > 0 else { throw ConfigurationError("STOREFRONT_HASHING_QUEUE must be a positive whole number: \(queue)") }
            configuration.hashingQueue = value
        }
        if let share = env["STOREFRONT_HASHING_PER_CLIENT"] {
            guard let value = Int(share), value > 0 else { throw ConfigurationError("STOREFRONT_HASHING_PER_CLIENT must be a positive whole number: \(share)") }
            configuration.hashingPerClient = value
        }
        if let threads = env["STOREFRONT_HASHING_THREADS"] {
            guard let value = Int(threads), (1...256).contains(value) else {
                throw ConfigurationError("STOREFRONT_HASHING_THREADS must be a whole number from 1 to 256: \(threads)")
            }
            configuration.hashingThreads = value
        }
        if let limit = env["STOREFRONT_LOGIN_FAILURES"] {
            // Failed sign-ins within 15 minutes per email and per address.
            configuration.loginThrottle = try pairOrOff("STOREFRONT_LOGIN_FAILURES", limit, format: "PER_EMAIL/PER_ADDRESS (e.g. 5/100)").map {
                LoginThrottle.Limits(allowedFailures: $0.0, allowedFailuresPerAddress: $0.1)
            }
        }
        if let latency = env["STOREFRONT_PAYMENT_LATENCY_MS"] {
            guard let ms = Int(latency), ms >= 0 else { throw ConfigurationError("STOREFRONT_PAYMENT_LATENCY_MS must be a whole number of milliseconds: \(latency)") }
            configuration.paymentLatency = .milliseconds(ms)
        }
        if let timeout = env["STOREFRONT_PAYMENT_PROVIDER_TIMEOUT_MS"] {
            guard let ms = Int(timeout), ms > 0 else { throw ConfigurationError("STOREFRONT_PAYMENT_PROVIDER_TIMEOUT_MS must be a positive number of milliseconds: \(timeout)") }
            configuration.paymentProviderTimeout = .milliseconds(ms)
        }
        if let rate = env["STOREFRONT_PAYMENT_FAILURE_RATE"] {
            guard let value = Double(rate), (0...1).contains(value) else { throw ConfigurationError("STOREFRONT_PAYMENT_FAILURE_RATE must be a share from 0 to 1: \(rate)") }
            configuration.paymentFailureRate = value
        }
        if let attempts = env["STOREFRONT_CHECKOUT_RECOVERY_ATTEMPTS"] {
            guard let count = Int(attempts), (1...100).contains(count) else {
                throw ConfigurationError("STOREFRONT_CHECKOUT_RECOVERY_ATTEMPTS must be a number from 1 to 100: \(attempts)")
            }
            configuration.checkoutRecoveryAttempts = count
        }
        if let stale = try positiveSeconds("STOREFRONT_CHECKOUT_STALE_AFTER") {
            configuration.checkoutStaleAfter = stale
            configuration.checkoutRecoveryInterval = .seconds(max(1, stale.components.seconds / 2))
        }
        if let rate = env["STOREFRONT_RATE_LIMIT"] {
            // "RATE" or "RATE/BURST" requests per second per client; "off" disables it.
            if rate == "off" {
                configuration.rateLimitPerSecond = nil
            } else {
                let parts = rate.split(separator: "/").map { Double($0) }
                guard (1...2).contains(parts.count), let perSecond = parts[0], perSecond > 0, parts.count == 1 || (parts[1] ?? 0) >= 1 else {
                    throw ConfigurationError("STOREFRONT_RATE_LIMIT must be RATE or RATE/BURST requests per second, or off: \(rate)")
                }
                configuration.rateLimitPerSecond = perSecond
                configuration.rateLimitBurst = parts.count == 2 ? parts[1]! : perSecond * 2
            }
        }
        if let limit = env["STOREFRONT_SIGNUP_LIMIT"] {
            let pair = try pairOrOff("STOREFRONT_SIGNUP_LIMIT", limit, format: "SECONDS/BURST (one account per SECONDS per address after BURST, e.g. 3/20)")
            configuration.signUpInterval = pair.map { .seconds($0.0) }
            if let pair { configuration.signUpBurst = pair.1 }
        }
        if let proxies = env["STOREFRONT_TRUSTED_PROXIES"] {
            switch IPNetwork.list(proxies) {
            case .success(let networks): configuration.trustedProxies = networks
            case .failure(let error):
                throw ConfigurationError("STOREFRONT_TRUSTED_PROXIES must be comma-separated addresses or CIDR networks (empty trusts none): \"\(error.entry)\" is not")
            }
        }
        if let scrapers = env["STOREFRONT_METRICS_SCRAPERS"] {
            switch IPNetwork.list(scrapers) {
            case .success(let networks): configuration.metricsScrapers = networks
            case .failure(let error):
                throw ConfigurationError("STOREFRONT_METRICS_SCRAPERS must be comma-separated addresses or CIDR networks: \"\(error.entry)\" is not")
            }
        }
        if let origins = env["STOREFRONT_CORS_ORIGINS"] {
            configuration.corsOrigins = Set(origins.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
        }
        if let timeout = try positiveSeconds("STOREFRONT_REQUEST_TIMEOUT") { configuration.requestTimeout = timeout }
        if let timeout = try positiveSeconds("STOREFRONT_HEADER_TIMEOUT") { configuration.connectionLimits.headerTimeout = timeout }
        if let timeout = try positiveSeconds("STOREFRONT_IDLE_TIMEOUT") { configuration.connectionLimits.idleTimeout = timeout }
        if let cap = env["STOREFRONT_CONNECTIONS_PER_ADDRESS"] {
            if cap == "off" {
                configuration.connectionLimits.perAddress = nil
            } else {
                guard let value = Int(cap), value > 0 else {
                    throw ConfigurationError("STOREFRONT_CONNECTIONS_PER_ADDRESS must be a positive whole number, or off: \(cap)")
                }
                configuration.connectionLimits.perAddress = value
            }
        }
        configuration.peers = try PeerAddresses.fromEnvironment(env)
        configuration.ssh = try SSHSettings.fromEnvironment(env)
        if let timeout = env["STOREFRONT_SERVICE_TIMEOUT_MS"] {
            guard let ms = Int(timeout), ms > 0 else { throw ConfigurationError("STOREFRONT_SERVICE_TIMEOUT_MS must be a positive number of milliseconds: \(timeout)") }
            configuration.serviceCallTimeout = .milliseconds(ms)
        }
        return configuration
    }
}
