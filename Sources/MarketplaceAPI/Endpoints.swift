import Foundation

// Every route of the marketplace, declared once: its method, its path, what it
// takes, what it answers and who may call it. The terminal client, the
// services' HTTP clients, the server's router and the OpenAPI test all read
// this table, so a path is written nowhere else.

public enum HTTPVerb: String, Sendable, Hashable, CaseIterable {
    case GET, POST, PUT, DELETE
}

/// Who may call a route. The server's router enforces it before the handler runs.
public enum Access: Sendable, Hashable {
    /// Public; a token, if sent, is read (registering an admin needs an admin's).
    case anyone
    /// Any signed-in account.
    case user
    /// A signed-in account holding one of these roles.
    case roles(Set<Role>)
    /// Only these services of the marketplace, each with its own credential
    /// (least privilege: any other service's credential is refused with 403).
    case service(Set<ServiceName>)
    /// A signed-in account, or one of these services (the service decides what each may see).
    case userOrService(Set<ServiceName>)
    /// Scrapers on the same machine, or another service.
    case localOrService
}

/// The services of the marketplace, as `marketplace serve --service` and a
/// service credential (its `sub`) name them.
public enum ServiceName: String, CaseIterable, Sendable, Hashable, Comparable {
    case auth, users, products, inventory, orders, payments, checkout
    /// The SSH front door: runs the terminal client for each SSH session, signing
    /// in the account whose key connected (it serves no HTTP route of its own).
    case ssh

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// A request without a body.
public struct NoBody: Codable, Sendable, Equatable {
    public init() {}
}

/// A reply that is not JSON (Prometheus text).
public struct PlainText: Codable, Sendable {}

/// A successful `DELETE` answers `{"success": true, "message": ..., "data": {"id": ...}}`.
public typealias Deleted = DataEnvelope<[String: String]>

/// One route. `Body` is what the caller sends (``NoBody`` for none), `Reply`
/// what a successful call answers.
public struct Endpoint<Body: Codable & Sendable, Reply: Codable & Sendable>: Sendable {
    /// The OpenAPI `operationId`.
    public let name: String
    public let method: HTTPVerb
    /// With `:name` for each path parameter, e.g. `/api/orders/:id/status`.
    public let template: String
    public let access: Access

    public init(_ name: String, _ method: HTTPVerb, _ template: String, _ access: Access) {
        self.name = name
        self.method = method
        self.template = template
        self.access = access
    }

    /// The path with each `:parameter` replaced, in order, by a percent-encoded value.
    public func path(_ values: String...) -> String { path(values) }

    public func path(_ values: [String]) -> String {
        var remaining = values[...]
        let segments = template.split(separator: "/", omittingEmptySubsequences: false).map { segment -> String in
            guard segment.hasPrefix(":") else { return String(segment) }
            precondition(!remaining.isEmpty, "\(template) needs a value for \(segment)")
            return Endpoints.encodePathSegment(remaining.removeFirst())
        }
        precondition(remaining.isEmpty, "\(template) takes \(values.count - remaining.count) values, not \(values.count)")
        return segments.joined(separator: "/")
    }

    /// The route without its types, for tables and checks.
    public var route: Route { Route(name: name, method: method, template: template, access: access) }
}

/// An endpoint without its types.
public struct Route: Sendable, Hashable, CustomStringConvertible {
    public let name: String
    public let method: HTTPVerb
    public let template: String
    public let access: Access

    /// The names of its path parameters, in order.
    public var parameters: [String] {
        template.split(separator: "/").filter { $0.hasPrefix(":") }.map { String($0.dropFirst()) }
    }

    /// `GET /api/orders/{id}`, as OpenAPI writes it.
    public var openAPIKey: String {
        method.rawValue + " " + template.split(separator: "/", omittingEmptySubsequences: false).map { segment in
            segment.hasPrefix(":") ? "{" + segment.dropFirst() + "}" : String(segment)
        }.joined(separator: "/")
    }

    public var description: String { method.rawValue + " " + template }
}

public enum Endpoints {
    // Operations of every process.
    public static let health = Endpoint<NoBody, HealthStatus>("health", .GET, "/health", .anyone)
    public static let ready = Endpoint<NoBody, HealthStatus>("ready", .GET, "/ready", .anyone)
    public static let metrics = Endpoint<NoBody, PlainText>("metrics", .GET, "/metrics", .localOrService)

    // Auth.
    public static let register = Endpoint<RegisterRequest, DataEnvelope<UserSummary>>("register", .POST, "/api/auth/register", .anyone)
    public static let login = Endpoint<LoginRequest, LoginResponse>("login", .POST, "/api/auth/login", .anyone)
    /// The SSH service signs in the account a key belongs to: the answer is a login's, without a password.
    public static let sshSession = Endpoint<SSHSessionRequest, LoginResponse>("createSSHSession", .POST, "/api/auth/ssh-session", .service([.ssh]))

    // Users: the signed-in user's profile and addresses.
    public static let profile = Endpoint<NoBody, DataEnvelope<UserProfile>>("getProfile", .GET, "/api/users/profile", .user)
    public static let updateProfile = Endpoint<ProfileUpdate, DataEnvelope<UserProfile>>("updateProfile", .PUT, "/api/users/profile", .user)
    public static let addresses = Endpoint<NoBody, DataEnvelope<[Address]>>("listAddresses", .GET, "/api/users/addresses", .user)
    public static let addAddress = Endpoint<AddressInput, DataEnvelope<Address>>("addAddress", .POST, "/api/users/address", .user)
    public static let updateAddress = Endpoint<AddressInput, DataEnvelope<Address>>("updateAddress", .PUT, "/api/users/address/:id", .user)
    public static let deleteAddress = Endpoint<NoBody, Deleted>("deleteAddress", .DELETE, "/api/users/address/:id", .user)
    // Users: the signed-in user's SSH keys, and whose a key is (the SSH service).
    public static let sshKeys = Endpoint<NoBody, DataEnvelope<[SSHKey]>>("listSSHKeys", .GET, "/api/users/ssh-keys", .user)
    public static let addSSHKey = Endpoint<AddSSHKeyRequest, DataEnvelope<SSHKey>>("addSSHKey", .POST, "/api/users/ssh-keys", .user)
    /// `:fingerprint` as `SSHFingerprint.normalized` reads it: `SHA256:...` percent-encoded, or its URL-safe spelling.
    public static let deleteSSHKey = Endpoint<NoBody, Deleted>("deleteSSHKey", .DELETE, "/api/users/ssh-keys/:fingerprint", .user)
    /// `?fingerprint=SHA256:...`: the account holding the key; records that the key was used.
    public static let sshKeyAccount = Endpoint<NoBody, DataEnvelope<SSHKeyAccount>>("getSSHKeyAccount", .GET, "/api/users/ssh-keys/account", .service([.ssh]))

    // Products.
    public static let products = Endpoint<NoBody, PageEnvelope<Product>>("listProducts", .GET, "/api/products", .anyone)
    public static let createProduct = Endpoint<ProductInput, DataEnvelope<Product>>("createProduct", .POST, "/api/products", .roles([.vendor, .admin]))
    public static let product = Endpoint<NoBody, DataEnvelope<Product>>("getProduct", .GET, "/api/products/:id", .anyone)
    public static let updateProduct = Endpoint<ProductInput, DataEnvelope<Product>>("updateProduct", .PUT, "/api/products/:id", .roles([.vendor, .admin]))
    public static let deleteProduct = Endpoint<NoBody, Deleted>("deleteProduct", .DELETE, "/api/products/:id", .roles([.vendor, .admin]))

    // Inventory.
    public static let lowStock = Endpoint<NoBody, PageEnvelope<InventoryLevel>>("listLowStock", .GET, "/api/inventory/status/low-stock", .anyone)
    public static let stockLevel = Endpoint<NoBody, DataEnvelope<InventoryLevel>>("getStockLevel", .GET, "/api/inventory/:productId", .anyone)
    /// `?productIds=a,b,c` (at most `InputRules.maximumStockBatch`): the levels of those that are stocked.
    public static let stockLevels = Endpoint<NoBody, DataEnvelope<[InventoryLevel]>>("listStockLevels", .GET, "/api/inventory", .anyone)
    public static let addStock = Endpoint<AddStockRequest, DataEnvelope<InventoryLevel>>("addStock", .POST, "/api/inventory/add", .roles([.vendor, .admin]))
    public static let reserveStock = Endpoint<ReserveStockRequest, DataEnvelope<StockReservation>>("reserveStock", .POST, "/api/inventory/reserve", .service([.checkout]))
    public static let releaseStock = Endpoint<ReleaseStockRequest, DataEnvelope<StockRelease>>("releaseStock", .POST, "/api/inventory/release", .service([.checkout]))

    // Carts and orders.
    public static let cart = Endpoint<NoBody, DataEnvelope<Cart>>("getCart", .GET, "/api/orders/cart", .user)
    public static let addToCart = Endpoint<AddToCartRequest, DataEnvelope<Cart>>("addToCart", .POST, "/api/orders/cart/add", .user)
    public static let removeFromCart = Endpoint<RemoveFromCartRequest, DataEnvelope<Cart>>("removeFromCart", .DELETE, "/api/orders/cart/remove", .user)
    public static let clearCart = Endpoint<NoBody, DataEnvelope<Cart>>("clearCart", .DELETE, "/api/orders/cart/clear", .user)
    public static let orders = Endpoint<NoBody, PageEnvelope<Order>>("listOrders", .GET, "/api/orders", .user)
    public static let createOrder = Endpoint<CreateOrderRequest, DataEnvelope<Order>>("createOrder", .POST, "/api/orders", .service([.checkout]))
    public static let order = Endpoint<NoBody, DataEnvelope<Order>>("getOrder", .GET, "/api/orders/:id", .userOrService([.checkout, .payments]))
    public static let setOrderStatus = Endpoint<UpdateOrderStatusRequest, DataEnvelope<Order>>("setOrderStatus", .PUT, "/api/orders/:id/status", .service([.checkout]))
    public static let restoreCart = Endpoint<NoBody, DataEnvelope<Cart>>("restoreCart", .POST, "/api/orders/:id/restore-cart", .service([.checkout]))
    /// Served by the checkout service, which holds the calls a cancellation makes (refund, release, status).
    public static let cancelOrder = Endpoint<NoBody, DataEnvelope<Order>>("cancelOrder", .POST, "/api/orders/:id/cancel", .user)
    /// `?status=&page=&limit=`: a vendor's orders (their lines and part), or every order for an admin; newest first.
    public static let fulfilment = Endpoint<NoBody, PageEnvelope<FulfilmentOrder>>("listFulfilment", .GET, "/api/orders/fulfilment", .roles([.vendor, .admin]))
    public static let shipOrder = Endpoint<ShipOrderRequest, DataEnvelope<FulfilmentOrder>>("shipOrder", .POST, "/api/orders/:id/shipments/ship", .roles([.vendor, .admin]))
    public static let deliverOrder = Endpoint<DeliverOrderRequest, DataEnvelope<FulfilmentOrder>>("deliverOrder", .POST, "/api/orders/:id/shipments/deliver", .roles([.vendor, .admin]))

    // Payments.
    public static let createPayment = Endpoint<PaymentRequest, DataEnvelope<PaymentTransaction>>("createPayment", .POST, "/api/payments", .userOrService([.checkout]))
    public static let payment = Endpoint<NoBody, DataEnvelope<PaymentTransaction>>("getPayment", .GET, "/api/payments/:transactionId", .userOrService([.checkout]))
    public static let refundPayments = Endpoint<RefundRequest, DataEnvelope<[PaymentTransaction]>>("refundPayments", .POST, "/api/payments/refund", .service([.checkout]))

    // Checkout.
    public static let checkout = Endpoint<CheckoutRequest, CheckoutResponse>("checkout", .POST, "/api/checkout", .user)

    /// Every route, in the order above.
    public static let all: [Route] = [
        health.route, ready.route, metrics.route,
        register.route, login.route, sshSession.route,
        profile.route, updateProfile.route, addresses.route, addAddress.route, updateAddress.route, deleteAddress.route,
        sshKeys.route, addSSHKey.route, deleteSSHKey.route, sshKeyAccount.route,
        products.route, createProduct.route, product.route, updateProduct.route, deleteProduct.route,
        lowStock.route, stockLevel.route, stockLevels.route, addStock.route, reserveStock.route, releaseStock.route,
        cart.route, addToCart.route, removeFromCart.route, clearCart.route,
        orders.route, createOrder.route, order.route, setOrderStatus.route, restoreCart.route, cancelOrder.route,
        fulfilment.route, shipOrder.route, deliverOrder.route,
        createPayment.route, payment.route, refundPayments.route,
        checkout.route,
    ]

    /// The methods the table declares for a concrete path (`/api/orders/abc` matches
    /// `/api/orders/:id`), for a 405's `Allow`; empty when no route has this path.
    public static func methods(forPath path: String) -> [HTTPVerb] {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        let methods = all.filter { route in
            let template = route.template.split(separator: "/", omittingEmptySubsequences: false)
            guard template.count == segments.count else { return false }
            return zip(template, segments).allSatisfy { pattern, segment in
                pattern.hasPrefix(":") ? !segment.isEmpty : pattern == segment
            }
        }.map(\.method)
        return HTTPVerb.allCases.filter(methods.contains)
    }

    /// `name=a,b,c` queries naming `ids`, `InputRules.maximumStockBatch` at most each
    /// (the most one request may name), with each batch's ids: how the client and the
    /// services ask for many products' stock or records.
    public static func idListQueries(_ name: String, _ ids: [String]) -> [(ids: ArraySlice<String>, query: String)] {
        stride(from: 0, to: ids.count, by: InputRules.maximumStockBatch).map { start in
            let batch = ids[start..<min(ids.count, start + InputRules.maximumStockBatch)]
            return (batch, name + "=" + batch.map(encodeQueryValue).joined(separator: ","))
        }
    }

    /// A query value percent-encoded so that only unreserved characters stay as they are.
    public static func encodeQueryValue(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }

    static func encodePathSegment(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }

    private static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
}
