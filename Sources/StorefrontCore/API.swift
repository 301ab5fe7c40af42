import MarketplaceAPI

/// The questions the client asks the marketplace. StorefrontHTTP turns each
/// into an HTTP call; this module never does I/O.
public enum APIRequest: Equatable, Sendable {
    case health
    case login(email: String, password: String)
    case register(name: String, email: String, password: String, role: Role)
}

public enum APIReply: Sendable {
    case health(Result<HealthStatus, APIError>)
    case loggedIn(Result<LoginResponse, APIError>)
    case registered(Result<UserSummary, APIError>)

    /// The failure, whatever the request was.
    public var error: APIError? {
        switch self {
        case .health(.failure(let e)), .loggedIn(.failure(let e)), .registered(.failure(let e)): e
        default: nil
        }
    }
}

/// Why a request failed, in words a shopper can act on.
public enum APIError: Error, Equatable, Sendable {
    /// Nothing answered: connection refused, unknown host, network down.
    case unreachable(server: String, reason: String)
    case timedOut(server: String, seconds: Int)
    /// The server answered with an error envelope (or an error status).
    case server(status: Int, message: String, fieldErrors: [FieldError])
    /// The server answered with something this client cannot read.
    case badResponse(String)

    public var message: String {
        switch self {
        case .unreachable(let server, let reason): "Cannot reach \(server): \(reason)."
        case .timedOut(let server, let seconds): "\(server) did not answer within \(seconds) s."
        case .server(_, let message, _): message.hasSuffix(".") ? message : message + "."
        case .badResponse(let detail): "The server sent an answer this client cannot read (\(detail))."
        }
    }

    /// True when the server could not be reached at all: worth a retry later.
    public var isConnectivity: Bool {
        switch self {
        case .unreachable, .timedOut: true
        case .server(let status, _, _): status == 502 || status == 503 || status == 504
        case .badResponse: false
        }
    }

    public var fieldErrors: [FieldError] {
        if case .server(_, _, let errors) = self { return errors }
        return []
    }
}
