import Foundation
import Hummingbird
import MarketplaceAPI

/// Reads `Authorization: Bearer <token>` when present. Public routes ignore the
/// result; protected routes call the `require…` guards below, which answer 401
/// for a missing, malformed, tampered or expired token and 403 for the wrong role.
public struct TokenMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext
    let tokens: TokenService

    public init(tokens: TokenService) {
        self.tokens = tokens
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        if let header = request.headers[.authorization] {
            context.authentication = await Self.authenticate(header: header, tokens: tokens)
            if case .verified(let caller) = context.authentication {
                context.caller = caller
            }
        }
        return try await next(request, context)
    }

    static func authenticate(header: String, tokens: TokenService) async -> Authentication {
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer", !parts[1].isEmpty else {
            return .rejected("Authorization header must be 'Bearer <token>'")
        }
        do {
            return .verified(try await tokens.verify(String(parts[1])))
        } catch TokenError.expired {
            return .rejected("Token has expired")
        } catch {
            return .rejected("Invalid token")
        }
    }
}

public enum Authentication: Sendable, Equatable {
    case absent
    case verified(Caller)
    case rejected(String)
}

extension AppRequestContext {
    /// A signed-in account (any role). Service credentials are not accounts.
    public func requireUser() throws -> (id: UUID, role: Role) {
        switch caller {
        case .user(let id, let role): return (id, role)
        case .service: throw AppError.forbidden("This route is for signed-in users")
        case nil: throw unauthenticated()
        }
    }

    /// A signed-in account holding one of `roles`.
    @discardableResult
    public func requireRole(_ roles: Set<Role>) throws -> (id: UUID, role: Role) {
        let user = try requireUser()
        guard roles.contains(user.role) else {
            let names = roles.map(\.rawValue).sorted().joined(separator: " or ")
            throw AppError.forbidden("This requires the \(names) role")
        }
        return user
    }

    /// Internal routes: only another service of the marketplace may call them.
    @discardableResult
    public func requireService() throws -> String {
        switch caller {
        case .service(let name): return name
        case .user: throw AppError.forbidden("This route is internal to the marketplace services")
        case nil: throw unauthenticated()
        }
    }

    private func unauthenticated() -> AppError {
        if case .rejected(let reason) = authentication { return .unauthorized(reason) }
        return .unauthorized("Authentication required: send 'Authorization: Bearer <token>'")
    }
}
