import HTTPTypes
import MarketplaceAPI

/// The one error type services throw at their HTTP boundary. Each service maps
/// its own domain errors onto these cases; `ErrorMiddleware` turns them into the
/// plan's `{"success": false, ...}` envelope.
public struct AppError: Error, Sendable, Equatable {
    public var status: HTTPResponse.Status
    /// What callers branch on; the message is for people.
    public var code: ErrorCode
    public var message: String
    public var errors: [FieldError]
    public var headers: HTTPFields

    public init(_ status: HTTPResponse.Status, _ code: ErrorCode, _ message: String, errors: [FieldError] = [], headers: HTTPFields = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors
        self.headers = headers
    }

    /// An error whose code is the usual one for its status.
    public init(_ status: HTTPResponse.Status, _ message: String, errors: [FieldError] = [], headers: HTTPFields = [:]) {
        self.init(status, ErrorCode.forStatus(Int(status.code)), message, errors: errors, headers: headers)
    }

    /// At most this many field errors in one answer: a request with 100,000 bad
    /// values gets the first ones and their count, not a 10 MB body.
    public static let maximumFieldErrors = 20

    public static func validation(_ errors: [FieldError]) -> AppError {
        if errors.count > maximumFieldErrors {
            return AppError(.badRequest, .validationFailed, "Validation failed: \(errors.count) problems, the first \(maximumFieldErrors) listed",
                            errors: Array(errors.prefix(maximumFieldErrors)))
        }
        return AppError(.badRequest, .validationFailed, errors.count == 1 ? errors[0].message : "Validation failed", errors: errors)
    }
    /// A body, header or parameter that cannot be read at all.
    public static func badRequest(_ message: String) -> AppError { AppError(.badRequest, .malformedRequest, message) }
    /// A readable request that breaks a rule not tied to one field.
    public static func invalid(_ message: String) -> AppError { AppError(.badRequest, .validationFailed, message) }
    public static func unauthorized(_ message: String = "Authentication required", code: ErrorCode = .unauthenticated) -> AppError {
        AppError(.unauthorized, code, message)
    }
    public static func forbidden(_ message: String = "You are not allowed to do this") -> AppError { AppError(.forbidden, .forbidden, message) }
    public static func notFound(_ message: String) -> AppError { AppError(.notFound, .notFound, message) }
    public static func conflict(_ message: String, code: ErrorCode = .conflict) -> AppError { AppError(.conflict, code, message) }
    public static func unavailable(_ message: String) -> AppError { AppError(.serviceUnavailable, .unavailable, message) }
}

/// A service's own failure, in its own words. Each service's error enum says,
/// in one place (`appError`), how it is answered over HTTP; `ErrorMiddleware`
/// applies it, so controllers and services never build HTTP errors themselves.
public protocol DomainError: Error {
    var appError: AppError { get }
}
