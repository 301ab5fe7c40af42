import Foundation
import MarketplaceAPI
import ServiceKit

/// The user service's input rules, callable without HTTP.
public enum UserRules {
    public static let maximumPhoneLength = 20
    /// E.164 allows at most 15 digits; fewer than 7 is no reachable number.
    public static let phoneDigits = 7...15

    static let addressLimits: [(field: String, limit: Int)] = [
        ("street", 255), ("city", 100), ("state", 100), ("zip", 20), ("country", 100),
    ]
    /// A shipping address needs these to be deliverable; state and zip are optional
    /// because many countries have neither.
    static let requiredAddressFields: Set<String> = ["street", "city", "country"]

    /// Digits with optional spaces, dashes, dots, parentheses and one leading plus.
    public static func isValidPhone(_ phone: String) -> Bool {
        guard phone.count <= maximumPhoneLength else { return false }
        var digits = 0
        for (index, character) in phone.enumerated() {
            switch character {
            case "0"..."9": digits += 1
            case "+" where index == 0: continue
            case " ", "-", ".", "(", ")": continue
            default: return false
            }
        }
        return phoneDigits.contains(digits)
    }

    public static func validate(_ update: ProfileUpdate) throws -> (phone: PhoneChange?, newsletter: Bool?, theme: ThemeName?) {
        var validator = Validator()
        var phone: PhoneChange?
        if let raw = update.phone {
            let trimmed = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty {
                phone = .remove
            } else if isValidPhone(trimmed) {
                phone = .set(trimmed)
            } else {
                validator.fail("phone", "Phone must be 7 to 15 digits, optionally with a leading + and spaces, dashes or parentheses, at most \(maximumPhoneLength) characters")
            }
        }
        var theme: ThemeName?
        if let raw = update.preferences?.theme {
            theme = ThemeName(rawValue: raw)
            if theme == nil {
                validator.fail("preferences.theme", "Theme must be one of \(ThemeName.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        try validator.throwIfInvalid()
        return (phone, update.preferences?.newsletter, theme)
    }

    /// On create every required field must be there; on update only what is sent is checked.
    public static func validate(_ input: AddressInput, creating: Bool) throws -> AddressFields {
        var validator = Validator()
        var fields = AddressFields()
        let values: [String: String?] = [
            "street": input.street, "city": input.city, "state": input.state, "zip": input.zip, "country": input.country,
        ]
        for (field, limit) in addressLimits {
            let text = values[field]??.trimmingCharacters(in: .whitespacesAndNewlines)
            let required = requiredAddressFields.contains(field)
            switch text {
            case nil where creating && required, ""? where required:
                validator.fail(field, "\(field.capitalized) is required")
            case nil:
                break
            case ""?:
                fields.cleared.insert(field)
            case let value?:
                if value.count > limit {
                    validator.fail(field, "\(field.capitalized) must be at most \(limit) characters")
                }
                switch field {
                case "street": fields.street = value
                case "city": fields.city = value
                case "state": fields.state = value
                case "zip": fields.zip = value
                default: fields.country = value
                }
            }
        }
        try validator.throwIfInvalid()
        return fields
    }
}
