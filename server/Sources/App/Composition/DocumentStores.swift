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
            client = try MongoClient.shared(url: configuration.mongoURL)
        } catch let error as MongoConfigurationError {
            throw ConfigurationError(error.description)
        }
        users = client.database(configuration.databaseName(.users))
        products = client.database(configuration.databaseName(.products))
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
