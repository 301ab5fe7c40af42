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
            return ProductSnapshot(id: product.id, name: product.name, price: product.price, ownerID: product.userId)
        }
        switch reply.code {
        case .notFound?, .validationFailed?, .malformedRequest?: return nil
        default: throw reply.unexpected(from: client.service)
        }
    }
}
