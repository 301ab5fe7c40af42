import Foundation
import MarketplaceAPI
import ServiceKit

/// A profile as the user service stores it, with its preferences.
public struct StoredProfile: Sendable, Equatable {
    /// The profile's own id, which addresses and preferences refer to.
    public var profileID: String
    /// The auth service's account id.
    public var userID: String
    public var phone: String?
    public var preferences: UserPreferences
}

/// Address fields after validation; nil means "not given" (on update: unchanged).
public struct AddressFields: Sendable, Equatable {
    public var street: String?
    public var city: String?
    public var state: String?
    public var zip: String?
    public var country: String?
    /// Fields the caller sent as empty text, to be removed.
    public var cleared: Set<String> = []

    public init(street: String? = nil, city: String? = nil, state: String? = nil, zip: String? = nil, country: String? = nil, cleared: Set<String> = []) {
        self.street = street
        self.city = city
        self.state = state
        self.zip = zip
        self.country = country
        self.cleared = cleared
    }
}

/// A change of phone number: keep it, set it, or remove it.
public enum PhoneChange: Sendable, Equatable {
    case set(String)
    case remove
}

public enum UserStoreError: Error, Equatable {
    /// The id is not one the store could ever have issued.
    case malformedID
    /// Other requests kept claiming the default address; the caller may retry.
    case defaultContended
    /// The shopper keeps `InputRules.maximumAddresses` already.
    case tooManyAddresses
    /// The key is on an account already (the unique index on its fingerprint said so).
    case sshKeyTaken
    /// The account keeps `InputRules.maximumSSHKeys` already.
    case tooManySSHKeys
}

/// Storage of profiles, preferences and addresses. Every method takes the
/// caller's account id, so one user can never reach another's records.
public protocol UserProfileRepository: Sendable {
    /// The caller's profile, created with default preferences on first access.
    func profile(userID: String) async throws -> StoredProfile
    func updateProfile(userID: String, phone: PhoneChange?, newsletter: Bool?, theme: ThemeName?) async throws -> StoredProfile
    /// The caller's addresses, oldest first.
    func addresses(userID: String) async throws -> [Address]
    /// Adds an address; with `isDefault` it becomes the only default one.
    func addAddress(userID: String, fields: AddressFields, isDefault: Bool) async throws -> Address
    /// nil when the caller has no address with this id.
    func updateAddress(userID: String, addressID: String, fields: AddressFields, isDefault: Bool?) async throws -> Address?
    /// false when the caller has no address with this id.
    func deleteAddress(userID: String, addressID: String) async throws -> Bool

    /// The account's SSH keys, oldest first.
    func sshKeys(userID: String) async throws -> [SSHKey]
    /// Adds a key (its fingerprint unique over every account), or throws
    /// `UserStoreError.sshKeyTaken` / `.tooManySSHKeys`.
    func addSSHKey(userID: String, key: SSHPublicKey, at: Date) async throws -> SSHKey
    /// false when the account has no key with this fingerprint.
    func deleteSSHKey(userID: String, fingerprint: String) async throws -> Bool
    /// The account holding the key, marking the key used at `at`; nil when none holds it.
    func useSSHKey(fingerprint: String, at: Date) async throws -> SSHKeyAccount?
}

/// What can go wrong with profiles and addresses.
public enum UserError: DomainError, Equatable {
    case invalid([FieldError])
    /// Someone else's address answers exactly like a missing one, so ids cannot be probed.
    case addressNotFound
    case malformedAddressID
    case defaultContended
    case tooManyAddresses
    case sshKey(SSHKeyProblem)
    case sshKeyTaken
    case tooManySSHKeys
    /// Not on this account (or on nobody's), alike.
    case sshKeyNotFound
    case malformedFingerprint

    /// The one place user errors become HTTP answers.
    public var appError: AppError {
        switch self {
        case .invalid(let errors): .validation(errors)
        case .addressNotFound: .notFound("Address not found")
        case .malformedAddressID: .badRequest("Address id must be 24 hexadecimal characters")
        case .defaultContended: .conflict("The default address is being changed by another request; try again")
        case .tooManyAddresses: .conflict("You can keep at most \(InputRules.maximumAddresses) addresses; delete one to add another")
        case .sshKey(let problem): AppError(.badRequest, problem.code, problem.message, errors: [FieldError(field: "publicKey", message: problem.message)])
        case .sshKeyTaken: .conflict("This key is on an account already; a key signs in one account only", code: .sshKeyTaken)
        case .tooManySSHKeys: .conflict("You can keep at most \(InputRules.maximumSSHKeys) SSH keys; remove one to add another")
        case .sshKeyNotFound: .notFound("SSH key not found")
        case .malformedFingerprint: .badRequest("A fingerprint is SHA256: and 43 base64 characters (standard, percent-encoded, or URL-safe)")
        }
    }
}
