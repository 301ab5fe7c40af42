import HTTPTypes
import MarketplaceAPI

/// The one error type services throw at their HTTP boundary. Each service maps
/// its own domain errors onto these cases; `ErrorMiddleware` turns them into the
/// plan's `{"success": false, ...}` envelope.
public struct AppError: Error, Sendable, Equatable {
    public var status: HTTPResponse.Status
    public var message: String
    public var errors: [FieldError]
    public var headers: HTTPFields

    public init(_ status: HTTPResponse.Status, _ message: String, errors: [FieldError] = [], headers: HTTPFields = [:]) {
        self.status = status
        self.message = message
        self.errors = errors
        self.headers = headers
    }

    public static func validation(_ errors: [FieldError]) -> AppError {
        AppError(.badRequest, errors.count == 1 ? errors[0].message : "Validation failed", errors: errors)
    }
    public static func badRequest(_ message: String) -> AppError { AppError(.badRequest, message) }
    public static func unauthorized(_ message: String = "Authentication required") -> AppError { AppError(.unauthorized, message) }
    public static func forbidden(_ message: String = "You are not allowed to do this") -> AppError { AppError(.forbidden, message) }
    public static func notFound(_ message: String) -> AppError { AppError(.notFound, message) }
    public static func conflict(_ message: String) -> AppError { AppError(.conflict, message) }
    public static func unavailable(_ message: String) -> AppError { AppError(.serviceUnavailable, message) }
}

/// Collects field errors so a request reports every problem at once.
public struct Validator {
    public private(set) var errors: [FieldError] = []

    public init() {}

    public mutating func check(_ condition: Bool, _ field: String, _ message: String) {
        if !condition { errors.append(FieldError(field: field, message: message)) }
    }

    public mutating func fail(_ field: String, _ message: String) {
        errors.append(FieldError(field: field, message: message))
    }

    public func throwIfInvalid() throws {
        if !errors.isEmpty { throw AppError.validation(errors) }
    }
}
