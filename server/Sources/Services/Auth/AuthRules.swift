import Foundation
import MarketplaceAPI
import HTTPTypes
import ServiceKit

/// The plan's business rules for accounts, callable without HTTP. The rules
/// themselves are the shared ones (`InputRules`), which the terminal client runs too.
public enum AccountRules {
    /// Validates a registration body, reporting every problem at once.
    public static func validate(_ request: RegisterRequest) throws -> NewAccount {
        var validator = Validator()
        validator.check("name", InputRules.accountName.problem(request.name ?? ""))
        validator.check("email", InputRules.emailProblem(request.email))
        for problem in InputRules.newPasswordProblems(request.password) { validator.fail("password", problem) }
        var role = Role.customer
        if let raw = request.role {
            if let parsed = Role(rawValue: raw) {
                role = parsed
            } else {
                validator.fail("role", "Role must be one of customer, vendor, admin")
            }
        }
        try validator.throwIfInvalid(AuthError.invalid)
        return NewAccount(name: InputRules.normalized(request.name ?? ""), email: InputRules.normalizedEmail(request.email ?? ""),
                          password: request.password ?? "", role: role)
    }

    public static func validate(_ request: LoginRequest) throws -> (email: String, password: String) {
        var validator = Validator()
        let email = InputRules.normalizedEmail(request.email ?? "")
        validator.check(!email.isEmpty, "email", "Email is required")
        validator.check(!InputRules.hasControlCharacters(email), "email", "Email must be a valid address like name@example.com")
        validator.check("password", InputRules.signInPasswordProblem(request.password))
        try validator.throwIfInvalid(AuthError.invalid)
        return (email, request.password ?? "")
    }
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
