// The user service's contract: profile, preferences and saved addresses.

/// The themes the terminal client ships (`themes/`); a preference names one of them.
public enum ThemeName: String, Codable, Sendable, CaseIterable {
    case dark
    case light
    case highContrast = "high-contrast"
    case mono
}

public struct UserPreferences: Codable, Sendable, Equatable {
    public var newsletter: Bool
    public var theme: String

    public init(newsletter: Bool = true, theme: String = ThemeName.light.rawValue) {
        self.newsletter = newsletter
        self.theme = theme
    }
}

public struct Address: Codable, Sendable, Equatable {
    public var id: String
    public var street: String?
    public var city: String?
    public var state: String?
    public var zip: String?
    public var country: String?
    public var isDefault: Bool

    public init(id: String, street: String?, city: String?, state: String?, zip: String?, country: String?, isDefault: Bool) {
        self.id = id
        self.street = street
        self.city = city
        self.state = state
        self.zip = zip
        self.country = country
        self.isDefault = isDefault
    }
}

/// `GET /api/users/profile`: `{"userId", "phone", "addresses": [...], "preferences": {...}}`.
public struct UserProfile: Codable, Sendable, Equatable {
    public var userId: String
    public var phone: String?
    public var addresses: [Address]
    public var preferences: UserPreferences

    public init(userId: String, phone: String?, addresses: [Address], preferences: UserPreferences) {
        self.userId = userId
        self.phone = phone
        self.addresses = addresses
        self.preferences = preferences
    }
}

/// `PUT /api/users/profile`. Absent fields stay as they are; `"phone": ""` removes the phone.
public struct ProfileUpdate: Codable, Sendable {
    public struct Preferences: Codable, Sendable {
        public var newsletter: Bool?
        public var theme: String?

        public init(newsletter: Bool? = nil, theme: String? = nil) {
            self.newsletter = newsletter
            self.theme = theme
        }
    }

    public var phone: String?
    public var preferences: Preferences?

    public init(phone: String? = nil, preferences: Preferences? = nil) {
        self.phone = phone
        self.preferences = preferences
    }
}

/// `POST /api/users/address` and `PUT /api/users/address/:id` (where absent fields stay as they are).
public struct AddressInput: Codable, Sendable, Equatable {
    public var street: String?
    public var city: String?
    public var state: String?
    public var zip: String?
    public var country: String?
    public var isDefault: Bool?

    public init(street: String? = nil, city: String? = nil, state: String? = nil, zip: String? = nil, country: String? = nil, isDefault: Bool? = nil) {
        self.street = street
        self.city = city
        self.state = state
        self.zip = zip
        self.country = country
        self.isDefault = isDefault
    }
}
