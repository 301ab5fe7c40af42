import Foundation
import MarketplaceAPI
import ServiceKit

/// The plan's business rules for accounts, callable without HTTP.
public enum AccountRules {
    public static let minimumPasswordLength = 6
    /// bcrypt reads at most 72 bytes; a longer password would be silently cut, so it is refused.
    public static let maximumPasswordBytes = 72
    public static let maximumNameLength = 255
    public static let maximumEmailLength = 255

    /// Emails are compared case-insensitively by storing them lower-cased.
    public static func normalizedEmail(_ email: String) -> String {
        email.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
    }

    public static func isValidEmail(_ email: String) -> Bool {
        guard email.utf8.count <= maximumEmailLength, !email.contains(where: { $0.isWhitespace }) else { return false }
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[0].utf8.count <= 64 else { return false }
        let labels = parts[1].split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2 else { return false }
        return labels.allSatisfy { label in
            !label.isEmpty && !label.hasPrefix("-") && !label.hasSuffix("-")
                && label.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" }
        } && labels.last!.count >= 2
    }

    /// Validates a registration body, reporting every problem at once.
    public static func validate(_ request: RegisterRequest) throws -> NewAccount {
        var validator = Validator()
        let name = (request.name ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        validator.check(!name.isEmpty, "name", "Name is required")
        validator.check(name.count <= maximumNameLength, "name", "Name must be at most \(maximumNameLength) characters")
        let email = normalizedEmail(request.email ?? "")
        if email.isEmpty {
            validator.fail("email", "Email is required")
        } else {
            validator.check(isValidEmail(email), "email", "Email must be a valid address like name@example.com")
        }
        let password = request.password ?? ""
        validator.check(password.count >= minimumPasswordLength, "password", "Password must be at least \(minimumPasswordLength) characters")
        validator.check(password.utf8.count <= maximumPasswordBytes, "password", "Password must be at most \(maximumPasswordBytes) bytes")
        var role = Role.customer
        if let raw = request.role {
            if let parsed = Role(rawValue: raw) {
                role = parsed
            } else {
                validator.fail("role", "Role must be one of customer, vendor, admin")
            }
        }
        try validator.throwIfInvalid()
        return NewAccount(name: name, email: email, password: password, role: role)
    }

    public static func validate(_ request: LoginRequest) throws -> (email: String, password: String) {
        var validator = Validator()
        let email = normalizedEmail(request.email ?? "")
        validator.check(!email.isEmpty, "email", "Email is required")
        let password = request.password ?? ""
        validator.check(!password.isEmpty, "password", "Password is required")
        try validator.throwIfInvalid()
        return (email, password)
    }
}
