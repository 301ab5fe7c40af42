import Foundation
import MarketplaceAPI

/// One page of the catalogue (`GET /api/products`), as the browse screen asks for it.
public struct ProductQuery: Equatable, Sendable {
    public var page: Int
    public var limit: Int
    public var category: String?
    public var search: String?
    public var sort: ProductSort
    public var minPrice: Money?
    public var maxPrice: Money?
    /// Only this account's products (a vendor's own list).
    public var ownerID: String?

    public init(page: Int = 1, limit: Int = 20, category: String? = nil, search: String? = nil,
                sort: ProductSort = .newest, minPrice: Money? = nil, maxPrice: Money? = nil, ownerID: String? = nil) {
        self.page = page
        self.limit = limit
        self.category = category
        self.search = search
        self.sort = sort
        self.minPrice = minPrice
        self.maxPrice = maxPrice
        self.ownerID = ownerID
    }

    /// `page=1&limit=20&sort=newest&category=…`, values percent-encoded.
    public var queryString: String {
        var items = [("page", String(page)), ("limit", String(limit)), ("sort", sort.rawValue)]
        if let category { items.append(("category", category)) }
        if let search { items.append(("q", search)) }
        if let minPrice { items.append(("minPrice", minPrice.description)) }
        if let maxPrice { items.append(("maxPrice", maxPrice.description)) }
        if let ownerID { items.append(("userId", ownerID)) }
        return items.map { "\($0.0)=\(Endpoints.encodeQueryValue($0.1))" }.joined(separator: "&")
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

    /// `display` when it fits in `width` columns; otherwise abbreviated in
    /// thousands, millions, billions or trillions with as many decimals as fit,
    /// rounded down so a column never shows more than the amount: "$99.99M"
    /// for $99,999,999.99 in a column of 10. The exact amount stays on the
    /// product, the cart's total and the order's detail.
    func display(fitting width: Int) -> String {
        let full = display
        if full.count <= width { return full }
        let units: [(scale: Decimal, suffix: String)] = [(1_000, "K"), (1_000_000, "M"), (1_000_000_000, "B"), (1_000_000_000_000, "T")]
        for (index, unit) in units.enumerated() {
            var scaled = amount / unit.scale
            // The smallest unit that leaves at most three whole digits (the largest unit takes any).
            guard scaled < 1000 || index == units.count - 1 else { continue }
            for decimals in [2, 1, 0] {
                var rounded = Decimal()
                NSDecimalRound(&rounded, &scaled, decimals, .down)
                let text = "$" + rounded.description + unit.suffix
                if text.count <= width { return text }
            }
            break
        }
        // Narrower than any abbreviation ("$999K" needs 5): as much as fits, marked cut.
        return String(full.prefix(max(0, width - 1))) + "…"
    }
}
