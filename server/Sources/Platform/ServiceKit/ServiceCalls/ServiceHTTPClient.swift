import AsyncHTTPClient
import Foundation
import Logging
import MarketplaceAPI
import Metrics
import NIOCore
import NIOHTTP1

/// Whether a call may be sent again after a failure whose outcome is unknown.
public enum RetryPolicy: Sendable {
    /// The call changes something and repeating it could do so twice.
    case never
    /// Repeating the call gives the same result: a read, or a write that
    /// carries an idempotency key (or is keyed by an order id) on the far side.
    case idempotent
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

    /// The reply of a successful call (answered with one of `success`), as its
    /// endpoint declares it; any other answer is thrown as `ServiceReply.unexpected`.
    public func decode<Body, Reply>(_ reply: ServiceReply, as endpoint: Endpoint<Body, Reply>, success: Set<Int> = [200]) throws -> Reply {
        try requireOK(reply, success: success)
        return try reply.decode(Reply.self, from: service)
    }

    /// Throws an answer other than `success` as `ServiceReply.unexpected`, for
    /// calls whose reply the caller does not read.
    public func requireOK(_ reply: ServiceReply, success: Set<Int> = [200]) throws {
        guard success.contains(reply.status) else { throw reply.unexpected(from: service) }
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
