import Logging
import MarketplaceAPI
import PostgresNIO
import ServiceKit
import ServiceLifecycle

/// The stores the services of this process talk to: one client per database
/// they own, and the document store when the user or product service runs here.
public struct Stores: Sendable {
    let postgres: [Database: PostgresClient]
    /// The user and product services' document store (one pool per URL, per process).
    public let documents: DocumentStores?
    let services: Set<ServiceName>
    let logger: Logger

    public init(configuration: AppConfiguration, logger: Logger, for services: Set<ServiceName> = Set(ServiceName.allCases)) throws {
        self.services = services
        self.logger = logger
        self.documents = services.contains(.users) || services.contains(.products) ? try DocumentStores(configuration: configuration) : nil
        let location = try PostgresLocation(url: configuration.postgresURL)
        var postgres: [Database: PostgresClient] = [:]
        for database in services.flatMap(\.postgresDatabases) {
            // A statement may take most of a request's time, never all of it.
            postgres[database] = location.client(database: configuration.databaseName(database), logger: logger,
                                                 statementTimeout: configuration.requestTimeout * 0.8)
        }
        self.postgres = postgres
    }

    /// The client of a database a service of this process owns.
    func client(_ database: Database) -> PostgresClient {
        guard let client = postgres[database] else { preconditionFailure("\(database.name) is not opened by this process") }
        return client
    }

    /// A database a service of this process owns, as its store uses it.
    func postgres(_ database: Database) -> PostgresStore {
        PostgresStore(client: client(database), logger: logger)
    }

    /// Clients that must run for as long as the application does.
    public var runningServices: [any Service] { postgres.keys.sorted { $0.name < $1.name }.map { postgres[$0]! } }

    func readiness() async -> [String: String] {
        var states = await withTaskGroup(of: (String, Bool).self) { group in
            for (name, client) in postgres {
                group.addTask { (name.name, await client.ping()) }
            }
            return await group.reduce(into: [String: String]()) { $0[$1.0] = $1.1 ? "up" : "down" }
        }
        if let documents {
            let up = await documents.client.ping(timeout: .seconds(2)) ? "up" : "down"
            if services.contains(.users) { states[Database.users.name] = up }
            if services.contains(.products) { states[Database.products.name] = up }
        }
        return states
    }
}
