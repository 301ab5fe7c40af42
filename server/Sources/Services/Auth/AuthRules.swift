import Foundation
import MarketplaceAPI
import ServiceKit

/// The plan's business rules for accounts, callable without HTTP. The rules
/// themselves are the shared ones (`InputRules`), which the terminal client runs too.
public enum AuthRules {
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
