import MarketplaceAPI
import ServiceKit

/// The product service's catalog read over HTTP, for the inventory and order
/// services when they run in processes of their own.
public struct HTTPProductCatalog: ProductCatalog {
    let client: ServiceHTTPClient

    public init(client: ServiceHTTPClient) {
        self.client = client
    }

    public func product(id: String) async throws -> ProductSnapshot? {
        let reply = try await client.call(Endpoints.product, id, retry: .idempotent)
        if reply.status == 200 {
            let product = try client.decode(reply, as: Endpoints.product).data
            return ProductSnapshot(product)
        }
        switch reply.code {
        case .notFound?, .validationFailed?, .malformedRequest?: return nil
        default: throw reply.unexpected(from: client.service)
        }
    }

    /// One call for the lot (a checkout's price check): the listing with `ids`, which
    /// the product service answers from its store for a service caller.
    public func products(ids: [String]) async throws -> [String: ProductSnapshot] {
        let unique = Array(Set(ids)).sorted()
        let plain = unique.allSatisfy { id in
            InputRules.isQueryID(id) && id.utf8.allSatisfy { (48...57).contains($0) || (65...90).contains($0) || (97...122).contains($0) }
        }
        guard !unique.isEmpty, unique.count <= InputRules.maximumStockBatch, plain else {
            // Ids the listing would refuse or a query string would mangle: one call each.
            return try await productsOneByOne(ids: unique)
        }
        // `limit` too: a product service of an earlier version answers the listing as
        // shoppers get it, one page (and possibly from its cache).
        let reply = try await client.call(Endpoints.products, query: "ids=\(unique.joined(separator: ","))&limit=\(unique.count)",
                                          retry: .idempotent)
        guard reply.status == 200 else { throw reply.unexpected(from: client.service) }
        let products = try client.decode(reply, as: Endpoints.products).data
        let found = Dictionary(products.map { ($0.id, ProductSnapshot($0)) }, uniquingKeysWith: { first, _ in first })
        // An id the listing left out is asked for on its own before it counts as gone:
        // a cart line is removed on this answer.
        return found.merging(try await productsOneByOne(ids: unique.filter { found[$0] == nil }), uniquingKeysWith: { first, _ in first })
    }
}
