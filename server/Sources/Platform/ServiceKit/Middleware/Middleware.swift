import Foundation
import HTTPTypes
import Hummingbird
import Logging
import MarketplaceAPI
import MongoKit
import PostgresNIO
import Synchronization

extension HTTPField.Name {
    public static let requestID = Self("X-Request-Id")!
    /// Makes a repeated checkout or payment answer the first one.
    public static let idempotencyKey = Self("Idempotency-Key")!
}

/// Gives every request an id (the caller's `X-Request-Id` when it is sane, a new
/// one otherwise), puts it in every log line of the request and echoes it back.
public struct RequestIDMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext

    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let incoming = request.headers[.requestID]
        let id: String
        if let incoming, Self.isAcceptable(incoming) {
            id = incoming
        } else {
            id = RequestIDs.next()
        }
        context.requestID = id
        // Log lines of the request carry it from `RequestTrace` (the JSON log handler
        // reads it there), not from a copy of the logger's metadata per request.
        var response = try await RequestTrace.$id.withValue(id) { try await next(request, context) }
        response.headers[.requestID] = id
        return response
    }

    /// Ids from outside are logged, so they are limited to a short, printable alphabet.
    static func isAcceptable(_ id: String) -> Bool {
        id.utf8.count <= 128 && !id.isEmpty && id.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x2D || byte == 0x5F || byte == 0x2E
        }
    }
}

/// New request ids, shaped like a UUID (8-4-4-4-12 lowercase hex): a random
/// 64-bit prefix drawn once per process, then a counter. Unique within the
/// process by construction and across processes by the prefix, for the price of
/// an atomic increment; a random UUID per request (two `getrandom` calls and
/// Foundation's formatting) was 1 % of a cached catalogue read.
public enum RequestIDs {
    private static let prefix = UInt64.random(in: .min ... .max)
    private static let counter = Atomic<UInt64>(UInt64.random(in: 0 ..< 1 << 32))
    private static let hexDigits = Array("0123456789abcdef".utf8)

    public static func next() -> String {
        let count = counter.add(1, ordering: .relaxed).newValue
        let hex = hexDigits
        return String(unsafeUninitializedCapacity: 36) { buffer in
            var position = 0
            func put(_ value: UInt64, digits: Int) {
                for shift in stride(from: (digits - 1) * 4, through: 0, by: -4) {
                    buffer[position] = hex[Int((value >> UInt64(shift)) & 0xF)]
                    position += 1
                }
            }
            func dash() { buffer[position] = UInt8(ascii: "-"); position += 1 }
            put(prefix >> 32, digits: 8); dash()
            put(prefix >> 16, digits: 4); dash()
            put(prefix, digits: 4); dash()
            put(count >> 48, digits: 4); dash()
            put(count, digits: 12)
            return position
        }
    }
}

/// Logs one line per request with its status and duration.
public struct AccessLogMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext

    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        let elapsed = ContinuousClock.now - start
        context.logger.info("request", metadata: [
            "method": .string(request.method.rawValue),
            "path": .string(request.uri.path),
            "status": .stringConvertible(response.status.code),
            "duration_ms": .string(Self.milliseconds(elapsed)),
        ])
        return response
    }
}

extension AccessLogMiddleware {
    /// `12.34`: milliseconds, two decimals, rounded (Foundation's `String(format:)` cost more than the rest of the line).
    static func milliseconds(_ elapsed: Duration) -> String {
        let (seconds, attoseconds) = elapsed.components
        let hundredths = max(0, seconds * 100_000 + (attoseconds + 5_000_000_000_000) / 10_000_000_000_000)
        let fraction = hundredths % 100
        return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }
}

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
