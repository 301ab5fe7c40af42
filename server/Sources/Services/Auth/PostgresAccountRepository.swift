import Foundation
import MarketplaceAPI
import PostgresNIO
import ServiceKit

public struct PostgresAccountRepository: AccountRepository, PostgresRepository {
    let store: PostgresStore

    public init(store: PostgresStore) {
        self.store = store
    }

    public func create(name: String, email: String, passwordHash: String, role: Role) async throws -> Account {
        do {
            // The unique index on email decides races between two registrations.
            let created = try await store.first("""
                INSERT INTO users (name, email, password_hash, role)
                VALUES (\(name), \(email), \(passwordHash), \(role.rawValue)::user_role)
                RETURNING \(unescaped: Self.columns)
                """, Self.account)
            guard let created else { throw AppError(.internalServerError, "Account was not created") }
            return created
        } catch let error as PSQLError where error.isUniqueViolation {
            throw AccountStoreError.emailTaken
        }
    }

    public func find(email: String) async throws -> Account? {
        try await store.first("SELECT \(unescaped: Self.columns) FROM users WHERE email = \(email)", Self.account)
    }

    public func find(id: UUID) async throws -> Account? {
        try await store.first("SELECT \(unescaped: Self.columns) FROM users WHERE id = \(id)", Self.account)
    }

    public func names(ids: [UUID]) async throws -> [AccountName] {
        try await store.all("SELECT id, name FROM users WHERE id = ANY(\(ids))") { row in
            let (id, name) = try row.decode((UUID, String).self)
            return AccountName(id: id.uuidString.lowercased(), name: name)
        }
    }

    private static let columns = "id, name, email, password_hash, role::text, created_at"

    private static func account(_ row: PostgresRow) throws -> Account {
        let (id, name, email, passwordHash, role, createdAt) = try row.decode((UUID, String, String, String, String, Date).self)
        guard let role = Role(rawValue: role) else {
            throw AppError(.internalServerError, "Stored account has an unknown role")
        }
        return Account(id: id, name: name, email: email, passwordHash: passwordHash, role: role, createdAt: createdAt)
    }
}
