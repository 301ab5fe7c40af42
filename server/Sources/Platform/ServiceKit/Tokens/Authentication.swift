import Foundation
import Hummingbird
import MarketplaceAPI

/// What `TokenMiddleware` made of the Authorization header.
public enum Authentication: Sendable, Equatable {
    case absent
    case verified(Caller)
    /// Why the token was refused, as the answer a protected route gives.
    case rejected(AppError)
}

extension AppRequestContext {
    /// A signed-in account (any role). Service credentials are not accounts.
    public func requireUser() throws -> SignedInUser {
        switch caller {
        case .user(let user): return user
        case .service: throw AppError.forbidden("This route is for signed-in users")
        case nil: throw unauthenticated()
        }
    }

    /// The signed-in account's id as every store keeps it (`requireUser`).
    public func requireUserID() throws -> String {
        try requireUser().id.description
    }

    /// A signed-in account holding one of `roles`.
    @discardableResult
    public func requireRole(_ roles: Set<Role>) throws -> SignedInUser {
        let user = try requireUser()
        guard roles.contains(user.role) else {
            let names = roles.map(\.rawValue).sorted().joined(separator: " or ")
            throw AppError.forbidden("This requires the \(names) role")
        }
        return user
    }

    /// A signed-in account or another service.
    public func requireCaller() throws -> Caller {
        guard let caller else { throw unauthenticated() }
        return caller
    }

    /// Internal routes: only the listed services of the marketplace may call them,
    /// each known by the name its credential carries.
    @discardableResult
    public func requireService(_ allowed: Set<ServiceName>) throws -> ServiceName {
        switch caller {
        case .service(let name):
            guard let service = ServiceName(rawValue: name), allowed.contains(service) else {
                let names = allowed.sorted().map(\.rawValue).joined(separator: ", ")
                throw AppError(.forbidden, .serviceNotAllowed, "The \(name) service may not call this route; only \(names) may")
            }
            return service
        case .user: throw AppError.forbidden("This route is internal to the marketplace services")
        case nil: throw unauthenticated()
        }
    }

    /// Refuses a caller the route's declared access does not admit. The router
    /// calls it for every route (`on(_:use:)`), so no handler can forget it.
    public func check(_ access: Access) throws {
        switch access {
        case .anyone:
            break
        case .user:
            _ = try requireUser()
        case .roles(let roles):
            try requireRole(roles)
        case .service(let allowed):
            try requireService(allowed)
        case .userOrService(let allowed):
            if case .service = caller { try requireService(allowed) } else { _ = try requireUser() }
        case .localOrService:
            if case .service = caller { return }
            guard mayScrapeMetrics else {
                throw AppError.forbidden("Metrics are served to local scrapers and service credentials only")
            }
        }
    }

    private func unauthenticated() -> AppError {
        if case .rejected(let error) = authentication { return error }
        return .unauthorized("Authentication required: send 'Authorization: Bearer <token>'")
    }
}
