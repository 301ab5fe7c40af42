import MarketplaceAPI

/// A call to another service that got no usable answer: the service is down,
/// too slow, or failing. The caller decides what that means for its own work.
public struct ServiceUnavailable: Error, CustomStringConvertible, Sendable {
    public var service: String
    public var detail: String

    public init(service: String, detail: String) {
        self.service = service
        self.detail = detail
    }

    public var description: String { "\(service) service unavailable: \(detail)" }
}

/// Another service refused a call for good (a rule broken, a state that forbids
/// it): asking again would be refused again, so the caller settles at once.
public struct PeerRefused: Error, CustomStringConvertible, Sendable, Equatable {
    public var service: String
    public var code: ErrorCode
    public var message: String

    public init(service: String, code: ErrorCode, message: String) {
        self.service = service
        self.code = code
        self.message = message
    }

    public var description: String { "\(service) service refused (\(code.rawValue)): \(message)" }
}

/// How a failure of a service called in the same process reads to its caller:
/// the service's own refusal (`DomainError` with a permanent code) as `PeerRefused`,
/// anything else as the outage it would be over HTTP.
public func peerFailure(_ service: String, _ error: any Error) -> any Error {
    let appError: AppError? = switch error {
    case let error as AppError: error
    case let error as any DomainError: error.appError
    default: nil
    }
    if let appError, appError.code.isPermanent {
        return PeerRefused(service: service, code: appError.code, message: appError.message)
    }
    return ServiceUnavailable(service: service, detail: String(describing: error))
}

/// Calls a service of this process the way its HTTP client would reach it: an
/// error `passing` lets through is the caller's to act on; any other failure
/// becomes what `peerFailure` makes of it.
public func callInProcess<T>(_ service: String, passing: (any Error) -> Bool = { _ in false },
                             _ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let error where passing(error) {
        throw error
    } catch {
        throw peerFailure(service, error)
    }
}
