import Foundation
import Hummingbird
import Logging
import MarketplaceAPI
import ServiceKit

/// Registration, login and account creation for operators.
public struct AuthService: Sendable {
    let accounts: any AccountRepository
    let hasher: PasswordHasher
    let tokens: TokenService

    public init(accounts: any AccountRepository, hasher: PasswordHasher, tokens: TokenService) {
        self.accounts = accounts
        self.hasher = hasher
        self.tokens = tokens
    }

    /// Registers an account. Admin accounts need an admin caller: nobody promotes themselves.
    public func register(_ request: RegisterRequest, caller: Caller?) async throws -> Account {
        let new = try AccountRules.validate(request)
        if new.role == .admin, caller?.role != .admin {
            throw AuthError.adminOnly
        }
        return try await create(new)
    }

    /// Creates an account with no caller check, for `marketplace admin create`.
    public func create(_ new: NewAccount) async throws -> Account {
        let hash = try await hasher.hash(new.password)
        do {
            return try await accounts.create(name: new.name, email: new.email, passwordHash: hash, role: new.role)
        } catch AccountStoreError.emailTaken {
            throw AuthError.emailTaken
        }
    }

    public func login(_ request: LoginRequest) async throws -> LoginResponse {
        let (email, password) = try AccountRules.validate(request)
        let account = try await accounts.find(email: email)
        // Same answer and same work whether the email is unknown, the password wrong,
        // or a password no account can have (bcrypt would match only its first part).
        let usable = InputRules.couldBeAPassword(password)
        let matches = try await hasher.verify(password, hash: usable ? account?.passwordHash : nil)
        guard matches, usable, let account else {
            throw AuthError.invalidCredentials
        }
        let token = try await tokens.issueUserToken(userID: UserID(account.id), role: account.role)
        return LoginResponse(token: token, user: account.summary)
    }
}

/// Registration and sign-in (`Endpoints.register`, `Endpoints.login`).
public struct AuthController: Sendable {
    let service: AuthService

    public init(service: AuthService) {
        self.service = service
    }

    public func addRoutes(to router: some RouterMethods<AppRequestContext>) {
        router.on(Endpoints.register) { _, context, body in
            let account = try await service.register(body, caller: context.caller)
            context.logger.info("account registered", metadata: ["user_id": .string(account.summary.id), "role": .string(account.role.rawValue)])
            return try JSONBody.data(.created, message: "User registered successfully", account.summary)
        }
        router.on(Endpoints.login) { _, context, body in
            return try JSONBody.response(.ok, try await service.login(body))
        }
    }
}
