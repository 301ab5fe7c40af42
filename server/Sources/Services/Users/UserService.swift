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
        guard let address else { throw UserError.addressNotFound }
        return address
    }

    public func deleteAddress(userID: String, addressID: String) async throws {
        let deleted = try await mappingStoreErrors {
            try await repository.deleteAddress(userID: userID, addressID: addressID)
        }
        guard deleted else { throw UserError.addressNotFound }
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
        }
    }
}

/// What can go wrong with profiles and addresses.
public enum UserError: DomainError, Equatable {
    case invalid([FieldError])
    /// Someone else's address answers exactly like a missing one, so ids cannot be probed.
    case addressNotFound
    case malformedAddressID
    case defaultContended
    case tooManyAddresses

    /// The one place user errors become HTTP answers.
    public var appError: AppError {
        switch self {
        case .invalid(let errors): .validation(errors)
        case .addressNotFound: .notFound("Address not found")
        case .malformedAddressID: .badRequest("Address id must be 24 hexadecimal characters")
        case .defaultContended: .conflict("The default address is being changed by another request; try again")
        case .tooManyAddresses: .conflict("You can keep at most \(InputRules.maximumAddresses) addresses; delete one to add another")
        }
    }
}

/// `/api/users/...`: every route needs a signed-in user and works on that user's records only.
public struct UserController: Sendable {
    let service: UserService

    public init(service: UserService) {
        self.service = service
    }

    public func addRoutes(to router: some RouterMethods<AppRequestContext>) {
        router.on(Endpoints.profile) { _, context in
            let user = try context.requireUser()
            return try JSONBody.data(.ok, try await service.profile(userID: user.id.description))
        }
        router.on(Endpoints.updateProfile) { _, context, body in
            let user = try context.requireUser()
            return try JSONBody.data(.ok, message: "Profile updated", try await service.updateProfile(userID: user.id.description, body))
        }
        router.on(Endpoints.addresses) { _, context in
            let user = try context.requireUser()
            return try JSONBody.data(.ok, try await service.addresses(userID: user.id.description))
        }
        router.on(Endpoints.addAddress) { _, context, body in
            let user = try context.requireUser()
            return try JSONBody.data(.created, message: "Address added", try await service.addAddress(userID: user.id.description, body))
        }
        router.on(Endpoints.updateAddress) { _, context, body in
            let user = try context.requireUser()
            let id = try context.parameters.require("id")
            return try JSONBody.data(.ok, message: "Address updated", try await service.updateAddress(userID: user.id.description, addressID: id, body))
        }
        router.on(Endpoints.deleteAddress) { _, context in
            let user = try context.requireUser()
            let id = try context.parameters.require("id")
            try await service.deleteAddress(userID: user.id.description, addressID: id)
            return try JSONBody.data(.ok, message: "Address deleted", ["id": id])
        }
    }
}
