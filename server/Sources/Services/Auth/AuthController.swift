import Hummingbird
import MarketplaceAPI
import ServiceKit

/// Registration and sign-in (`Endpoints.register`, `Endpoints.login`, and `Endpoints.sshSession` for the SSH service).
public enum AuthController {
    public static func addRoutes(for service: AuthService, to router: some RouterMethods<AppRequestContext>) {
        router.on(Endpoints.register) { _, context, body in
            let account = try await service.register(body, caller: context.caller, address: context.client.key)
            context.logger.info("account registered", metadata: ["user_id": .string(account.summary.id), "role": .string(account.role.rawValue)])
            return try JSONBody.data(.created, message: "User registered successfully", account.summary)
        }
        router.on(Endpoints.login) { _, context, body in
            return try JSONBody.response(.ok, try await service.login(body, address: context.client.key))
        }
        router.on(Endpoints.sshSession) { _, context, body in
            let session = try await service.sshSession(body)
            context.logger.info("ssh session signed in", metadata: ["user_id": .string(session.user.id)])
            return try JSONBody.response(.ok, session)
        }
    }
}
