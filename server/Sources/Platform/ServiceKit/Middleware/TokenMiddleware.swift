import Hummingbird

/// Reads `Authorization: Bearer <token>` when present. Public routes ignore the
/// result; protected routes call the `require…` guards (Tokens/Authentication.swift),
/// which answer 401 for a missing, malformed, tampered or expired token and 403
/// for the wrong role.
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
            return .rejected(.unauthorized("Authorization header must be 'Bearer <token>'"))
        }
        do {
            return .verified(try await tokens.verify(String(parts[1])))
        } catch TokenError.expired {
            return .rejected(.unauthorized("Token has expired", code: .tokenExpired))
        } catch {
            return .rejected(.unauthorized("Invalid token"))
        }
    }
}
