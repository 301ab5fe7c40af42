import Foundation
import MarketplaceAPI
import StorefrontCore

/// Performs the client's calls over HTTP with the shared API types.
/// Every call blocks, so the runtime calls it off the UI thread.
public struct MarketplaceClient: MarketplaceTransport {
    public let baseURL: String
    let transport: CurlTransport
    /// `Forwarded` for every request: the SSH client this shopper connects from
    /// (a kiosk session), so the server limits each session on its own when it
    /// trusts this host. nil elsewhere.
    let forwarded: String?
    /// `X-Forwarded-For` for every request: the shopper's address an SSH session
    /// started by the marketplace's SSH service names (`STOREFRONT_CLIENT_ADDRESS`).
    let forwardedFor: String?
    /// Told each second of a wait the server asked for (429 with `Retry-After`),
    /// counting down to 0; the request is then sent once more.
    let onRetryWait: (@Sendable (Int) -> Void)?

    /// Counts this client's HTTP calls, when set (`counting(into:)`).
    var counter: CallCounter?

    /// This client, counting its HTTP calls into `counter`.
    public func counting(into counter: CallCounter) -> MarketplaceClient {
        var copy = self
        copy.counter = counter
        return copy
    }

    /// The longest `Retry-After` waited out; a longer one is shown as the error it is.
    public static let longestRetryWait = 30

    public init(baseURL: String, transport: CurlTransport = CurlTransport(), forwarded: String? = nil, forwardedFor: String? = nil,
                onRetryWait: (@Sendable (Int) -> Void)? = nil) {
        self.baseURL = baseURL
        self.transport = transport
        self.forwarded = forwarded
        self.forwardedFor = forwardedFor
        self.onRetryWait = onRetryWait
    }

    /// `for="address:port"` from `SSH_CONNECTION` (or `SSH_CLIENT`): who is at the
    /// other end of this SSH session. nil outside SSH or when it is unreadable.
    public static func forwarded(environment: [String: String]) -> String? {
        guard let line = environment["SSH_CONNECTION"] ?? environment["SSH_CLIENT"] else { return nil }
        let parts = line.split(separator: " ")
        guard parts.count >= 2, let port = Int(parts[1]), (1...65535).contains(port) else { return nil }
        let address = String(parts[0])
        guard !address.isEmpty, address.allSatisfy({ $0.isHexDigit || $0 == "." || $0 == ":" }) else { return nil }
        return address.contains(":") ? "for=\"[\(address)]:\(port)\"" : "for=\"\(address):\(port)\""
    }

    /// `for="address:port"` for the shopper's address an SSH session of the
    /// marketplace's SSH service names (`STOREFRONT_CLIENT_ADDRESS`, checked by
    /// `SSHSessionSettings.read`): `203.0.113.7`, `203.0.113.7:52011`,
    /// `[2001:db8::7]:4711` or a bare IPv6 address.
    public static func forwarded(clientAddress address: String) -> String {
        let bareIPv6 = !address.hasPrefix("[") && address.filter { $0 == ":" }.count > 1
        return "for=\"" + (bareIPv6 ? "[\(address)]" : address) + "\""
    }

    /// Sends one call: its method, path and query on `baseURL`, its body as JSON,
    /// its headers and the token; the answer decoded as `Reply` (for the failure
    /// codes `call.answersWithBody` names, from the failure's body).
    public func send<Reply: Decodable & Sendable>(_ call: Call, token: String?, as reply: Reply.Type) -> Result<Reply, APIError> {
        var headers = ["Accept: application/json"] + call.headers
        if call.body != nil { headers.append("Content-Type: application/json") }
        if let token { headers.append("Authorization: Bearer \(token)") }
        if let forwarded { headers.append("Forwarded: \(forwarded)") }
        if let forwardedFor { headers.append("X-Forwarded-For: \(forwardedFor)") }
        let url = baseURL + call.path + (call.query.map { "?" + $0 } ?? "")
        var response: HTTPResponse
        var waited = false
        while true {
            counter?.add()
            do {
                response = try transport.send(method: call.route.method.rawValue, url: url, body: call.body, headers: headers)
            } catch {
                switch error {
                case .unreachable(let reason): return .failure(.unreachable(server: baseURL, reason: reason))
                case .timedOut(let seconds): return .failure(.timedOut(server: baseURL, seconds: seconds))
                case .untrusted(let reason):
                    let hint = transport.caFile == nil ? "; for a private certificate authority, give its certificate with --cacert FILE" : ""
                    return .failure(.unreachable(server: baseURL, reason: "its certificate is not trusted (\(reason))\(hint)"))
                }
            }
            // Too many requests: wait as long as the server asks, counting down where the
            // shopper sees it, and ask once more; a second refusal is shown as it is.
            guard response.status == 429, !waited, let onRetryWait, let wait = response.retryAfter, (0...Self.longestRetryWait).contains(wait) else { break }
            waited = true
            for left in stride(from: wait, to: 0, by: -1) {
                onRetryWait(left)
                Thread.sleep(forTimeInterval: 1)
            }
            onRetryWait(0)
        }
        return Self.decode(response, path: call.path, answersWithBody: call.answersWithBody)
    }

    static func decode<Out: Decodable>(_ response: HTTPResponse, path: String, answersWithBody: Set<ErrorCode> = []) -> Result<Out, APIError> {
        if (200..<300).contains(response.status) {
            do { return .success(try decoder.decode(Out.self, from: response.body)) } catch {
                return .failure(.badResponse("HTTP \(response.status) from \(path): \(describe(error))"))
            }
        }
        let failure = failure(response, path: path)
        if let code = failure.code, answersWithBody.contains(code), let answer = try? decoder.decode(Out.self, from: response.body) {
            return .success(answer)
        }
        return .failure(failure)
    }

    /// The failure an error answer describes. Its envelope's code when it has
    /// one this client knows; otherwise (a proxy's page, a gateway's envelope
    /// without a code, a code newer than this client) the status's code.
    static func failure(_ response: HTTPResponse, path: String) -> APIError {
        let fallback = ErrorCode.forStatus(response.status)
        guard let envelope = try? decoder.decode(FailureBody.self, from: response.body), let message = envelope.message else {
            return .server(code: fallback, message: "The server answered HTTP \(response.status) for \(path)", fieldErrors: [])
        }
        return .server(code: envelope.code.flatMap(ErrorCode.init(rawValue:)) ?? fallback, message: message, fieldErrors: envelope.errors ?? [])
    }

    /// `ErrorEnvelope` read leniently, so an answer from before codes (or from
    /// the gateway, which writes none) still keeps its message and field errors.
    private struct FailureBody: Decodable {
        var code: String?
        var message: String?
        var errors: [FieldError]?
    }

    private static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): "missing field '\(key.stringValue)'"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context), DecodingError.dataCorrupted(let context):
            context.codingPath.map(\.stringValue).joined(separator: ".") + ": " + context.debugDescription
        default: "\(error)"
        }
    }

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let text = try decoder.singleValueContainer().decode(String.self)
            // The server writes ISO 8601, with or without fractional seconds.
            for options: ISO8601DateFormatter.Options in [[.withInternetDateTime, .withFractionalSeconds], [.withInternetDateTime]] {
                let formatter = ISO8601DateFormatter()
                formatter.formatOptions = options
                if let date = formatter.date(from: text) { return date }
            }
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not an ISO 8601 date: \(text)"))
        }
        return decoder
    }()
}


/// A number of HTTP calls, added to from the request's thread, read after its answer.
public final class CallCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0

    public init() {}

    func add() {
        lock.lock(); count += 1; lock.unlock()
    }

    public var value: Int {
        lock.lock(); defer { lock.unlock() }
        return count
    }
}
