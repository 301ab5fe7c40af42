import Foundation
import Logging
import MarketplaceAPI
import ServiceKit

/// Registration, login and account creation for operators.
public struct AuthService: Sendable {
    let accounts: any AccountRepository
    let hasher: PasswordHasher
    let tokens: TokenService
    let throttle: LoginThrottle
    /// New accounts per client address (nil: unlimited), checked before any hashing:
    /// creating an account costs a password hash, so sign-ups are held much
    /// tighter than reads.
    let signUps: RateLimiter?

    public init(accounts: any AccountRepository, hasher: PasswordHasher, tokens: TokenService, throttle: LoginThrottle = LoginThrottle(limits: nil),
                signUps: RateLimiter? = nil) {
        self.accounts = accounts
        self.hasher = hasher
        self.tokens = tokens
        self.throttle = throttle
        self.signUps = signUps
    }

    /// Registers an account. Admin accounts need an admin caller: nobody promotes themselves.
    public func register(_ request: RegisterRequest, caller: Caller?, address: String? = nil) async throws -> Account {
        if let wait = throttle.wait(email: nil, address: address) { throw AuthError.throttled(retryAfter: wait) }
        let new = try AuthRules.validate(request)
        if new.role == .admin, caller?.role != .admin {
            throw AuthError.adminOnly
        }
        // An admin creating accounts for others is not held to a stranger's pace.
        if caller?.role != .admin, let signUps, let address, let wait = signUps.take("signup:" + address) {
            throw AuthError.signUpsLimited(retryAfter: .milliseconds(Int64(wait * 1000)))
        }
        do {
            return try await create(new, client: address)
        } catch AuthError.emailTaken {
            throttle.failedRegistration(address: address)
            throw AuthError.emailTaken
        }
    }

    /// Creates an account with no caller check (`marketplace admin create` passes no client).
    public func create(_ new: NewAccount, client: String? = nil) async throws -> Account {
        let hash = try await hashing { try await hasher.hash(new.password, client: client, purpose: .signUp) }
        do {
            return try await accounts.create(name: new.name, email: new.email, passwordHash: hash, role: new.role)
        } catch AccountStoreError.emailTaken {
            throw AuthError.emailTaken
        }
    }

    /// `address`: the client's, for the per-address slow-down.
    public func login(_ request: LoginRequest, address: String? = nil) async throws -> LoginResponse {
        let (email, password) = try AuthRules.validate(request)
        // Refused before any lookup, and alike for emails with and without an account.
        if let wait = throttle.wait(email: email, address: address) { throw AuthError.throttled(retryAfter: wait) }
        let account = try await accounts.find(email: email)
        // Same answer and same work whether the email is unknown, the password wrong,
        // or a password no account can have (bcrypt would match only its first part).
        let usable = InputRules.couldBeAPassword(password)
        let matches = try await hashing { try await hasher.verify(password, hash: usable ? account?.passwordHash : nil, client: address) }
        guard matches, usable, let account else {
            throttle.failed(email: email, address: address)
            throw AuthError.invalidCredentials
        }
        throttle.succeeded(email: email)
        let token = try await tokens.issueUserToken(userID: UserID(account.id), role: account.role)
        return LoginResponse(token: token, user: account.summary)
    }
}

extension AuthService {
    /// For the SSH service, once it has verified that the session's key is this
    /// account's: the answer a login gives, so the SSH service never holds a
    /// password nor reads the accounts' store. An id that is no UUID, or no
    /// account's, answers 404 alike.
    public func sshSession(_ request: SSHSessionRequest) async throws -> LoginResponse {
        let text = InputRules.trimmed(request.userId ?? "")
        var validator = Validator()
        validator.check("userId", InputRules.idProblem(text, label: "userId"))
        try validator.throwIfInvalid(AuthError.invalid)
        guard let id = UserID(text), let account = try await accounts.find(id: id.uuid) else { throw AuthError.accountNotFound }
        let token = try await tokens.issueUserToken(userID: UserID(account.id), role: account.role)
        return LoginResponse(token: token, user: account.summary)
    }
}

extension AuthService {
    /// A full hashing queue answers at once (503) instead of making the login wait;
    /// a client past its share of the queue is told to slow down (429).
    func hashing<T>(_ work: () async throws -> T) async throws -> T {
        do {
            return try await work()
        } catch HasherBusy.clientBusy {
            throw AuthError.clientBusy
        } catch is HasherBusy {
            throw AuthError.busy
        }
    }
}
