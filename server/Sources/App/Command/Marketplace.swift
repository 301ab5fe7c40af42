import ArgumentParser
import AuthService
import Composition
import Foundation
import Hummingbird
import Logging
import MarketplaceAPI
import PostgresNIO
import ServiceKit
import ServiceLifecycle

@main
struct Marketplace: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "marketplace",
        abstract: "The Storefront marketplace server.",
        discussion: """
            Configuration comes from flags or, when a flag is absent, from the environment:
              STOREFRONT_POSTGRES_URL    postgres://user:password@host:port (required)
              STOREFRONT_MONGO_URL       mongodb://host:port (required)
              STOREFRONT_JWT_SECRET      secret for shoppers' tokens, >= 32 bytes (required)
              STOREFRONT_SERVICE_SECRET  secret for service credentials, >= 32 bytes (required)
              STOREFRONT_JWT_PREVIOUS_SECRETS, STOREFRONT_SERVICE_PREVIOUS_SECRETS
                                         earlier secrets still accepted while keys rotate
              STOREFRONT_TLS_CERT, STOREFRONT_TLS_KEY
                                         serve HTTPS with this PEM chain and key
              STOREFRONT_TRUSTED_PROXIES proxies whose forwarded clients count (default loopback)
              OTEL_EXPORTER_OTLP_ENDPOINT
                                         send OpenTelemetry traces there over OTLP/HTTP (default off)
              STOREFRONT_HOST, STOREFRONT_PORT, STOREFRONT_TOKEN_TTL, STOREFRONT_BCRYPT_COST,
              STOREFRONT_DB_SUFFIX, LOG_LEVEL
            Every setting, with its default: docs/OPERATIONS.md.
            With --service, where the other services answer (default http://127.0.0.1:<their port>):
              STOREFRONT_PRODUCTS_URL, STOREFRONT_INVENTORY_URL, STOREFRONT_ORDERS_URL,
              STOREFRONT_PAYMENTS_URL, STOREFRONT_SERVICE_TIMEOUT_MS
            """,
        subcommands: [Serve.self, Migrate.self, Seed.self, Admin.self, BenchReference.self],
        defaultSubcommand: Serve.self)
}

struct CommonOptions: ParsableArguments {
    @Option(help: "PostgreSQL URL (env STOREFRONT_POSTGRES_URL).")
    var postgresURL: String?

    @Option(help: "Suffix for every database name (env STOREFRONT_DB_SUFFIX).")
    var databaseSuffix: String?

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical (env LOG_LEVEL).")
    var logLevel: String?

    func resolve() throws -> AppConfiguration {
        var env = ProcessInfo.processInfo.environment
        if let postgresURL { env["STOREFRONT_POSTGRES_URL"] = postgresURL }
        if let databaseSuffix { env["STOREFRONT_DB_SUFFIX"] = databaseSuffix }
        return try AppConfiguration.fromEnvironment(env)
    }

    func logger(_ label: String) -> Logger {
        JSONLogHandler.bootstrap(level: logLevel ?? ProcessInfo.processInfo.environment["LOG_LEVEL"])
        return Logger(label: label)
    }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run every service and the gateway on one port, or one service alone.",
        discussion: """
            Without --service, one process serves every route, limits clients per IP and answers CORS.
            With --service NAME, the process serves that service's routes only (behind a gateway such
            as server/deploy/nginx) and calls the others over HTTP with a service credential.
            Services and their default ports: \(ServiceName.allCases.map { "\($0.rawValue) \($0.defaultPort)" }.joined(separator: ", ")).
            """)

    @OptionGroup var common: CommonOptions

    @Option(help: ArgumentHelp("Run this service alone.", valueName: "name"), transform: { value in
        guard let service = ServiceName(argument: value) else {
            throw ValidationError("unknown service \"\(value)\"; one of: \(ServiceName.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return service
    })
    var service: ServiceName?

    @Option(help: "Address to listen on (env STOREFRONT_HOST, default 127.0.0.1).")
    var host: String?

    @Option(help: "Port to listen on (env STOREFRONT_PORT, default 8080).")
    var port: Int?

    @Flag(help: "Apply pending migrations before serving.")
    var migrate = false

    func run() async throws {
        let logger = common.logger(service.map { "marketplace.\($0.rawValue)" } ?? "marketplace")
        var configuration = try common.resolve()
        if let host { configuration.host = host }
        if let service {
            configuration.service = service
            if ProcessInfo.processInfo.environment["STOREFRONT_PORT"] == nil { configuration.port = service.defaultPort }
        }
        if let port { configuration.port = port }
        if migrate { _ = try await migrateAll(configuration, logger: logger) }
        // Before the routes exist, so no span is started against the no-op tracer.
        let tracer = configuration.tracing ? try OTLPTracing.bootstrap(service: configuration.service, logger: logger) : nil
        let app = try await buildApplication(configuration, logger: logger)
        // SIGTERM and SIGINT stop the server gracefully: in-flight requests finish,
        // within their deadline and ten seconds more; what is still hung then is
        // abandoned (a checkout is settled by recovery at the next start).
        let drain = configuration.drain
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: app),
            // Last in the list, so the first told of the shutdown.
            .init(service: ShutdownWatchdog(limit: drain + .seconds(5), logger: logger), successTerminationBehavior: .ignore),
        ]
        if let tracer {
            // First in the list, so the last told: spans of the drained requests are sent.
            services.insert(.init(service: tracer), at: 0)
        }
        var group = ServiceGroupConfiguration(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        group.maximumGracefulShutdownDuration = drain
        do {
            try await ServiceGroup(configuration: group).run()
        } catch {
            // A shutdown past its limits, or a start that failed (a port already taken).
            logger.error("the server stopped with an error", metadata: ["error": .string(String(describing: error))])
            throw ExitCode(1)
        }
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Create the service databases and apply pending migrations.")

    @OptionGroup var common: CommonOptions

    func run() async throws {
        let logger = common.logger("marketplace.migrate")
        let applied = try await migrateAll(try common.resolve(), logger: logger)
        for (database, versions) in applied.sorted(by: { $0.key < $1.key }) {
            print(versions.isEmpty ? "\(database): up to date" : "\(database): applied \(versions.map(String.init).joined(separator: ", "))")
        }
    }
}

struct Seed: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fill the catalog with demo vendors, products and stock.",
        discussion: "Vendor accounts are created once and reused; their password is STOREFRONT_SEED_PASSWORD or a random one printed here. Each run adds N products unless --fresh empties the catalog first (stock rows of removed products stay).")

    @OptionGroup var common: CommonOptions

    @Option(help: "How many products to add.")
    var products: Int = 200

    @Flag(help: "Empty the product catalog before seeding.")
    var fresh = false

    func validate() throws {
        guard (0...1_000_000).contains(products) else { throw ValidationError("--products must be from 0 to 1000000") }
    }

    func run() async throws {
        let logger = common.logger("marketplace.seed")
        let report = try await CatalogSeed.run(try common.resolve(), products: products, fresh: fresh, logger: logger)
        print("seeded \(report.products) products in \(report.categories) categories with \(report.stockRows) stock rows")
        print("vendors: \(report.vendors.joined(separator: ", "))")
        if let password = report.vendorPassword { print("vendor password: \(password)") }
    }
}

struct Admin: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Manage admin accounts.", subcommands: [CreateAdmin.self])
}

struct CreateAdmin: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create an admin account.",
        discussion: "The password is read from STOREFRONT_ADMIN_PASSWORD or, when unset, from the first line of standard input. It is never taken from the command line, where other users could read it.")

    @OptionGroup var common: CommonOptions

    @Option(help: "Email of the new admin.")
    var email: String

    @Option(help: "Full name of the new admin.")
    var name: String

    func run() async throws {
        let logger = common.logger("marketplace.admin")
        let configuration = try common.resolve()
        guard let password = Self.readPassword() else {
            throw ValidationError("no password: set STOREFRONT_ADMIN_PASSWORD or pipe it on standard input")
        }
        let new: NewAccount
        do {
            new = try AccountRules.validate(.init(name: name, email: email, password: password, role: "admin"))
        } catch AuthError.invalid(let errors) {
            throw ValidationError(errors.map(\.message).joined(separator: "; "))
        }
        let location = try PostgresLocation(url: configuration.postgresURL)
        let client = location.client(database: configuration.databaseName(.auth), logger: logger, shortLived: true)
        let tokens = try await TokenService(userSecret: configuration.tokenSecret, serviceSecret: configuration.serviceSecret)
        let account = try await PostgresClient.withRunning(client) { client in
            let service = AuthService(
                accounts: PostgresAccountRepository(client: client, logger: logger),
                hasher: PasswordHasher(cost: configuration.bcryptCost), tokens: tokens)
            do {
                return try await service.create(new)
            } catch let error as AuthError {
                throw ValidationError(error.appError.message)
            }
        }
        print("admin created: \(account.email) (\(account.summary.id))")
    }

    static func readPassword() -> String? {
        if let fromEnv = ProcessInfo.processInfo.environment["STOREFRONT_ADMIN_PASSWORD"], !fromEnv.isEmpty {
            return fromEnv
        }
        guard let line = readLine(strippingNewline: true), !line.isEmpty else { return nil }
        return line
    }
}

/// Ends the process `limit` after a shutdown began, whatever still runs then: the
/// graceful drain and the cancellation after it have had their time, and what
/// hangs past both (a driver call that never returns) is abandoned, with a
/// warning; an interrupted checkout is settled by recovery at the next start.
/// Without it the service group's own limit would end the process with a crash.
struct ShutdownWatchdog: Service {
    let limit: Duration
    let logger: Logger

    func run() async throws {
        do {
            try await gracefulShutdown()
        } catch {
            return
        }
        let limit = limit
        let logger = logger
        let thread = Thread {
            Thread.sleep(forTimeInterval: Double(limit.components.seconds) + Double(limit.components.attoseconds) / 1e18)
            logger.warning("shutdown took longer than \(limit.components.seconds) s; abandoning what still runs")
            fflush(nil)
            _exit(0)
        }
        thread.start()
    }
}
