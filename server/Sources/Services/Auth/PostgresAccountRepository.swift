import Foundation
import Logging
import MarketplaceAPI
import PostgresNIO
import ServiceKit

public struct PostgresAccountRepository: AccountRepository {
    let client: PostgresClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    public func create(name: String, email: String, passwordHash: String, role: Role) async throws -> Account {
        do {
            // The unique index on email decides races between two registrations.
            let rows = try await client.query("""
                INSERT INTO users (name, email, password_hash, role)
                VALUES (\(name), \(email), \(passwordHash), \(role.rawValue)::user_role)
                RETURNING id, name, email, password_hash, role::text, created_at
                """, logger: logger)
            for try await row in rows.decode((UUID, String, String, String, String, Date).self) {
                return try Self.account(row)
            }
            throw AppError(.internalServerError, "Account was not created")
        } catch let error as PSQLError where error.isUniqueViolation {
            throw AccountStoreError.emailTaken
        }
    }

    public func find(email: String) async throws -> Account? {
        let rows = try await client.query("""
            SELECT id, name, email, password_hash, role::text, created_at FROM users WHERE email = \(email)
            """, logger: logger)
        for try await row in rows.decode((UUID, String, String, String, String, Date).self) {
            return try Self.account(row)
        }
        return nil
    }

    public func find(id: UUID) async throws -> Account? {
        let rows = try await client.query("""
            SELECT id, name, email, password_hash, role::text, created_at FROM users WHERE id = \(id)
            """, logger: logger)
        for try await row in rows.decode((UUID, String, String, String, String, Date).self) {
            return try Self.account(row)
        }
        return nil
    }

    private static func account(_ row: (UUID, String, String, String, String, Date)) throws -> Account {
        guard let role = Role(rawValue: row.4) else {
            throw AppError(.internalServerError, "Stored account has an unknown role")
        }
        return Account(id: row.0, name: row.1, email: row.2, passwordHash: row.3, role: role, createdAt: row.5)
    }
}
