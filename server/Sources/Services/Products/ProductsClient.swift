import MarketplaceAPI

/// What other services need to know about a product: its current name and price
/// (the only source of prices for carts and orders) and the vendor who owns it.
public struct ProductSnapshot: Sendable, Equatable {
    public var id: String
    public var name: String
    public var price: Money
    public var ownerID: String

    public init(id: String, name: String, price: Money, ownerID: String) {
        self.id = id
        self.name = name
        self.price = price
        self.ownerID = ownerID
    }

    public init(_ product: Product) {
        self.init(id: product.id, name: product.name, price: product.price, ownerID: product.userId)
    }
}

/// How the order and inventory services read the catalog. The product service
/// provides the in-process implementation; an HTTP one serves the split topology.
public protocol ProductCatalog: Sendable {
    /// nil when no product has this id (including malformed ids).
    func product(id: String) async throws -> ProductSnapshot?
    /// The products among `ids` that exist, by id.
    func products(ids: [String]) async throws -> [String: ProductSnapshot]
}

extension ProductCatalog {
    /// One read per id; the in-process catalog reads them all in one store call.
    public func products(ids: [String]) async throws -> [String: ProductSnapshot] {
        try await productsOneByOne(ids: ids)
    }

    /// The products among `ids` that exist, with one `product(id:)` each.
    public func productsOneByOne(ids: [String]) async throws -> [String: ProductSnapshot] {
        var found: [String: ProductSnapshot] = [:]
        for id in Set(ids) {
            if let product = try await product(id: id) { found[id] = product }
        }
        return found
    }
}

/// Where product answers get their stock: the inventory service, asked once per
/// answer for every product in it. In-process or over HTTP.
public protocol StockSource: Sendable {
    /// The stock of each id; ids never stocked read as 0, low.
    func stock(of productIDs: [String]) async throws -> [String: ProductStock]
}
