import Foundation
import MarketplaceAPI
import ServiceKit

/// An account as the auth service stores it.
public struct Account: Sendable, Equatable {
    public var id: UUID
    public var name: String
    public var email: String
    public var passwordHash: String
    public var role: Role
    public var createdAt: Date

    public var summary: UserSummary {
        UserSummary(id: UserID(id).description, name: name, email: email, role: role)
    }
}

public struct NewAccount: Sendable, Equatable {
    public var name: String
    public var email: String
    public var password: String
    public var role: Role

    public init(name: String, email: String, password: String, role: Role) {
        self.name = name
        self.email = email
        self.password = password
        self.role = role
    }
}

public enum AccountStoreError: Error, Equatable {
    case emailTaken
}

/// Storage of accounts. Routes depend on this protocol; the store is chosen when
/// the application is built.
public protocol AccountRepository: Sendable {
    /// Creates the account or throws `AccountStoreError.emailTaken`.
    func create(name: String, email: String, passwordHash: String, role: Role) async throws -> Account
    func find(email: String) async throws -> Account?
    func find(id: UUID) async throws -> Account?
}
