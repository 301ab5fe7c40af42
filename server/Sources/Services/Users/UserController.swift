import Hummingbird
import MarketplaceAPI
import ServiceKit

/// `/api/users/...`: every route needs a signed-in user and works on that user's records only,
/// but the SSH service's question of whose a key is.
public enum UserController {
    public static func addRoutes(for service: UserService, to router: some RouterMethods<AppRequestContext>) {
        router.on(Endpoints.profile) { _, context in
            try JSONBody.data(.ok, try await service.profile(userID: context.requireUserID()))
        }
        router.on(Endpoints.updateProfile) { _, context, body in
            try JSONBody.data(.ok, message: "Profile updated", try await service.updateProfile(userID: context.requireUserID(), body))
        }
        router.on(Endpoints.addresses) { _, context in
            try JSONBody.data(.ok, try await service.addresses(userID: context.requireUserID()))
        }
        router.on(Endpoints.addAddress) { _, context, body in
            try JSONBody.data(.created, message: "Address added", try await service.addAddress(userID: context.requireUserID(), body))
        }
        router.on(Endpoints.updateAddress) { _, context, body in
            let userID = try context.requireUserID()
            let id = try context.parameters.require("id")
            return try JSONBody.data(.ok, message: "Address updated", try await service.updateAddress(userID: userID, addressID: id, body))
        }
        router.on(Endpoints.deleteAddress) { _, context in
            let userID = try context.requireUserID()
            let id = try context.parameters.require("id")
            try await service.deleteAddress(userID: userID, addressID: id)
            return try JSONBody.data(.ok, message: "Address deleted", ["id": id])
        }
        router.on(Endpoints.sshKeys) { _, context in
            try JSONBody.data(.ok, try await service.sshKeys(userID: context.requireUserID()))
        }
        router.on(Endpoints.addSSHKey) { _, context, body in
            try JSONBody.data(.created, message: "SSH key added", try await service.addSSHKey(userID: context.requireUserID(), body))
        }
        router.on(Endpoints.deleteSSHKey) { _, context in
            let userID = try context.requireUserID()
            let fingerprint = try await service.deleteSSHKey(userID: userID, fingerprint: try context.parameters.require("fingerprint"))
            return try JSONBody.data(.ok, message: "SSH key removed", ["id": fingerprint])
        }
        router.on(Endpoints.sshKeyAccount) { request, _ in
            try JSONBody.data(.ok, try await service.sshKeyAccount(fingerprint: request.uri.queryParameters["fingerprint"].map(String.init)))
        }
    }
}
