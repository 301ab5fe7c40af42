import MarketplaceAPI

// The requests that take more than one call, or a call whose answer is read into
// something else, each in one place. Every other request is one route of
// `Endpoints`, written where it is sent (`.call` / `.data`).

public extension Request where Reply == Cart {
    /// No route sets a quantity: the line is removed, then added back with the new
    /// quantity (not at all for 0). A failed removal is the answer.
    static func setCartQuantity(productID: String, quantity: Int) -> Request<Cart> {
        let remove = Request.data(Endpoints.removeFromCart, body: RemoveFromCartRequest(productId: productID))
        let add = Request.data(Endpoints.addToCart, body: AddToCartRequest(productId: productID, quantity: quantity))
        return Request(.compound("setCartQuantity", [productID, String(quantity)])) { transport, token in
            let removed = transport.perform(remove, token: token)
            guard case .success = removed, quantity > 0 else { return removed }
            return transport.perform(add, token: token)
        }
    }
}

public extension Request where Reply == [String: ProductStock] {
    /// The stock of each product, one call per `InputRules.maximumStockBatch` ids
    /// (product answers carry their stock already; this is for those that came
    /// without). Every id asked for is in the answer: one never stocked reads 0, low.
    static func stock(_ productIDs: [String]) -> Request<[String: ProductStock]> {
        Request(.compound("stock", productIDs)) { transport, token in
            var levels: [String: ProductStock] = [:]
            for (batch, query) in Endpoints.idListQueries("productIds", productIDs) {
                switch transport.perform(.data(Endpoints.stockLevels, query: query), token: token) {
                case .success(let found):
                    let byID = Dictionary(found.map { ($0.productId, $0) }, uniquingKeysWith: { first, _ in first })
                    for id in batch { levels[id] = ProductStock(byID[id]) }
                case .failure(let error): return .failure(error)
                }
            }
            return .success(levels)
        }
    }
}

public extension Request where Reply == [String: Product] {
    /// Products by id (the names of the low-stock list), one call per
    /// `InputRules.maximumStockBatch` ids; unknown ids are left out.
    static func productsByID(_ ids: [String]) -> Request<[String: Product]> {
        Request(.compound("productsByID", ids)) { transport, token in
            var found: [String: Product] = [:]
            for (_, query) in Endpoints.idListQueries("ids", ids) {
                switch transport.perform(.call(Endpoints.products, query: "limit=\(InputRules.maximumStockBatch)&" + query), token: token) {
                case .success(let page): for product in page.data { found[product.id] = product }
                case .failure(let error): return .failure(error)
                }
            }
            return .success(found)
        }
    }
}

/// A vendor's own products, newest first.
public struct VendorProducts: Sendable {
    public var products: [Product]
    /// The vendor has more than `VendorProducts.most` products: the oldest are not listed.
    public var truncated: Bool

    /// The most listed, read a hundred a call.
    public static let most = 1000
    static let perCall = 100

    public init(products: [Product], truncated: Bool) {
        self.products = products
        self.truncated = truncated
    }
}

public extension Request where Reply == VendorProducts {
    /// The owner's products: the catalogue filtered by owner (`userId`), page after page.
    static func myProducts(ownerID: String) -> Request<VendorProducts> {
        Request(.compound("myProducts", [ownerID])) { transport, token in
            var mine: [Product] = []
            let limit = VendorProducts.perCall
            for page in 1...(VendorProducts.most / limit) {
                let query = ProductQuery(page: page, limit: limit, ownerID: ownerID).queryString
                switch transport.perform(.call(Endpoints.products, query: query), token: token) {
                case .failure(let error): return .failure(error)
                case .success(let envelope):
                    mine += envelope.data
                    if page * limit >= envelope.pagination.total { return .success(VendorProducts(products: mine, truncated: false)) }
                }
            }
            return .success(VendorProducts(products: mine, truncated: true))
        }
    }
}
