/// The roles an account can hold. `service` is never an account's role: it marks
/// credentials that services use to call each other's internal routes.
public enum Role: String, Codable, Sendable, CaseIterable {
    case customer
    case vendor
    case admin
}

public struct RegisterRequest: Codable, Sendable {
    public var name: String?
    public var email: String?
    public var password: String?
    public var role: String?

    public init(name: String?, email: String?, password: String?, role: String? = nil) {
        self.name = name
        self.email = email
        self.password = password
        self.role = role
    }
}

public struct LoginRequest: Codable, Sendable {
    public var email: String?
    public var password: String?

    public init(email: String?, password: String?) {
        self.email = email
        self.password = password
    }
}

/// An account as every response shows it: never with its password hash.
public struct UserSummary: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var email: String
    public var role: Role

    public init(id: String, name: String, email: String, role: Role) {
        self.id = id
        self.name = name
        self.email = email
        self.role = role
    }
}

/// `POST /api/auth/login` answers `{"success": true, "token": ..., "user": {...}}`.
/// An account's display name, for the services that show who sells or ships
/// (`GET /api/auth/accounts?ids=`, services only).
public struct AccountName: Codable, Sendable, Equatable {
    public var id: String
    public var name: String

    public init(id: String, name: String) {
        self.id = id
        self.name = name
    }
}

public struct LoginResponse: Codable, Sendable {
    public var success: Bool
    public var token: String
    public var user: UserSummary

    public init(token: String, user: UserSummary) {
        self.success = true
        self.token = token
        self.user = user
    }
}
