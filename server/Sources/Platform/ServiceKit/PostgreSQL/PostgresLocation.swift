import Foundation
import Logging
import PostgresNIO

/// Where a service's PostgreSQL database lives. Parsed from a URL such as
/// `postgres://user:password@host:5432`; each service appends its own database name.
public struct PostgresLocation: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    /// libpq's `sslmode`: disable (the default here), require (encrypted, the
    /// certificate not checked), verify-ca (signed by a trusted authority) or
    /// verify-full (and issued for this host). `sslrootcert` names the authorities'
    /// PEM file; without it the system's are trusted.
    public var sslMode: SSLMode
    public var rootCertificate: String?

    public enum SSLMode: String, Sendable, Equatable, CaseIterable {
        case disable, require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    public var requireTLS: Bool { sslMode != .disable }

    public init(url: String) throws {
        guard let components = URLComponents(string: url),
              let scheme = components.scheme, scheme == "postgres" || scheme == "postgresql",
              let host = components.host, !host.isEmpty
        else {
            throw ConfigurationError("not a PostgreSQL URL (postgres://user:password@host:port): \(Self.redacted(url))")
        }
        guard let user = components.user, !user.isEmpty else {
            throw ConfigurationError("the PostgreSQL URL names no user: \(Self.redacted(url))")
        }
        self.host = host
        self.port = components.port ?? 5432
        self.username = user.removingPercentEncoding ?? user
        self.password = components.password.map { $0.removingPercentEncoding ?? $0 }
        let query = components.queryItems ?? []
        let mode = query.first { $0.name == "sslmode" }?.value ?? "disable"
        guard let sslMode = SSLMode(rawValue: mode) else {
            throw ConfigurationError("the PostgreSQL URL's sslmode must be one of \(SSLMode.allCases.map(\.rawValue).joined(separator: ", ")), not \(mode)")
        }
        self.sslMode = sslMode
        self.rootCertificate = query.first { $0.name == "sslrootcert" }?.value
        if let rootCertificate, !FileManager.default.isReadableFile(atPath: rootCertificate) {
            throw ConfigurationError("the PostgreSQL URL's sslrootcert cannot be read: \(rootCertificate)")
        }
    }

    /// The client's TLS settings for `sslMode`; nil when it is `disable`.
    var tlsConfiguration: TLSConfiguration? {
        var configuration = TLSConfiguration.makeClientConfiguration()
        if let rootCertificate { configuration.trustRoots = .file(rootCertificate) }
        switch sslMode {
        case .disable: return nil
        case .require: configuration.certificateVerification = .none
        case .verifyCA: configuration.certificateVerification = .noHostnameVerification
        case .verifyFull: configuration.certificateVerification = .fullVerification
        }
        return configuration
    }

    var tls: PostgresClient.Configuration.TLS {
        tlsConfiguration.map { .require($0) } ?? .disable
    }

    /// One connection to `database`, opened and closed, so a start-up that cannot
    /// reach PostgreSQL says why (refused, wrong password, no such database, too
    /// many clients) instead of the pool's "circuit breaker tripped" a minute later.
    /// A server still starting up or out of connection slots is tried again until
    /// `patience` is over.
    public func probe(database: String, logger: Logger, patience: Duration = .seconds(20)) async throws {
        var tls = PostgresConnection.Configuration.TLS.disable
        if let configuration = tlsConfiguration {
            tls = .require(try NIOSSLContext(configuration: configuration))
        }
        var configuration = PostgresConnection.Configuration(
            host: host, port: port, username: username, password: password, database: database, tls: tls)
        configuration.options.connectTimeout = .seconds(3)
        let deadline = ContinuousClock.now + patience
        var attempt = 0
        while true {
            attempt += 1
            do {
                let connection = try await PostgresConnection.connect(configuration: configuration, id: attempt, logger: logger)
                try? await connection.close()
                return
            } catch {
                let reason = Self.reason(error)
                // 57P03: the server is starting up; 53300: no connection slot free.
                let transient = reason.sqlState == "57P03" || reason.sqlState == "53300"
                if transient, ContinuousClock.now < deadline {
                    logger.warning("PostgreSQL is not taking connections yet; trying again", metadata: ["reason": .string(reason.text)])
                    try await Task.sleep(for: .milliseconds(500))
                    continue
                }
                throw ConfigurationError("cannot use PostgreSQL at \(host):\(port) (database \(database), user \(username)): \(reason.text)")
            }
        }
    }

    /// What went wrong with a connection, in the server's words where it gave some.
    public static func reason(_ error: any Error) -> (text: String, sqlState: String?) {
        guard let error = error as? PSQLError else { return (String(describing: error), nil) }
        if let info = error.serverInfo, let message = info[.message] {
            let state = info[.sqlState]
            return (state.map { "\(message) (SQLSTATE \($0))" } ?? message, state)
        }
        if let underlying = error.underlying { return (String(describing: underlying), nil) }
        return (String(reflecting: error), nil)
    }

    /// `statementTimeout`: PostgreSQL cancels any statement running longer (the
    /// services pass one below their request deadline, so a slow query fails only its
    /// own request, with a clear error; migrations pass none).
    public func clientConfiguration(database: String, statementTimeout: Duration? = nil) -> PostgresClient.Configuration {
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: username, password: password, database: database,
            tls: tls)
        configuration.options.maximumConnections = 20
        configuration.options.connectionIdleTimeout = .seconds(60)
        configuration.options.connectTimeout = .seconds(3)
        if let statementTimeout {
            let ms = statementTimeout.components.seconds * 1000 + statementTimeout.components.attoseconds / 1_000_000_000_000_000
            configuration.options.additionalStartupParameters = [("statement_timeout", String(max(1, ms)))]
        }
        return configuration
    }

    /// `shortLived` is for commands that open a pool for one job (migrate, seed,
    /// admin create): the pool's chatter while it starts up stays out of their output.
    public func client(database: String, logger: Logger, shortLived: Bool = false, statementTimeout: Duration? = nil) -> PostgresClient {
        var background = logger
        if shortLived, background.logLevel < .error { background.logLevel = .error }
        return PostgresClient(configuration: clientConfiguration(database: database, statementTimeout: statementTimeout), backgroundLogger: background)
    }

    /// URLs are logged and shown in errors without their password.
    public static func redacted(_ url: String) -> String {
        guard var components = URLComponents(string: url), components.password != nil else { return url }
        components.password = "***"
        return components.string ?? "postgres://***"
    }
}
