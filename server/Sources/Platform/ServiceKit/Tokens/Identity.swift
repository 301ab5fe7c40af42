import Foundation
import MarketplaceAPI

/// An account's id as every service stores, compares and sends it: a UUID
/// written in lower case. Made once from the token, so no service lower-cases
/// ids of its own.
public struct UserID: Hashable, Sendable, CustomStringConvertible {
    public let uuid: UUID

    public init(_ uuid: UUID) {
        self.uuid = uuid
    }

    /// nil for text that is not a UUID, in either case.
    public init?(_ text: String) {
        guard let uuid = UUID(uuidString: text) else { return nil }
        self.uuid = uuid
    }

    /// The stored form.
    public var description: String { uuid.uuidString.lowercased() }
}

/// A signed-in account: who it is and what it may do.
public struct SignedInUser: Sendable, Hashable {
    public let id: UserID
    public let role: Role

    public init(id: UserID, role: Role) {
        self.id = id
        self.role = role
    }

    public var isAdmin: Bool { role == .admin }

    /// Admins may act on anyone's behalf; anybody else only on their own.
    public func mayActFor(_ ownerID: String) -> Bool {
        isAdmin || ownerID.lowercased() == id.description
    }
}

/// Who is calling: a signed-in account, or another service of the marketplace.
public enum Caller: Sendable, Equatable {
    case user(SignedInUser)
    case service(name: String)

    public var user: SignedInUser? {
        if case .user(let user) = self { return user }
        return nil
    }

    public var role: Role? { user?.role }

    /// Another service may act for anyone; an account as `SignedInUser.mayActFor` says.
    public func mayActFor(_ ownerID: String) -> Bool {
        switch self {
        case .service: true
        case .user(let user): user.mayActFor(ownerID)
        }
    }
}
