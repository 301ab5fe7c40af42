import AuthService
import Foundation
import MarketplaceAPI
import Composition
import PostgresNIO
import ServiceKit

enum TestAccounts {
    /// Creates an admin the way `marketplace admin create` does.
    static func createAdmin(name: String, email: String, password: String) async throws {
        let configuration = try await TestStores.prepare()
        let location = try PostgresLocation(url: configuration.postgresURL)
        let client = location.client(database: configuration.databaseName(.auth), logger: TestStores.logger)
        let tokens = try await TestStores.tokens()
        try await PostgresClient.withRunning(client) { client in
            let service = AuthService(
                accounts: PostgresAccountRepository(client: client, logger: TestStores.logger),
                hasher: PasswordHasher(cost: 4), tokens: tokens)
            _ = try await service.create(NewAccount(name: name, email: email, password: password, role: .admin))
        }
    }
}
