import Foundation
import Hummingbird
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
        guard let address else { throw Self.addressNotFound }
        return address
    }

    public func deleteAddress(userID: String, addressID: String) async throws {
        let deleted = try await mappingStoreErrors {
            try await repository.deleteAddress(userID: userID, addressID: addressID)
        }
        guard deleted else { throw Self.addressNotFound }
    }

    /// Someone else's address answers exactly like a missing one, so ids cannot be probed.
    static let addressNotFound = AppError.notFound("Address not found")

    private func mappingStoreErrors<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch UserStoreError.malformedID {
            throw AppError.badRequest("Address id must be 24 hexadecimal characters")
        } catch UserStoreError.defaultContended {
            throw AppError.conflict("The default address is being changed by another request; try again")
        }
    }
}

/// `/api/users/...`: every route needs a signed-in user and works on that user's records only.
public struct UserController: Sendable {
    let service: UserService

    public init(service: UserService) {
        self.service = service
    }

    public func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("profile") { _, context in
            let user = try context.requireUser()
            return try JSONBody.data(.ok, try await service.profile(userID: Self.key(user.id)))
        }
        group.put("profile") { request, context in
            let user = try context.requireUser()
            let body = try await request.decodeJSON(ProfileUpdate.self, context: context)
            return try JSONBody.data(.ok, message: "Profile updated", try await service.updateProfile(userID: Self.key(user.id), body))
        }
        group.get("addresses") { _, context in
            let user = try context.requireUser()
            return try JSONBody.data(.ok, try await service.addresses(userID: Self.key(user.id)))
        }
        group.post("address") { request, context in
            let user = try context.requireUser()
            let body = try await request.decodeJSON(AddressInput.self, context: context)
            return try JSONBody.data(.created, message: "Address added", try await service.addAddress(userID: Self.key(user.id), body))
        }
        group.put("address/:id") { request, context in
            let user = try context.requireUser()
            let id = try context.parameters.require("id")
            let body = try await request.decodeJSON(AddressInput.self, context: context)
            return try JSONBody.data(.ok, message: "Address updated", try await service.updateAddress(userID: Self.key(user.id), addressID: id, body))
        }
        group.delete("address/:id") { _, context in
            let user = try context.requireUser()
            let id = try context.parameters.require("id")
            try await service.deleteAddress(userID: Self.key(user.id), addressID: id)
            return try JSONBody.data(.ok, message: "Address deleted", ["id": id])
        }
    }

    /// Account ids are stored as the auth service writes them: lower-case UUIDs.
    static func key(_ id: UUID) -> String { id.uuidString.lowercased() }
}
