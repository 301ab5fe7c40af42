import Foundation
import MarketplaceAPI
import ServiceKit

/// Where and how each service runs. `marketplace serve` runs all of them in one
/// process; `marketplace serve --service NAME` runs one, which reaches the
/// others it needs over HTTP.
extension ServiceName {
    /// The port each listens on by default when it runs alone (the gateway takes 8080).
    public var defaultPort: Int {
        switch self {
        case .auth: 8081
        case .users: 8082
        case .products: 8083
        case .inventory: 8084
        case .orders: 8085
        case .payments: 8086
        case .checkout: 8087
        // The SSH service's HTTP port (health, readiness, metrics); shoppers reach it over SSH.
        case .ssh: 8088
        }
    }

    /// Whether the gateway routes requests to it (`/api/<name>`); the SSH service
    /// serves no route of the API, shoppers reach it over SSH.
    public var isBehindGateway: Bool { self != .ssh }

    /// The databases the service owns (PostgreSQL; users and products live in MongoDB).
    var postgresDatabases: [Database] {
        switch self {
        case .auth: [.auth]
        case .inventory: [.inventory]
        case .orders: [.orders]
        case .payments: [.payments]
        case .checkout: [.checkout]
        case .users, .products, .ssh: []
        }
    }

    /// The environment variable naming where the service answers, for the services that call it.
    public var urlVariable: String { "STOREFRONT_\(rawValue.uppercased())_URL" }

    /// Accepts the plan's names too: `user`, `product-service`, `order_service`, ...
    public init?(argument: String) {
        var name = argument.lowercased()
        for suffix in ["-service", "_service"] where name.hasSuffix(suffix) { name.removeLast(suffix.count) }
        if let exact = ServiceName(rawValue: name) {
            self = exact
        } else if let plural = ServiceName(rawValue: name + "s") {
            self = plural
        } else {
            return nil
        }
    }
}

/// Where the services this process does not run can be reached.
public struct PeerAddresses: Sendable {
    var urls: [ServiceName: String]

    public init(_ urls: [ServiceName: String] = [:]) {
        self.urls = urls
    }

    public func url(for service: ServiceName) -> String {
        urls[service] ?? "http://127.0.0.1:\(service.defaultPort)"
    }

    /// `STOREFRONT_PRODUCTS_URL`, `STOREFRONT_ORDERS_URL`, ... ; unset ones default to loopback and the default port.
    static func fromEnvironment(_ env: [String: String]) throws -> PeerAddresses {
        var peers = PeerAddresses()
        for service in ServiceName.allCases {
            guard let value = env[service.urlVariable], !value.isEmpty else { continue }
            guard let url = URL(string: value), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
                throw ConfigurationError("\(service.urlVariable) must be an http(s) URL such as http://127.0.0.1:\(service.defaultPort): \(value)")
            }
            peers.urls[service] = value
        }
        return peers
    }
}
