import Foundation
import Hummingbird
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

    /// `ids=a,b,c`: 1 to `InputRules.maximumStockBatch` account ids, given once.
    public static func accountIDs(_ query: Parameters) throws -> [String] {
        var validator = Validator()
        for key in Set(query.map { String($0.key) }).sorted() where key != "ids" {
            validator.fail(key, "\(key) is not a parameter of this list (ids)")
        }
        let given = query.getAll("ids")
        var ids: [String] = []
        if given.count != 1 {
            validator.fail("ids", "ids must be given once")
        } else {
            ids = given[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            validator.check(!ids.isEmpty && ids.count <= InputRules.maximumStockBatch, "ids",
                            "ids names 1 to \(InputRules.maximumStockBatch) accounts, separated by commas")
            validator.check(ids.allSatisfy(InputRules.isQueryID), "ids", "ids must be account ids")
        }
        try validator.throwIfInvalid(AuthError.invalid)
        return Array(Set(ids))
    }
}
