import Foundation
import MarketplaceAPI
import StorefrontCore

/// Answers the client's `APIRequest`s over HTTP with the shared API types.
/// Every call blocks, so the runtime calls it off the UI thread.
public struct MarketplaceClient: Sendable {
    public let baseURL: String
    let transport: CurlTransport
    /// `Forwarded` for every request: the SSH client this shopper connects from
    /// (a kiosk session), so the server limits each session on its own when it
    /// trusts this host. nil elsewhere.
    let forwarded: String?
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

    public init(baseURL: String, transport: CurlTransport = CurlTransport(), forwarded: String? = nil,
                onRetryWait: (@Sendable (Int) -> Void)? = nil) {
        self.baseURL = baseURL
        self.transport = transport
        self.forwarded = forwarded
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

    public func perform(_ request: APIRequest, token: String?) -> APIReply {
        switch request {
        case .health:
            return .health(call(Endpoints.health, token: token))
        case .login(let email, let password):
            return .loggedIn(call(Endpoints.login, body: LoginRequest(email: email, password: password)))
        case .register(let name, let email, let password, let role):
            let body = RegisterRequest(name: name, email: email, password: password, role: role.rawValue)
            return .registered(call(Endpoints.register, body: body).map(\.data))
        case .products(let query):
            return .products(call(Endpoints.products, query: query.queryString, token: token))
        case .product(let id):
            return .product(call(Endpoints.product, id, token: token).map(\.data))
        case .stock(let ids):
            return .stock(stock(ids, token: token))
        case .cart:
            return .cart(call(Endpoints.cart, token: token).map(\.data))
        case .addToCart(let productID, let quantity):
            return .cart(call(Endpoints.addToCart, body: AddToCartRequest(productId: productID, quantity: quantity), token: token).map(\.data))
        case .setCartQuantity(let productID, let quantity):
            let removed = call(Endpoints.removeFromCart, body: RemoveFromCartRequest(productId: productID), token: token).map(\.data)
            guard case .success = removed, quantity > 0 else { return .cart(removed) }
            return .cart(call(Endpoints.addToCart, body: AddToCartRequest(productId: productID, quantity: quantity), token: token).map(\.data))
        case .removeFromCart(let productID):
            return .cart(call(Endpoints.removeFromCart, body: RemoveFromCartRequest(productId: productID), token: token).map(\.data))
        case .clearCart:
            return .cart(call(Endpoints.clearCart, token: token).map(\.data))
        case .addresses:
            return .addresses(call(Endpoints.addresses, token: token).map(\.data))
        case .checkout(let address, let method, let key):
            let body = CheckoutRequest(shippingAddress: ShippingAddressInput(street: address.street, city: address.city, zip: address.zip, country: address.country),
                                       paymentMethod: method)
            // A declined payment, missing stock or changed prices still answer the checkout's own body (ids, reason, shortages, changes).
            return .checkout(call(Endpoints.checkout, body: body, token: token, headers: ["Idempotency-Key: \(key)"],
                                  answersWithBody: [.paymentDeclined, .outOfStock, .priceChanged]))
        case .orders(let page):
            return .orders(call(Endpoints.orders, query: "page=\(page)&limit=50", token: token))
        case .order(let id):
            return .order(call(Endpoints.order, id, token: token).map(\.data))
        case .lowStock(let page):
            return .lowStock(call(Endpoints.lowStock, query: "page=\(page)&limit=\(LowStockScreen.pageSize)", token: token))
        case .productsByID(let ids):
            return .productsByID(products(ids, token: token))
        case .addStock(let productID, let quantity):
            return .stockAdded(call(Endpoints.addStock, body: AddStockRequest(productId: productID, quantity: quantity), token: token).map(\.data))
        case .profile:
            return .profile(call(Endpoints.profile, token: token).map(\.data))
        case .updateProfile(let change):
            let preferences = change.newsletter != nil || change.theme != nil
                ? ProfileUpdate.Preferences(newsletter: change.newsletter, theme: change.theme) : nil
            return .profile(call(Endpoints.updateProfile, body: ProfileUpdate(phone: change.phone, preferences: preferences), token: token).map(\.data))
        case .addAddress(let draft):
            return .addressSaved(call(Endpoints.addAddress, body: draft, token: token).map(\.data))
        case .updateAddress(let id, let draft):
            return .addressSaved(call(Endpoints.updateAddress, id, body: draft, token: token).map(\.data))
        case .deleteAddress(let id):
            return .addressDeleted(call(Endpoints.deleteAddress, id, token: token).map { _ in id })
        case .myProducts(let owner):
            return .myProducts(myProducts(owner, token: token))
        case .createProduct(let draft):
            return .productSaved(call(Endpoints.createProduct, body: input(draft), token: token).map(\.data))
        case .updateProduct(let id, let draft):
            return .productSaved(call(Endpoints.updateProduct, id, body: input(draft), token: token).map(\.data))
        case .deleteProduct(let id):
            return .productDeleted(call(Endpoints.deleteProduct, id, token: token).map { _ in id })
        }
    }

    private func input(_ draft: ProductDraft) -> ProductInput {
        ProductInput(name: draft.name, description: draft.description, price: draft.price, category: draft.category, images: draft.images)
    }

    /// The owner's products, newest first, filtered by the server: one request for
    /// up to a hundred, at most `ProductDraft.scanLimit` in all.
    private func myProducts(_ owner: String, token: String?) -> Result<(products: [Product], truncated: Bool), APIError> {
        var mine: [Product] = []
        let limit = 100
        for page in 1...(ProductDraft.scanLimit / limit) {
            let query = ProductQuery(page: page, limit: limit).queryString + "&userId=" + Endpoints.encodeQueryValue(owner)
            switch call(Endpoints.products, query: query, token: token) {
            case .failure(let error): return .failure(error)
            case .success(let envelope):
                mine += envelope.data
                if page * limit >= envelope.pagination.total { return .success((mine, false)) }
            }
        }
        return .success((mine, true))
    }

    /// The stock of each product, one request per hundred ids (product answers
    /// carry their stock already; this is for those that came without).
    private func stock(_ ids: [String], token: String?) -> Result<[String: ProductStock], APIError> {
        var levels: [String: ProductStock] = [:]
        for (batch, query) in Endpoints.idListQueries("productIds", ids) {
            switch call(Endpoints.stockLevels, query: query, token: token) {
            case .success(let envelope):
                let found = Dictionary(envelope.data.map { ($0.productId, $0) }, uniquingKeysWith: { first, _ in first })
                for id in batch { levels[id] = ProductStock(found[id]) }
            case .failure(let error): return .failure(error)
            }
        }
        return .success(levels)
    }

    /// Products by id, a hundred a request; unknown ids are left out.
    private func products(_ ids: [String], token: String?) -> Result<[String: Product], APIError> {
        var found: [String: Product] = [:]
        for (_, query) in Endpoints.idListQueries("ids", ids) {
            switch call(Endpoints.products, query: "limit=\(InputRules.maximumStockBatch)&" + query, token: token) {
            case .success(let envelope): for product in envelope.data { found[product.id] = product }
            case .failure(let error): return .failure(error)
            }
        }
        return .success(found)
    }

    /// Calls one route of the table: its method and path (`:parameters` filled
    /// from `values`, in order), `query` after a `?`, `body` as JSON, and the
    /// reply decoded as the route's `Reply`. `answersWithBody`: failures whose
    /// body is still the route's reply (a declined checkout carries its ids).
    func call<Body, Reply>(_ endpoint: Endpoint<Body, Reply>, _ values: String..., query: String? = nil, body: Body? = nil,
                           token: String? = nil, headers extraHeaders: [String] = [],
                           answersWithBody: Set<ErrorCode> = []) -> Result<Reply, APIError> {
        let path = endpoint.path(values)
        var headers = ["Accept: application/json"] + extraHeaders
        var data: Data?
        if let body, !(body is NoBody) {
            headers.append("Content-Type: application/json")
            do { data = try Self.encoder.encode(body) } catch { return .failure(.badResponse("cannot encode the request: \(error)")) }
        }
        if let token { headers.append("Authorization: Bearer \(token)") }
        if let forwarded { headers.append("Forwarded: \(forwarded)") }
        var response: HTTPResponse
        var waited = false
        while true {
            counter?.add()
            do {
                response = try transport.send(method: endpoint.method.rawValue, url: baseURL + path + (query.map { "?" + $0 } ?? ""), body: data, headers: headers)
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
        return Self.decode(response, path: path, answersWithBody: answersWithBody)
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
