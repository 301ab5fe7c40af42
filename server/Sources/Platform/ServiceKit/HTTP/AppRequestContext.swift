import Hummingbird
import Logging

/// The request context every service shares: the request id and, once the
/// token middleware has run, who is calling.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by `RequestIDMiddleware`; carried to other services in `X-Request-Id`.
    public var requestID: String = ""
    /// Set by `TokenMiddleware` when the request carries a valid token.
    public var caller: Caller?
    /// What the token middleware made of the Authorization header, so guards can
    /// say why a token was refused.
    public var authentication: Authentication = .absent

    /// The peer's IP address, for per-client rate limits.
    public let remoteIP: String?
    /// Who is calling: the peer, or the client a trusted proxy forwards
    /// (`ClientAddressMiddleware`). Rate limits and sign-in throttles count by it.
    public var client: ClientAddress
    /// Set by `DeadlineResponder`: when this request's answer is due.
    public var deadline: RequestDeadline?
    /// Networks besides loopback whose clients may read `/metrics` without a credential.
    public var metricsScrapers: [IPNetwork] = []
    /// Whether the client may read `/metrics` without a service credential.
    public var mayScrapeMetrics: Bool {
        guard let address = IPNetwork.bytes(of: client.ip) else { return false }
        return (IPNetwork.loopback + metricsScrapers).contains { $0.contains(address) }
    }

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteIP = source.channel.remoteAddress?.ipAddress
        self.client = ClientAddress(ip: remoteIP ?? "unknown")
    }

    /// Bodies larger than this answer 413 before they are decoded.
    public var maxUploadSize: Int { RequestLimits.maxBodyBytes }
}

public enum RequestLimits {
    public static let maxBodyBytes = 1 << 20
}
