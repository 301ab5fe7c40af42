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
            guard reply.status == 200 else { throw reply.unexpected(from: client.service) }
            for product in try client.decode(reply, as: Endpoints.products).data { found[product.id] = ProductSnapshot(product) }
        }
        // An id the listing left out is asked for on its own before it counts as gone:
        // a cart line is removed on this answer.
        return found.merging(try await productsOneByOne(ids: listable.filter { found[$0] == nil }), uniquingKeysWith: { first, _ in first })
    }
}
