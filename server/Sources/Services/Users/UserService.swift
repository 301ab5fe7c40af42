import Foundation
import MarketplaceAPI
import ServiceKit

/// Profiles, preferences and saved addresses of signed-in users.
public struct UserService: Sendable {
    let repository: any UserProfileRepository

    public init(repository: any UserProfileRepository) {
        self.repository = repository
    }

    public func profile(userID: String) async throws -> UserProfile {
        let stored = try await repository.profile(userID: userID)
        return try await view(stored)
    }

    public func updateProfile(userID: String, _ update: ProfileUpdate) async throws -> UserProfile {
        let change = try UserRules.validate(update)
        let stored = try await repository.updateProfile(userID: userID, phone: change.phone, newsletter: change.newsletter, theme: change.theme)
        return try await view(stored)
    }

    private func view(_ stored: StoredProfile) async throws -> UserProfile {
        let addresses = try await repository.addresses(userID: stored.userID)
        return UserProfile(userId: stored.userID, phone: stored.phone, addresses: addresses, preferences: stored.preferences)
    }

    public func addresses(userID: String) async throws -> [Address] {
        try await repository.addresses(userID: userID)
    }

    public func addAddress(userID: String, _ input: AddressInput) async throws -> Address {
        let fields = try UserRules.validate(input, creating: true)
        return try await mappingStoreErrors {
            try await repository.addAddress(userID: userID, fields: fields, isDefault: input.isDefault ?? false)
        }
    }

    public func updateAddress(userID: String, addressID: String, _ input: AddressInput) async throws -> Address {
        let fields = try UserRules.validate(input, creating: false)
        let address = try await mappingStoreErrors {
            try await repository.updateAddress(userID: userID, addressID: addressID, fields: fields, isDefault: input.isDefault)
        }
        guard let address else { throw UserError.addressNotFound }
        return address
    }

    public func deleteAddress(userID: String, addressID: String) async throws {
        let deleted = try await mappingStoreErrors {
            try await repository.deleteAddress(userID: userID, addressID: addressID)
        }
        guard deleted else { throw UserError.addressNotFound }
    }

    // MARK: SSH keys

    public func sshKeys(userID: String) async throws -> [SSHKey] {
        try await repository.sshKeys(userID: userID)
    }

    public func addSSHKey(userID: String, _ request: AddSSHKeyRequest) async throws -> SSHKey {
        let key: SSHPublicKey
        switch InputRules.sshPublicKey(request.publicKey) {
        case .success(let parsed): key = parsed
        case .failure(let problem): throw UserError.sshKey(problem)
        }
        return try await mappingStoreErrors { try await repository.addSSHKey(userID: userID, key: key, at: Date()) }
    }

    /// `fingerprint` as the path carries it (`SSHFingerprint.normalized`).
    public func deleteSSHKey(userID: String, fingerprint: String) async throws -> String {
        guard let fingerprint = SSHFingerprint.normalized(fingerprint) else { throw UserError.malformedFingerprint }
        guard try await repository.deleteSSHKey(userID: userID, fingerprint: fingerprint) else { throw UserError.sshKeyNotFound }
        return fingerprint
    }

    /// For the SSH service: whose key this is; the key is marked used.
    public func sshKeyAccount(fingerprint: String?) async throws -> SSHKeyAccount {
        guard let fingerprint = fingerprint.flatMap(SSHFingerprint.normalized) else { throw UserError.malformedFingerprint }
        guard let account = try await repository.useSSHKey(fingerprint: fingerprint, at: Date()) else { throw UserError.sshKeyNotFound }
        return account
    }

    private func mappingStoreErrors<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch UserStoreError.malformedID {
            throw UserError.malformedAddressID
        } catch UserStoreError.defaultContended {
            throw UserError.defaultContended
        } catch UserStoreError.tooManyAddresses {
            throw UserError.tooManyAddresses
        } catch UserStoreError.sshKeyTaken {
            throw UserError.sshKeyTaken
        } catch UserStoreError.tooManySSHKeys {
            throw UserError.tooManySSHKeys
        }
    }
}
