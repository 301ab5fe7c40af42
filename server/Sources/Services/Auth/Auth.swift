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

/// What can go wrong with accounts and sign-in.
public enum AuthError: DomainError, Equatable {
    case invalid([FieldError])
    case emailTaken
    case invalidCredentials
    case adminOnly
    /// Too many failed sign-ins for this email or from this address: wait this long.
    case throttled(retryAfter: Duration)
    /// Every hashing slot is taken.
    case busy
    /// This client already has its share of the hashing queue in progress.
    case clientBusy
    /// This address created accounts faster than one every few seconds, past its burst.
    case signUpsLimited(retryAfter: Duration)
    /// An SSH session for an account that does not exist (any more).
    case accountNotFound

    /// The one place auth errors become HTTP answers.
    public var appError: AppError {
        switch self {
        case .invalid(let errors): .validation(errors)
        case .emailTaken: .conflict("An account with this email already exists", code: .emailTaken)
        case .invalidCredentials: .unauthorized("Invalid email or password", code: .invalidCredentials)
        case .adminOnly: .forbidden("Only an admin can create admin accounts")
        case .throttled(let wait):
            AppError(.tooManyRequests, .rateLimited, "Too many failed sign-ins; try again in \(Self.seconds(wait)) s",
                     headers: [.retryAfter: String(Self.seconds(wait))])
        case .busy:
            AppError(.serviceUnavailable, .unavailable, "Too many sign-ins at once; try again in a moment", headers: [.retryAfter: "1"])
        case .clientBusy:
            AppError(.tooManyRequests, .rateLimited, "Too many sign-ins in progress from this client; try again in 1 s", headers: [.retryAfter: "1"])
        case .accountNotFound: .notFound("Account not found")
        case .signUpsLimited(let wait):
            AppError(.tooManyRequests, .rateLimited, "Too many new accounts from this address; try again in \(Self.seconds(wait)) s",
                     headers: [.retryAfter: String(Self.seconds(wait))])
        }
    }
}

extension AuthError {
    /// Whole seconds, rounded up: `Retry-After` never says sooner than is true.
    static func seconds(_ wait: Duration) -> Int {
        let (seconds, attoseconds) = wait.components
        return Int(seconds) + (attoseconds > 0 ? 1 : 0)
    }
}
