import Foundation
import MarketplaceAPI

/// One page of the catalogue as the browse screen asks for it.
public struct ProductQuery: Equatable, Sendable {
    public var page: Int
    public var limit: Int
    public var category: String?
    public var search: String?
    public var sort: ProductSort
    public var minPrice: Money?
    public var maxPrice: Money?

    public init(page: Int = 1, limit: Int = 20, category: String? = nil, search: String? = nil,
                sort: ProductSort = .newest, minPrice: Money? = nil, maxPrice: Money? = nil) {
        self.page = page
        self.limit = limit
        self.category = category
        self.search = search
        self.sort = sort
        self.minPrice = minPrice
        self.maxPrice = maxPrice
    }

    /// `page=1&limit=20&sort=newest&category=…`, values percent-encoded.
    public var queryString: String {
        var items = [("page", String(page)), ("limit", String(limit)), ("sort", sort.rawValue)]
        if let category { items.append(("category", category)) }
        if let search { items.append(("q", search)) }
        if let minPrice { items.append(("minPrice", minPrice.description)) }
        if let maxPrice { items.append(("maxPrice", maxPrice.description)) }
        return items.map { "\($0.0)=\(percentEncode($0.1))" }.joined(separator: "&")
    }
}

func percentEncode(_ text: String) -> String {
    let unreserved = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~".utf8)
    return text.utf8.map { unreserved.contains($0) ? String(UnicodeScalar($0)) : String(format: "%%%02X", $0) }.joined()
}

/// The questions the client asks the marketplace. StorefrontHTTP turns each
/// into an HTTP call; this module never does I/O.
public enum APIRequest: Equatable, Sendable {
    case health
    case login(email: String, password: String)
    case register(name: String, email: String, password: String, role: Role)
    case products(ProductQuery)
    case product(id: String)
    /// Stock of several products at once (the list's badges); one call per product.
    case stock(productIDs: [String])
    case cart
    case addToCart(productID: String, quantity: Int)
    /// No route sets a quantity, so this removes the line and adds it back with the new quantity.
    case setCartQuantity(productID: String, quantity: Int)
    case removeFromCart(productID: String)
    case clearCart
    case addresses
    /// `idempotencyKey` makes a retried checkout answer the first one's order instead of charging twice.
    case checkout(address: ShippingAddress, paymentMethod: String, idempotencyKey: String)
    case orders(page: Int)
    case order(id: String)
    /// One page of the low-stock list (`LowStockScreen.pageSize` rows).
    case lowStock(page: Int)
    /// Names for the low-stock list: one product lookup per id.
    case productsByID([String])
    case addStock(productID: String, quantity: Int)
    case profile
    case updateProfile(ProfileChange)
    case addAddress(AddressInput)
    /// Fields left nil stay as they are, so `AddressInput(isDefault: true)` only makes it the default.
    case updateAddress(id: String, AddressInput)
    case deleteAddress(id: String)
    /// The owner's products. No route filters by owner yet, so the client scans
    /// the newest `ProductDraft.scanLimit` products and keeps the owner's.
    case myProducts(ownerID: String)
    case createProduct(ProductDraft)
    case updateProduct(id: String, ProductDraft)
    case deleteProduct(id: String)
}

/// A product as the vendor's form sends it.
public struct ProductDraft: Equatable, Sendable {
    public var name: String
    public var description: String
    public var price: Money
    public var category: String
    public var images: [String]

    public static let scanLimit = 1000

    public init(name: String, description: String, price: Money, category: String, images: [String]) {
        self.name = name
        self.description = description
        self.price = price
        self.category = category
        self.images = images
    }
}

/// What the profile screen saves: absent fields stay as they are.
public struct ProfileChange: Equatable, Sendable {
    public var phone: String?
    public var newsletter: Bool?
    public var theme: String?
    public init(phone: String? = nil, newsletter: Bool? = nil, theme: String? = nil) {
        self.phone = phone
        self.newsletter = newsletter
        self.theme = theme
    }
}

public enum APIReply: Sendable {
    case health(Result<HealthStatus, APIError>)
    case loggedIn(Result<LoginResponse, APIError>)
    case registered(Result<UserSummary, APIError>)
    case products(Result<PageEnvelope<Product>, APIError>)
    case product(Result<Product, APIError>)
    /// Every id asked for; a product never stocked reads 0, low.
    case stock(Result<[String: ProductStock], APIError>)
    case cart(Result<Cart, APIError>)
    case addresses(Result<[Address], APIError>)
    /// Declined payments (`payment_declined`) and missing stock (`out_of_stock`)
    /// arrive as a response with `success` false, the order and transaction ids,
    /// shortages or the reason.
    case checkout(Result<CheckoutResponse, APIError>)
    case orders(Result<PageEnvelope<Order>, APIError>)
    case order(Result<Order, APIError>)
    case lowStock(Result<PageEnvelope<InventoryLevel>, APIError>)
    case productsByID(Result<[String: Product], APIError>)
    case stockAdded(Result<InventoryLevel, APIError>)
    case profile(Result<UserProfile, APIError>)
    case addressSaved(Result<Address, APIError>)
    /// The id of the deleted address.
    case addressDeleted(Result<String, APIError>)
    /// The products and whether the scan stopped before the end of the catalogue.
    case myProducts(Result<(products: [Product], truncated: Bool), APIError>)
    case productSaved(Result<Product, APIError>)
    case productDeleted(Result<String, APIError>)

    /// The failure, whatever the request was.
    public var error: APIError? {
        switch self {
        case .health(.failure(let e)), .loggedIn(.failure(let e)), .registered(.failure(let e)),
             .products(.failure(let e)), .product(.failure(let e)), .stock(.failure(let e)), .cart(.failure(let e)),
             .addresses(.failure(let e)), .checkout(.failure(let e)), .orders(.failure(let e)), .order(.failure(let e)),
             .lowStock(.failure(let e)), .productsByID(.failure(let e)), .stockAdded(.failure(let e)), .profile(.failure(let e)),
             .addressSaved(.failure(let e)), .addressDeleted(.failure(let e)),
             .myProducts(.failure(let e)), .productSaved(.failure(let e)), .productDeleted(.failure(let e)): e
        default: nil
        }
    }
}

/// Why a request failed, in words a shopper can act on.
public enum APIError: Error, Equatable, Sendable {
    /// Nothing answered: connection refused, unknown host, network down.
    case unreachable(server: String, reason: String)
    case timedOut(server: String, seconds: Int)
    /// The server answered with an error envelope, or with an error status whose
    /// code stands in for the envelope's (`ErrorCode.forStatus`).
    case server(code: ErrorCode, message: String, fieldErrors: [FieldError])
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

    /// What the server said went wrong; nil when it never answered or answered nonsense.
    public var code: ErrorCode? {
        if case .server(let code, _, _) = self { return code }
        return nil
    }

    /// True when the server could not be reached, or could not reach what it
    /// needs (a store, another service, a checkout still settling): worth a retry later.
    public var isConnectivity: Bool {
        switch self {
        case .unreachable, .timedOut: true
        case .server(let code, _, _): code == .unavailable || code == .checkoutInterrupted
        case .badResponse: false
        }
    }

    /// The server refused the token (expired, revoked, or signed by a secret it no
    /// longer uses): the client has to sign in again.
    public var endsSession: Bool { code == .tokenExpired || code == .unauthenticated }

    public var fieldErrors: [FieldError] {
        if case .server(_, _, let errors) = self { return errors }
        return []
    }

    /// Error text for the status row, with the retry key when retrying can help.
    public func statusText(retryKey: String) -> StatusText {
        StatusText(message + (isConnectivity ? " Press \(retryKey) to retry." : ""), role: .error)
    }
}

public extension Money {
    /// "$12.50": the shop's prices are in US dollars.
    var display: String { "$" + description }
}
