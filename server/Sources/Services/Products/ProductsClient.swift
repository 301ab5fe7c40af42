import MarketplaceAPI
import ServiceKit

/// What other services need to know about a product: its current name and price
/// (the only source of prices for carts and orders) and the vendor who owns it.
public struct ProductSnapshot: Sendable, Equatable {
    public var id: String
    public var name: String
    public var price: Money
    public var ownerID: String
    /// The owner's name, when the catalog knew it.
    public var ownerName: String?

    public init(id: String, name: String, price: Money, ownerID: String, ownerName: String? = nil) {
        self.id = id
        self.name = name
        self.price = price
        self.ownerID = ownerID
        self.ownerName = ownerName
    }

    public init(_ product: Product) {
        self.init(id: product.id, name: product.name, price: product.price, ownerID: product.userId, ownerName: product.vendorName)
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

/// The product service's catalog read over HTTP, for the inventory and order
/// services when they run in processes of their own.
public struct HTTPProductCatalog: ProductCatalog {
    let client: ServiceHTTPClient

    public init(client: ServiceHTTPClient) {
        self.client = client
    }

    public func product(id: String) async throws -> ProductSnapshot? {
        let reply = try await client.call(Endpoints.product, id, retry: .idempotent)
        switch reply.code {
        case .notFound?, .validationFailed?, .malformedRequest?: return nil
        default: return ProductSnapshot(try client.decode(reply, as: Endpoints.product).data)
        }
    }

    /// One call per hundred ids (a checkout's price check): the listing with `ids`,
    /// which the product service answers from its store for a service caller. Queries
    /// are built as the client builds them (`Endpoints.idListQueries`, percent-encoded).
    public func products(ids: [String]) async throws -> [String: ProductSnapshot] {
        let unique = Array(Set(ids)).sorted()
        // An id the listing would refuse (and with it the whole batch) is asked for on its own.
        let listable = unique.filter(InputRules.isQueryID)
        var found = try await productsOneByOne(ids: unique.filter { !InputRules.isQueryID($0) })
        for (batch, query) in Endpoints.idListQueries("ids", listable) {
            // `limit` too: a product service of an earlier version answers the listing as
            // shoppers get it, one page (and possibly from its cache).
            let reply = try await client.call(Endpoints.products, query: "limit=\(batch.count)&" + query, retry: .idempotent)
            for product in try client.decode(reply, as: Endpoints.products).data { found[product.id] = ProductSnapshot(product) }
        }
        // An id the listing left out is asked for on its own before it counts as gone:
        // a cart line is removed on this answer.
        return found.merging(try await productsOneByOne(ids: listable.filter { found[$0] == nil }), uniquingKeysWith: { first, _ in first })
    }
}
