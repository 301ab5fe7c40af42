import AsyncHTTPClient
import Foundation
import Logging
import MarketplaceAPI
import Metrics
import NIOCore
import NIOHTTP1
import ServiceLifecycle

/// The request id of the request being served, so calls to other services carry it.
public enum RequestTrace {
    @TaskLocal public static var id: String?
}

/// A service credential for calls to the other services, signed with the
/// service secret and renewed well before it expires.
public actor ServiceCredential {
    private let tokens: TokenService
    private let name: String
    private var current: (token: String, renewAt: ContinuousClock.Instant)?

    public init(tokens: TokenService, name: String) {
        self.tokens = tokens
        self.name = name
    }

    public func token() async throws -> String {
        if let current, ContinuousClock.now < current.renewAt { return current.token }
        let token = try await tokens.issueServiceToken(service: name)
        // Half the lifetime, less a second: `exp` is cut to whole seconds, so short
        // lifetimes must not hand out a token about to expire.
        current = (token, ContinuousClock.now + max(.zero, tokens.lifetime / 2 - .seconds(1)))
        return token
    }
}

/// The connection pool every call to another service goes through; a `Service`
/// so it closes its connections when the application stops.
public final class PeerConnections: Service, Sendable {
    public let http: HTTPClient

    public init(connectionsPerPeer: Int = 64) {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: connectionsPerPeer)
        // A refused connection fails the attempt at once; `ServiceHTTPClient` decides about retrying.
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout = .init(connect: .seconds(2))
        configuration.redirectConfiguration = .disallow
        configuration.decompression = .disabled
        // Calls are traced by `ServiceHTTPClient` (one client span named after the
        // peer and route, whose context it writes into `traceparent`); the client's
        // own span would add a second `traceparent` header, which the far side
        // cannot read.
        configuration.tracing.tracer = nil
        self.http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    public func run() async throws {
        try? await gracefulShutdown()
        try await http.shutdown()
    }
}

/// Whether a call may be sent again after a failure whose outcome is unknown.
public enum RetryPolicy: Sendable {
    /// The call changes something and repeating it could do so twice.
    case never
    /// Repeating the call gives the same result: a read, or a write that
    /// carries an idempotency key (or is keyed by an order id) on the far side.
    case idempotent
}

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

/// A JSON answer from another service.
public struct ServiceReply: Sendable {
    public var status: Int
    public var body: ByteBuffer

    public init(status: Int, body: ByteBuffer) {
        self.status = status
        self.body = body
    }

    /// Decodes the body; a body we cannot read counts as an unusable answer.
    public func decode<T: Decodable>(_ type: T.Type, from service: String) throws -> T {
        do {
            return try JSONBody.decoder.decode(T.self, from: body)
        } catch {
            throw ServiceUnavailable(service: service, detail: "unreadable \(status) answer: \(String(describing: error))")
        }
    }

    /// The error envelope of a failure, when the body is one.
    public var failure: ErrorEnvelope? {
        (200..<300).contains(status) ? nil : try? JSONBody.decoder.decode(ErrorEnvelope.self, from: body)
    }

    /// What the far side said went wrong; a body without a code is read by its status.
    public var code: ErrorCode? {
        (200..<300).contains(status) ? nil : failure?.code ?? ErrorCode.forStatus(status)
    }

    /// An answer the caller has no use for: a refusal when its code says asking
    /// again cannot help, otherwise an unusable answer (retried, then left to recovery).
    public func unexpected(from service: String) -> any Error {
        if let code, code.isPermanent, (400..<500).contains(status) {
            return PeerRefused(service: service, code: code, message: failure?.message ?? "refused")
        }
        return ServiceUnavailable(service: service, detail: "answered \(status) \(code?.rawValue ?? ""): \(failure?.message ?? "no message")")
    }
}

/// Calls one other marketplace service over HTTP: a service credential on
/// every call, the caller's request id passed on, a deadline per attempt, and
/// bounded retries with backoff only for calls that are safe to repeat.
public struct ServiceHTTPClient: Sendable {
    public let service: String
    let baseURL: String
    let connections: PeerConnections
    let credential: ServiceCredential
    let timeout: Duration
    let attempts: Int
    let logger: Logger

    /// - Parameters:
    ///   - service: the called service's name, for errors and logs.
    ///   - baseURL: e.g. `http://127.0.0.1:8084`.
    ///   - timeout: how long one attempt may take.
    ///   - attempts: how many times an idempotent call is tried at most.
    public init(service: String, baseURL: String, connections: PeerConnections, credential: ServiceCredential,
                timeout: Duration = .seconds(5), attempts: Int = 3, logger: Logger) {
        self.service = service
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.connections = connections
        self.credential = credential
        self.timeout = timeout
        self.attempts = max(1, attempts)
        self.logger = logger
    }

    /// Sends the call and returns whatever status the service answered with,
    /// except answers that say the service could not serve it (502, 503, 504),
    /// which are retried when allowed and then thrown as `ServiceUnavailable`.
    /// `parameters` fill the endpoint's path parameters in order.
    public func call<Body, Reply>(_ endpoint: Endpoint<Body, Reply>, _ parameters: String..., body: Body, retry: RetryPolicy) async throws -> ServiceReply {
        try await perform(HTTPMethod(endpoint.method), endpoint.path(parameters),
                          payload: ByteBuffer(bytes: try JSONBody.encoder.encode(body)), retry: retry)
    }

    /// A call without a body; `query` (already encoded) follows the path after `?`.
    public func call<Reply>(_ endpoint: Endpoint<NoBody, Reply>, _ parameters: String..., query: String? = nil, retry: RetryPolicy) async throws -> ServiceReply {
        let path = endpoint.path(parameters)
        return try await perform(HTTPMethod(endpoint.method), query.map { path + "?" + $0 } ?? path, payload: nil, retry: retry)
    }

    /// The reply of a successful call, as its endpoint declares it.
    public func decode<Body, Reply>(_ reply: ServiceReply, as endpoint: Endpoint<Body, Reply>) throws -> Reply {
        try reply.decode(Reply.self, from: service)
    }

    private func perform(_ method: HTTPMethod, _ path: String, payload: ByteBuffer?, retry: RetryPolicy) async throws -> ServiceReply {
        let requestID = RequestTrace.id ?? RequestIDs.next()
        let tries = retry == .idempotent ? attempts : 1
        var failure = ServiceUnavailable(service: service, detail: "not called")
        for attempt in 1...tries {
            if attempt > 1 {
                // 100 ms, 200 ms, ... with jitter, so retries from many requests do not arrive together.
                let base = 100 * (1 << (attempt - 2))
                try await Task.sleep(for: .milliseconds(base + Int.random(in: 0...base / 2)))
            }
            do {
                // One deadline for the whole exchange: connecting, the head and the body.
                let reply = try await withDeadline(timeout) { [self] in try await send(method, path, payload, requestID: requestID) }
                guard [502, 503, 504].contains(reply.status) else { return reply }
                failure = ServiceUnavailable(service: service, detail: "answered \(reply.status): \(reply.failure?.message ?? "no message")")
            } catch let error as CancellationError {
                throw error
            } catch {
                failure = ServiceUnavailable(service: service, detail: String(describing: error))
            }
            Counter(label: "storefront_service_call_failures_total", dimensions: [("peer", service)]).increment()
            logger.warning("service call failed", metadata: [
                "peer": .string(service), "method": .string(method.rawValue), "path": .string(path),
                "attempt": .stringConvertible(attempt), "of": .stringConvertible(tries), "error": .string(failure.detail),
                "request_id": .string(requestID),
            ])
        }
        throw failure
    }

    private func send(_ method: HTTPMethod, _ path: String, _ payload: ByteBuffer?, requestID: String) async throws -> ServiceReply {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer " + (try await credential.token()))
        request.headers.add(name: "X-Request-Id", value: requestID)
        request.headers.add(name: "Accept", value: "application/json")
        if let payload {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(payload)
        }
        let deadline = NIODeadline.now() + timeout.timeAmount
        // With tracing on, a client span whose context the call carries in `traceparent`.
        return try await Telemetry.call("\(service) \(method.rawValue) \(path.split(separator: "?").first ?? "")",
                                        method: method.rawValue, url: baseURL + path, peer: service,
                                        headers: request.headers) { headers in
            var request = request
            request.headers = headers
            let response = try await connections.http.execute(request, deadline: deadline)
            // The deadline above ends with the head; `withDeadline` in `perform` bounds the body too.
            let body = try await response.body.collect(upTo: 4 << 20)
            return (ServiceReply(status: Int(response.status.code), body: body), Int(response.status.code))
        }
    }
}

extension HTTPMethod {
    init(_ verb: HTTPVerb) {
        self.init(rawValue: verb.rawValue)
    }
}
