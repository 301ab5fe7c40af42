import ArgumentParser
import Composition
import Foundation
import Logging
import MarketplaceAPI
import ServiceKit

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
              STOREFRONT_SSH=off, STOREFRONT_SSH_PORT, STOREFRONT_SSH_HOST_KEY, STOREFRONT_DATA_DIR
                                         the SSH door (ssh -p 2222 localhost): on by default
              STOREFRONT_HOST, STOREFRONT_PORT, STOREFRONT_TOKEN_TTL, STOREFRONT_BCRYPT_COST,
              STOREFRONT_DB_SUFFIX, LOG_LEVEL
            Every setting, with its default: docs/OPERATIONS.md.
            With --service, where the other services answer (default http://127.0.0.1:<their port>):
              STOREFRONT_PRODUCTS_URL, STOREFRONT_INVENTORY_URL, STOREFRONT_ORDERS_URL,
              STOREFRONT_PAYMENTS_URL, STOREFRONT_SERVICE_TIMEOUT_MS
            """,
        version: MarketplaceVersion.description,
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

    /// Logs go to standard error, one JSON object a line, at the level asked for.
    func logger(_ label: String) throws -> Logger {
        let level = if let logLevel {
            try JSONLogHandler.level(logLevel, from: "--log-level")
        } else {
            try JSONLogHandler.level(ProcessInfo.processInfo.environment["LOG_LEVEL"], from: "LOG_LEVEL")
        }
        JSONLogHandler.bootstrap(level: level)
        return Logger(label: label)
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Create the service databases and apply pending migrations.")

    @OptionGroup var common: CommonOptions

    func run() async throws {
        let logger = try common.logger("marketplace.migrate")
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
        let logger = try common.logger("marketplace.seed")
        let report = try await CatalogSeed.run(try common.resolve(), products: products, fresh: fresh, logger: logger)
        print("seeded \(report.products) products in \(report.categories) categories with \(report.stockRows) stock rows")
        print("vendors: \(report.vendors.joined(separator: ", "))")
        if let password = report.vendorPassword { print("vendor password: \(password)") }
    }
}
