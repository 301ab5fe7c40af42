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
        case .products(let query):
            return .products(call("GET", "/api/products?" + query.queryString, token: token))
        case .product(let id):
            let result: Result<DataEnvelope<Product>, APIError> = call("GET", "/api/products/" + pathComponent(id), token: token)
            return .product(result.map(\.data))
        case .stock(let ids):
            return .stock(stock(ids, token: token))
        case .cart:
            return .cart(cartCall("GET", "/api/orders/cart", body: Optional<Empty>.none, token: token))
        case .addToCart(let productID, let quantity):
            return .cart(cartCall("POST", "/api/orders/cart/add", body: AddToCartRequest(productId: productID, quantity: quantity), token: token))
        case .setCartQuantity(let productID, let quantity):
            let removed = cartCall("DELETE", "/api/orders/cart/remove", body: RemoveFromCartRequest(productId: productID), token: token)
            guard case .success = removed, quantity > 0 else { return .cart(removed) }
            return .cart(cartCall("POST", "/api/orders/cart/add", body: AddToCartRequest(productId: productID, quantity: quantity), token: token))
        case .removeFromCart(let productID):
            return .cart(cartCall("DELETE", "/api/orders/cart/remove", body: RemoveFromCartRequest(productId: productID), token: token))
        case .clearCart:
            return .cart(cartCall("DELETE", "/api/orders/cart/clear", body: Optional<Empty>.none, token: token))
        case .addresses:
            let result: Result<DataEnvelope<[Address]>, APIError> = call("GET", "/api/users/addresses", token: token)
            return .addresses(result.map(\.data))
        case .checkout(let address, let method, let key):
            let body = CheckoutRequest(shippingAddress: ShippingAddressInput(street: address.street, city: address.city, zip: address.zip, country: address.country),
                                       paymentMethod: method)
            return .checkout(call("POST", "/api/checkout", body: body, token: token, extraHeaders: ["Idempotency-Key: \(key)"],
                                  answersWithBody: [402, 409]))
        case .orders(let page):
            return .orders(call("GET", "/api/orders?page=\(page)&limit=50", token: token))
        case .order(let id):
            let result: Result<DataEnvelope<Order>, APIError> = call("GET", "/api/orders/" + pathComponent(id), token: token)
            return .order(result.map(\.data))
        case .lowStock:
            return .lowStock(call("GET", "/api/inventory/status/low-stock?limit=200", token: token))
        case .productsByID(let ids):
            return .productsByID(products(ids, token: token))
        case .addStock(let productID, let quantity):
            let result: Result<DataEnvelope<InventoryLevel>, APIError> = call("POST", "/api/inventory/add",
                                                                              body: AddStockRequest(productId: productID, quantity: quantity), token: token)
            return .stockAdded(result.map(\.data))
        case .profile:
            let result: Result<DataEnvelope<UserProfile>, APIError> = call("GET", "/api/users/profile", token: token)
            return .profile(result.map(\.data))
        case .updateProfile(let change):
            let preferences = change.newsletter != nil || change.theme != nil
                ? ProfileUpdate.Preferences(newsletter: change.newsletter, theme: change.theme) : nil
            let result: Result<DataEnvelope<UserProfile>, APIError> = call("PUT", "/api/users/profile",
                                                                           body: ProfileUpdate(phone: change.phone, preferences: preferences), token: token)
            return .profile(result.map(\.data))
        case .addAddress(let draft):
            let result: Result<DataEnvelope<Address>, APIError> = call("POST", "/api/users/address", body: draft, token: token)
            return .addressSaved(result.map(\.data))
        case .updateAddress(let id, let draft):
            let result: Result<DataEnvelope<Address>, APIError> = call("PUT", "/api/users/address/" + pathComponent(id), body: draft, token: token)
            return .addressSaved(result.map(\.data))
        case .deleteAddress(let id):
            let result: Result<DataEnvelope<[String: String]>, APIError> = call("DELETE", "/api/users/address/" + pathComponent(id), token: token)
            return .addressDeleted(result.map { _ in id })
        case .myProducts(let owner):
            return .myProducts(myProducts(owner, token: token))
        case .createProduct(let draft):
            let result: Result<DataEnvelope<Product>, APIError> = call("POST", "/api/products", body: input(draft), token: token)
            return .productSaved(result.map(\.data))
        case .updateProduct(let id, let draft):
            let result: Result<DataEnvelope<Product>, APIError> = call("PUT", "/api/products/" + pathComponent(id), body: input(draft), token: token)
            return .productSaved(result.map(\.data))
        case .deleteProduct(let id):
            let result: Result<DataEnvelope<[String: String]>, APIError> = call("DELETE", "/api/products/" + pathComponent(id), token: token)
            return .productDeleted(result.map { _ in id })
        }
    }

    private func input(_ draft: ProductDraft) -> ProductInput {
        ProductInput(name: draft.name, description: draft.description, price: draft.price, category: draft.category, images: draft.images)
    }

    private func myProducts(_ owner: String, token: String?) -> Result<(products: [Product], truncated: Bool), APIError> {
        var mine: [Product] = []
        let limit = 100
        for page in 1...(ProductDraft.scanLimit / limit) {
            let result: Result<PageEnvelope<Product>, APIError> = call("GET", "/api/products?" + ProductQuery(page: page, limit: limit).queryString, token: token)
            switch result {
            case .failure(let error): return .failure(error)
            case .success(let envelope):
                mine += envelope.data.filter { $0.userId == owner }
                if page * limit >= envelope.pagination.total { return .success((mine, false)) }
            }
        }
        return .success((mine, true))
    }

    private func cartCall<Body: Encodable>(_ method: String, _ path: String, body: Body?, token: String?) -> Result<Cart, APIError> {
        let result: Result<DataEnvelope<Cart>, APIError> = call(method, path, body: body, token: token)
        return result.map(\.data)
    }

    /// The stock of each product, asked for in parallel; a product without a
    /// stock row (404) maps to nil, any other failure fails the whole answer.
    private func stock(_ ids: [String], token: String?) -> Result<[String: InventoryLevel?], APIError> {
        let results = LockedResults<Result<InventoryLevel, APIError>>(count: ids.count, empty: .failure(.badResponse("no answer")))
        DispatchQueue.concurrentPerform(iterations: ids.count) { index in
            let result: Result<DataEnvelope<InventoryLevel>, APIError> = call("GET", "/api/inventory/" + pathComponent(ids[index]), token: token)
            results.set(index, result.map(\.data))
        }
        var levels: [String: InventoryLevel?] = [:]
        for (index, id) in ids.enumerated() {
            switch results.get(index) {
            case .success(let level): levels[id] = level
            case .failure(.server(404, _, _)): levels[id] = .some(nil)
            case .failure(let error): return .failure(error)
            }
        }
        return .success(levels)
    }

    /// Products by id, fetched in parallel; unknown ids are left out.
    private func products(_ ids: [String], token: String?) -> Result<[String: Product], APIError> {
        let box = LockedResults<Result<Product, APIError>>(count: ids.count, empty: .failure(.badResponse("no answer")))
        DispatchQueue.concurrentPerform(iterations: ids.count) { index in
            let result: Result<DataEnvelope<Product>, APIError> = call("GET", "/api/products/" + pathComponent(ids[index]), token: token)
            box.set(index, result.map(\.data))
        }
        var found: [String: Product] = [:]
        for (index, id) in ids.enumerated() {
            switch box.get(index) {
            case .success(let product): found[id] = product
            case .failure(.server(404, _, _)), .failure(.server(400, _, _)): continue
            case .failure(let error): return .failure(error)
            }
        }
        return .success(found)
    }

    private func pathComponent(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? text
    }

    func call<Out: Decodable>(_ method: String, _ path: String, token: String?) -> Result<Out, APIError> {
        call(method, path, body: Optional<Empty>.none, token: token)
    }

    /// `answersWithBody`: error statuses whose body is still the expected answer
    /// (a declined checkout carries its order and transaction ids).
    func call<Body: Encodable, Out: Decodable>(_ method: String, _ path: String, body: Body?, token: String?,
                                               extraHeaders: [String] = [], answersWithBody: Set<Int> = []) -> Result<Out, APIError> {
        var headers = ["Accept: application/json"] + extraHeaders
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
        return Self.decode(response, path: path, answersWithBody: answersWithBody)
    }

    static func decode<Out: Decodable>(_ response: HTTPResponse, path: String, answersWithBody: Set<Int> = []) -> Result<Out, APIError> {
        if answersWithBody.contains(response.status), let answer = try? decoder.decode(Out.self, from: response.body) {
            return .success(answer)
        }
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

/// Answers of parallel calls, one slot per call.
private final class LockedResults<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Value]

    init(count: Int, empty: Value) { values = Array(repeating: empty, count: count) }

    func set(_ index: Int, _ value: Value) {
        lock.lock(); values[index] = value; lock.unlock()
    }

    func get(_ index: Int) -> Value {
        lock.lock(); defer { lock.unlock() }
        return values[index]
    }
}
