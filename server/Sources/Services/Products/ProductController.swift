import HTTPTypes
import Hummingbird
import MarketplaceAPI
import NIOCore
import ServiceKit

/// The catalog's routes: browsing is public; writes need the vendor or admin role.
public enum ProductController {
    public static func addRoutes(for service: ProductService, to router: some RouterMethods<AppRequestContext>) {
        router.on(Endpoints.products) { request, context in
            let query = try ProductRules.parseQuery(Self.parameters(request))
            if case .service = context.caller, let ids = query.ids {
                // Other services price carts and orders from this answer (all of the ids
                // found, on one page): the store, never the cache.
                let found = await service.withVendorNames(try await service.repository.find(ids: ids))
                return Self.json(.ok, ProductJSON.page(found, pagination: Pagination(page: 1, limit: ids.count, total: found.count)))
            }
            let (body, source) = try await service.page(query)
            return Self.json(.ok, body, source: source)
        }
        router.on(Endpoints.categories) { _, _ in
            let (body, source) = try await service.categoriesBody()
            return Self.json(.ok, body, source: source)
        }
        router.on(Endpoints.product) { _, context in
            let id = try context.parameters.require("id")
            if case .service = context.caller {
                // Other services price cart lines and check stock changes from this answer:
                // the snapshot cache (no stock, emptied by every write here), never the
                // shoppers' answers. Orders are priced from the listing by ids, from the store.
                return Self.json(.ok, try await service.snapshotBody(id: id))
            }
            let (body, source) = try await service.productBody(id: id)
            return Self.json(.ok, body, source: source)
        }
        router.on(Endpoints.createProduct) { _, context, input in
            let user = try context.requireUser()
            let product = try await service.create(input, by: user)
            context.logger.info("product created", metadata: ["product_id": .string(product.id)])
            return Self.json(.created, ProductJSON.single(product, message: "Product created"))
        }
        router.on(Endpoints.updateProduct) { _, context, input in
            let user = try context.requireUser()
            let product = try await service.update(id: try context.parameters.require("id"), input, by: user)
            return Self.json(.ok, ProductJSON.single(product, message: "Product updated"))
        }
        router.on(Endpoints.deleteProduct) { _, context in
            let user = try context.requireUser()
            let id = try context.parameters.require("id")
            try await service.delete(id: id, by: user)
            return try JSONBody.data(.ok, message: "Product deleted", ["id": id])
        }
    }

    /// Query parameters with percent-decoded names, in the order sent.
    /// Read from the raw query as forms send it: `+` is a space, then percent-escapes.
    static func parameters(_ request: Request) -> [(key: String, value: String)] {
        QueryString.pairs(request.uri.query)
    }

    static func json(_ status: HTTPResponse.Status, _ body: ByteBuffer, source: ProductReadCache.Source? = nil) -> Response {
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]
        if let source { headers[.cacheStatus] = source.rawValue }
        return Response(status: status, headers: headers, body: .init(byteBuffer: body))
    }
}

extension HTTPField.Name {
    /// `X-Cache: hit|miss` on catalog reads, for operators and tests.
    static let cacheStatus = Self("X-Cache")!
}
