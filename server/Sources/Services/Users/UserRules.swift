import Foundation
import MarketplaceAPI
import ServiceKit

/// The user service's input rules, callable without HTTP; the rules themselves
/// are the shared ones (`InputRules`), which the terminal client runs too.
public enum UserRules {
    public static func validate(_ update: ProfileUpdate) throws -> (phone: PhoneChange?, newsletter: Bool?, theme: ThemeName?) {
        var validator = Validator()
        var phone: PhoneChange?
        if let raw = update.phone {
            let trimmed = InputRules.normalized(raw)
            if let problem = InputRules.phoneProblem(trimmed) {
                validator.fail("phone", problem)
            } else {
                phone = trimmed.isEmpty ? .remove : .set(trimmed)
            }
        }
        var theme: ThemeName?
        if let raw = update.preferences?.theme {
            theme = ThemeName(rawValue: raw)
            validator.check("preferences.theme", InputRules.themeProblem(raw))
        }
        try validator.throwIfInvalid(UserError.invalid)
        return (phone, update.preferences?.newsletter, theme)
    }

    /// On create every required field must be there; on update only what is sent
    /// is checked, and an optional field sent empty is removed.
    public static func validate(_ input: AddressInput, creating: Bool) throws -> AddressFields {
        var validator = Validator()
        var fields = AddressFields()
        let values: [InputRules.AddressField: String?] = [
            .street: input.street, .city: input.city, .state: input.state, .zip: input.zip, .country: input.country,
        ]
        for field in InputRules.AddressField.allCases {
            let value = values[field] ?? nil
            if let problem = field.rule.problem(value, whenAbsent: creating) {
                validator.fail(field.rawValue, problem)
                continue
            }
            guard let value else { continue }
            let text = InputRules.normalized(value)
            if text.isEmpty {
                fields.cleared.insert(field.rawValue)
                continue
            }
            switch field {
            case .street: fields.street = text
            case .city: fields.city = text
            case .state: fields.state = text
            case .zip: fields.zip = text
            case .country: fields.country = text
            }
        }
        try validator.throwIfInvalid(UserError.invalid)
        return fields
    }
}
