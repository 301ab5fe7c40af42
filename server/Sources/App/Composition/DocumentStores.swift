import Foundation
import Hummingbird
import Logging
import MongoKit
import NIOConcurrencyHelpers
import ProductService
import ServiceKit
import UserService

/// The MongoDB side of the marketplace: `user_service` and `product_service`
/// on the server at `STOREFRONT_MONGO_URL`, sharing the process's pool for that URL.
public struct DocumentStores: Sendable {
    public let client: MongoClient
    public let users: MongoDatabase
    public let products: MongoDatabase

    public init(configuration: AppConfiguration) throws {
        guard !configuration.mongoURL.isEmpty else {
            throw ConfigurationError("STOREFRONT_MONGO_URL is not set (e.g. mongodb://127.0.0.1:27017)")
        }
        do {
            client = try MongoClient.shared(url: Self.url(configuration.mongoURL, socketTimeout: configuration.requestTimeout * 0.8))
        } catch let error as MongoConfigurationError {
            throw ConfigurationError(error.description)
        }
        users = client.database(configuration.databaseName(.users))
        products = client.database(configuration.databaseName(.products))
    }

    /// The URL with a socket timeout below the request deadline, unless it names one:
    /// a reply that never comes (a store restarted or frozen under an open socket)
    /// then fails its own request in time instead of holding it.
    static func url(_ url: String, socketTimeout: Duration) -> String {
        guard !url.lowercased().contains("sockettimeoutms") else { return url }
        let ms = socketTimeout.components.seconds * 1000 + socketTimeout.components.attoseconds / 1_000_000_000_000_000
        let afterScheme = url.range(of: "://").map { url[$0.upperBound...] } ?? url[...]
        let base = afterScheme.contains("/") ? url : url + "/"
        return base + (base.contains("?") ? "&" : "?") + "socketTimeoutMS=\(max(500, ms))"
    }

    public var userRepository: MongoUserRepository { MongoUserRepository(database: users) }
    public var productRepository: MongoProductRepository { MongoProductRepository(database: products) }

    /// Creates the plan's indexes once per database and process. When the server
    /// is down at start-up the application still starts (`/ready` says so) and the
    /// indexes are retried in the background until they exist.
    public func prepare(logger: Logger) async {
        let key = client.redactedURL + " " + users.name + " " + products.name
        let isFirst = Self.prepared.withLockedValue { $0.insert(key).inserted }
        guard isFirst else { return }
        if await createIndexes(logger: logger) { return }
        Task { [self] in
            var delay = Duration.seconds(1)
            while true {
                try? await Task.sleep(for: delay)
                if await createIndexes(logger: logger) { return }
                delay = min(delay * 2, .seconds(30))
            }
        }
    }

    private static let prepared = NIOLockedValueBox<Set<String>>([])

    private func createIndexes(logger: Logger) async -> Bool {
        do {
            try await userRepository.createIndexes()
            try await productRepository.createIndexes()
            return true
        } catch {
            logger.error("cannot create the document store's indexes; retrying", metadata: [
                "url": .string(client.redactedURL), "error": .string(String(describing: error)),
            ])
            return false
        }
    }
}
