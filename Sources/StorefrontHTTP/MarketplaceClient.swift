import Foundation
import MarketplaceAPI
import StorefrontCore

/// Answers the client's `APIRequest`s over HTTP with the shared API types.
/// Every call blocks, so the runtime calls it off the UI thread.
public struct MarketplaceClient: Sendable {
    public let baseURL: String
    let transport: CurlTransport

    public init(baseURL: String, transport: CurlTransport = CurlTransport()) {
        self.baseURL = baseURL
        self.transport = transport
    }

    public func perform(_ request: APIRequest, token: String?) -> APIReply {
        switch request {
        case .health:
            return .health(call("GET", "/health", token: token))
        case .login(let email, let password):
            return .loggedIn(call("POST", "/api/auth/login", body: LoginRequest(email: email, password: password), token: nil))
        case .register(let name, let email, let password, let role):
            let body = RegisterRequest(name: name, email: email, password: password, role: role.rawValue)
            let result: Result<DataEnvelope<UserSummary>, APIError> = call("POST", "/api/auth/register", body: body, token: nil)
            return .registered(result.map(\.data))
        }
    }

    func call<Out: Decodable>(_ method: String, _ path: String, token: String?) -> Result<Out, APIError> {
        call(method, path, body: Optional<Empty>.none, token: token)
    }

    func call<Body: Encodable, Out: Decodable>(_ method: String, _ path: String, body: Body?, token: String?) -> Result<Out, APIError> {
        var headers = ["Accept: application/json"]
        var data: Data?
        if let body {
            headers.append("Content-Type: application/json")
            do { data = try Self.encoder.encode(body) } catch { return .failure(.badResponse("cannot encode the request: \(error)")) }
        }
        if let token { headers.append("Authorization: Bearer \(token)") }
        let response: HTTPResponse
        do {
            response = try transport.send(method: method, url: baseURL + path, body: data, headers: headers)
        } catch {
            switch error {
            case .unreachable(let reason): return .failure(.unreachable(server: baseURL, reason: reason))
            case .timedOut(let seconds): return .failure(.timedOut(server: baseURL, seconds: seconds))
            }
        }
        return Self.decode(response, path: path)
    }

    static func decode<Out: Decodable>(_ response: HTTPResponse, path: String) -> Result<Out, APIError> {
        if (200..<300).contains(response.status) {
            do { return .success(try decoder.decode(Out.self, from: response.body)) } catch {
                return .failure(.badResponse("HTTP \(response.status) from \(path): \(describe(error))"))
            }
        }
        if let envelope = try? decoder.decode(ErrorEnvelope.self, from: response.body) {
            return .failure(.server(status: response.status, message: envelope.message, fieldErrors: envelope.errors))
        }
        return .failure(.server(status: response.status, message: "The server answered HTTP \(response.status) for \(path)", fieldErrors: []))
    }

    private static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): "missing field '\(key.stringValue)'"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context), DecodingError.dataCorrupted(let context):
            context.codingPath.map(\.stringValue).joined(separator: ".") + ": " + context.debugDescription
        default: "\(error)"
        }
    }

    static let encoder = JSONEncoder()

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

struct Empty: Codable {}
