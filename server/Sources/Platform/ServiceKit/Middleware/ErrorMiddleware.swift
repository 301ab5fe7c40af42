import Hummingbird
import Logging
import MarketplaceAPI
import MongoKit
import PostgresNIO

/// Turns every error into the plan's error envelope, so no route can answer with
/// a bare 500 page or leak an internal message.
public struct ErrorMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext

    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let appError = Self.map(error, request: request, logger: context.logger)
            return try JSONBody.response(appError.status, ErrorEnvelope(code: appError.code, message: appError.message, errors: appError.errors), headers: appError.headers)
        }
    }

    static func map(_ error: any Error, request: Request, logger: Logger) -> AppError {
        switch error {
        case let error as AppError:
            return error
        case let error as any DomainError:
            return error.appError
        case let error as any HTTPResponseError:
            switch error.status {
            case .notFound:
                // The path is a route's, the method is not: 405 naming the methods it takes.
                let methods = Endpoints.methods(forPath: request.uri.path)
                if !methods.isEmpty {
                    let allowed = methods.flatMap { $0 == .GET ? ["GET", "HEAD"] : [$0.rawValue] }.joined(separator: ", ")
                    return AppError(.methodNotAllowed, .methodNotAllowed, "Method \(request.method.rawValue) is not allowed here; use \(allowed)",
                                    headers: [.allow: allowed])
                }
                return AppError(.notFound, .noRoute, "No route for \(request.method.rawValue) \(request.uri.path)")
            case .methodNotAllowed: return AppError(.methodNotAllowed, .methodNotAllowed, "Method \(request.method.rawValue) is not allowed here")
            case .contentTooLarge: return AppError(.contentTooLarge, .payloadTooLarge, "Request body is larger than \(RequestLimits.maxBodyBytes) bytes")
            default:
                let http = error as? HTTPError
                return AppError(error.status, http?.body ?? error.status.reasonPhrase, headers: http?.headers ?? [:])
            }
        case let error as PSQLError where error.serverInfo?[.sqlState] == "57014":
            // The statement ran past `statement_timeout` (or was cancelled): this request only.
            logger.error("database statement cancelled", metadata: ["error": .string(error.serverInfo?[.message] ?? "")])
            return .unavailable("The database took too long to answer; try again shortly")
        case let error as PSQLError where error.serverInfo?[.sqlState]?.hasPrefix("22") == true:
            // A data exception (a number or text the column cannot hold) is the request's
            // doing; services refuse these before they reach the store, this is the backstop.
            logger.error("database refused a value", metadata: ["error": .string(error.serverInfo?[.message] ?? "")])
            return AppError(.badRequest, .validationFailed, "A value in the request is out of the range the store can hold")
        case let error as PSQLError where error.code != .server:
            logger.error("database unreachable", metadata: ["error": .string(String(describing: error.code))])
            return .unavailable("The database is unavailable; try again shortly")
        case let error where String(describing: type(of: error)) == "ConnectionPoolError":
            // postgres-nio's pool gave up creating connections (circuit breaker): the store is down.
            logger.error("database unreachable", metadata: ["error": .string(String(describing: error))])
            return .unavailable("The database is unavailable; try again shortly")
        case let error as MongoError:
            return error.appError(logger: logger)
        case let error as ServiceUnavailable:
            logger.error("service unreachable", metadata: ["peer": .string(error.service), "error": .string(error.detail)])
            return .unavailable("The \(error.service) service is unavailable; try again shortly")
        case is CancellationError:
            return .unavailable("The request was cancelled")
        default:
            logger.error("unhandled error", metadata: ["error": .string(String(reflecting: error))])
            return AppError(.internalServerError, .internal, "Internal server error")
        }
    }
}
