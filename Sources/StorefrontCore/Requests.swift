import Foundation
import MarketplaceAPI

// How a screen talks to the marketplace. A screen sends a `Request` built from a
// route of `Endpoints` (or one of the compound requests in CompoundRequests.swift)
// and gets back, in `Msg.reply`, the `Result` typed by what it sent. The runtime
// hands each request to a `MarketplaceTransport` (StorefrontHTTP's client), which
// performs any call the same way. This module still never does I/O.

/// One HTTP call to a route, as a value: the route, its path with the values
/// filled in, the query, the JSON body and the headers of its own. The transport
/// adds the server's address, the session's token and the headers every call has.
public struct Call: Equatable, Sendable, CustomStringConvertible {
    public let route: Route
    public let path: String
    /// Already percent-encoded, without the `?`.
    public let query: String?
    public let body: Data?
    /// Headers of this call only (`Idempotency-Key: …`).
    public let headers: [String]
    /// Failures whose body is still the route's reply (a declined checkout carries its ids).
    public let answersWithBody: Set<ErrorCode>
    /// False for signing in and creating an account: those never send the session's token.
    public let sendsToken: Bool

    /// `GET /api/products?page=1…`, with the body when there is one.
    public var description: String {
        "\(route.method) \(path)" + (query.map { "?" + $0 } ?? "") + (body.map { " " + String(decoding: $0, as: UTF8.self) } ?? "")
    }

    /// Sorted keys: the same body is always the same bytes, so tests can compare calls.
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return encoder
    }()
}

/// Performs calls: StorefrontHTTP's `MarketplaceClient` over HTTP.
public protocol MarketplaceTransport: Sendable {
    /// Sends one call, with `token` as the bearer when given, and reads the answer as `Reply`.
    func send<Reply: Decodable & Sendable>(_ call: Call, token: String?, as reply: Reply.Type) -> Result<Reply, APIError>
}

public extension MarketplaceTransport {
    /// Performs a request: its one call, or each call of a compound one.
    func perform<Reply>(_ request: Request<Reply>, token: String?) -> Result<Reply, APIError> {
        request.perform(self, token)
    }
}

/// What a request asks, as tests compare it.
public enum Question: Equatable, Sendable, CustomStringConvertible {
    /// One call of one route.
    case call(Call)
    /// A request of several calls (CompoundRequests.swift), by name, with the values it was given.
    case compound(String, [String])

    public var description: String {
        switch self {
        case .call(let call): call.description
        case .compound(let name, let values): "\(name)(\(values.joined(separator: ", ")))"
        }
    }
}

/// What a screen asks the marketplace, and the type of its answer.
public struct Request<Reply: Sendable>: Sendable {
    public let question: Question
    let perform: @Sendable (any MarketplaceTransport, String?) -> Result<Reply, APIError>

    init(_ question: Question, perform: @escaping @Sendable (any MarketplaceTransport, String?) -> Result<Reply, APIError>) {
        self.question = question
        self.perform = perform
    }

    /// The same request, its answer changed by `transform` (a deletion's answer read as the id deleted).
    public func map<Other>(_ transform: @escaping @Sendable (Reply) -> Other) -> Request<Other> {
        let perform = perform
        return Request<Other>(question) { transport, token in perform(transport, token).map(transform) }
    }
}

// The call sites' spellings: `.call` answers what the route declares, `.data` what
// its `{"data": …}` envelope carries. `values` fill the route's `:parameters` in order.
extension Request where Reply: Codable {
    public static func call(_ endpoint: Endpoint<NoBody, Reply>, _ values: String..., query: String? = nil) -> Request<Reply> {
        route(endpoint, values, query: query, body: nil, headers: [], answersWithBody: [], sendsToken: true)
    }

    public static func call<Body>(_ endpoint: Endpoint<Body, Reply>, _ values: String..., body: Body, headers: [String] = [],
                                  answersWithBody: Set<ErrorCode> = [], sendsToken: Bool = true) -> Request<Reply> {
        route(endpoint, values, query: nil, body: body, headers: headers, answersWithBody: answersWithBody, sendsToken: sendsToken)
    }

    public static func data(_ endpoint: Endpoint<NoBody, DataEnvelope<Reply>>, _ values: String..., query: String? = nil,
                            headers: [String] = []) -> Request<Reply> {
        Request<DataEnvelope<Reply>>.route(endpoint, values, query: query, body: nil, headers: headers, answersWithBody: [], sendsToken: true).map { $0.data }
    }

    public static func data<Body>(_ endpoint: Endpoint<Body, DataEnvelope<Reply>>, _ values: String..., body: Body, sendsToken: Bool = true) -> Request<Reply> {
        Request<DataEnvelope<Reply>>.route(endpoint, values, query: nil, body: body, headers: [], answersWithBody: [], sendsToken: sendsToken).map { $0.data }
    }

    /// One call of a route; a body that cannot be encoded fails without a call.
    static func route<Body>(_ endpoint: Endpoint<Body, Reply>, _ values: [String], query: String?, body: Body?, headers: [String],
                            answersWithBody: Set<ErrorCode>, sendsToken: Bool) -> Request<Reply> {
        let encoded: Data?, problem: APIError?
        do { (encoded, problem) = (try body.map(Call.encoder.encode), nil) } catch { (encoded, problem) = (nil, .badResponse("cannot encode the request: \(error)")) }
        let call = Call(route: endpoint.route, path: endpoint.path(values), query: query, body: encoded, headers: headers,
                        answersWithBody: answersWithBody, sendsToken: sendsToken)
        return Request(.call(call)) { transport, token in
            if let problem { return .failure(problem) }
            return transport.send(call, token: call.sendsToken ? token : nil, as: Reply.self)
        }
    }
}

/// A request with its answer's type erased, as `Command.send` carries it; equal when what it asks is.
public struct AnyRequest: Equatable, Sendable, CustomStringConvertible {
    public let question: Question
    private let perform: @Sendable (any MarketplaceTransport, String?) -> APIReply

    public init<Reply>(_ request: Request<Reply>) {
        question = request.question
        perform = { transport, token in APIReply(request.perform(transport, token)) }
    }

    /// Performs the request over `transport`; what `Msg.reply` brings back.
    public func perform(on transport: any MarketplaceTransport, token: String?) -> APIReply { perform(transport, token) }

    public static func == (lhs: AnyRequest, rhs: AnyRequest) -> Bool { lhs.question == rhs.question }

    public var description: String { question.description }
}

/// The answer to a request, whatever its type; a screen reads it through the
/// `Pending` that sending the request gave it.
public struct APIReply: Sendable {
    private let result: Result<any Sendable, APIError>

    public init<Value: Sendable>(_ result: Result<Value, APIError>) {
        self.result = result.map { $0 }
    }

    public static func success<Value: Sendable>(_ value: Value) -> APIReply { APIReply(Result<Value, APIError>.success(value)) }
    public static func failure(_ error: APIError) -> APIReply { APIReply(Result<Never, APIError>.failure(error)) }

    /// The failure, whatever the request was.
    public var error: APIError? {
        if case .failure(let error) = result { return error }
        return nil
    }

    /// The answer read as `Value`: nil when it succeeded with something else.
    public func result<Value>(as type: Value.Type) -> Result<Value, APIError>? {
        switch result {
        case .failure(let error): .failure(error)
        case .success(let value): (value as? Value).map { .success($0) }
        }
    }
}

/// A request sent and not yet answered: its number, and the type its answer has.
public struct Pending<Reply: Sendable>: Hashable, Sendable {
    public let id: RequestID

    init(_ id: RequestID) { self.id = id }

    /// The answer, when `reply` (numbered `id`) is this request's.
    public func result(_ id: RequestID, _ reply: APIReply) -> Result<Reply, APIError>? {
        id == self.id ? reply.result(as: Reply.self) : nil
    }
}

public extension Optional {
    /// The answer, when `reply` (numbered `id`) is to the request waited for; it is then waited for no more.
    mutating func take<Reply>(_ id: RequestID, _ reply: APIReply) -> Result<Reply, APIError>? where Wrapped == Pending<Reply> {
        guard let result = self?.result(id, reply) else { return nil }
        self = nil
        return result
    }
}
