import Foundation
import HTTPTypes
import Hummingbird
import MarketplaceAPI
import NIOCore
import ServiceKit

/// The catalog: public browsing served from a read cache, writes for vendors
/// (their own products) and admins (any product).
public struct ProductService: ProductCatalog {
    let repository: any ProductRepository
    let cache: ProductReadCache

    /// `cacheTTL` bounds how long another instance's write can stay unseen here; zero disables the cache.
    public init(repository: any ProductRepository, cacheTTL: Duration) {
        self.repository = repository
        self.cache = ProductReadCache(ttl: cacheTTL)
    }

    /// A page of products as response bytes, and whether the cache answered.
    func page(_ query: ProductQuery) async throws -> (ByteBuffer, ProductReadCache.Source) {
        try await cache.body(for: query.cacheKey) { [repository] in
            let (products, total) = try await repository.list(query)
            return ProductJSON.page(products, pagination: Pagination(page: query.page, limit: query.limit, total: total))
        }
    }

    func productBody(id: String) async throws -> (ByteBuffer, ProductReadCache.Source) {
        try await cache.body(for: "id=" + id) { [repository] in
            guard let product = try await repository.find(id: id) else { throw Self.notFound }
            return ProductJSON.single(product)
        }
    }

    public func create(_ input: ProductInput, by user: (id: UUID, role: Role)) async throws -> Product {
        let new = try ProductRules.validateNew(input, ownerID: Self.key(user.id))
        defer { cache.invalidate() }
        return try await repository.create(new)
    }

    public func update(id: String, _ input: ProductInput, by user: (id: UUID, role: Role)) async throws -> Product {
        let changes = try ProductRules.validateChanges(input)
        defer { cache.invalidate() }
        switch try await repository.update(id: id, changes, ownerID: Self.ownerRestriction(user)) {
        case .done(let product): return product
        case .notFound: throw Self.notFound
        case .notOwner: throw Self.notYours
        }
    }

    public func delete(id: String, by user: (id: UUID, role: Role)) async throws {
        defer { cache.invalidate() }
        switch try await repository.delete(id: id, ownerID: Self.ownerRestriction(user)) {
        case .done: return
        case .notFound: throw Self.notFound
        case .notOwner: throw Self.notYours
        }
    }

    /// Seeding and tools: many products in one store call.
    public func createMany(_ products: [NewProduct]) async throws -> [Product] {
        defer { cache.invalidate() }
        return try await repository.create(products)
    }

    // MARK: ProductCatalog

    /// Read from the store, not the cache: carts and orders take prices from here.
    public func product(id: String) async throws -> ProductSnapshot? {
        guard let product = try await storedProduct(id: id) else { return nil }
        return ProductSnapshot(id: product.id, name: product.name, price: product.price, ownerID: product.userId)
    }

    func storedProduct(id: String) async throws -> Product? {
        try await repository.find(id: id)
    }

    static let notFound = AppError.notFound("Product not found")
    static let notYours = AppError.forbidden("Vendors can change only their own products")

    /// Admins change any product; vendors only their own.
    static func ownerRestriction(_ user: (id: UUID, role: Role)) -> String? {
        user.role == .admin ? nil : key(user.id)
    }

    static func key(_ id: UUID) -> String { id.uuidString.lowercased() }
}

/// `/api/products`: browsing is public; writes need the vendor or admin role.
public struct ProductController: Sendable {
    let service: ProductService
    static let sellers: Set<Role> = [.vendor, .admin]

    public init(service: ProductService) {
        self.service = service
    }

    public func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get { request, _ in
            let query = try ProductRules.parseQuery(Self.parameters(request))
            let (body, source) = try await service.page(query)
            return Self.json(.ok, body, source: source)
        }
        group.get(":id") { _, context in
            let id = try context.parameters.require("id")
            if case .service = context.caller {
                // Other services price carts and orders from this answer: the store, never the cache.
                guard let product = try await service.storedProduct(id: id) else { throw ProductService.notFound }
                return Self.json(.ok, ProductJSON.single(product))
            }
            let (body, source) = try await service.productBody(id: id)
            return Self.json(.ok, body, source: source)
        }
        group.post { request, context in
            let user = try context.requireRole(Self.sellers)
            let input = try await request.decodeJSON(ProductInput.self, context: context)
            let product = try await service.create(input, by: user)
            context.logger.info("product created", metadata: ["product_id": .string(product.id)])
            return Self.json(.created, ProductJSON.single(product, message: "Product created"))
        }
        group.put(":id") { request, context in
            let user = try context.requireRole(Self.sellers)
            let input = try await request.decodeJSON(ProductInput.self, context: context)
            let product = try await service.update(id: try context.parameters.require("id"), input, by: user)
            return Self.json(.ok, ProductJSON.single(product, message: "Product updated"))
        }
        group.delete(":id") { _, context in
            let user = try context.requireRole(Self.sellers)
            let id = try context.parameters.require("id")
            try await service.delete(id: id, by: user)
            return try JSONBody.data(.ok, message: "Product deleted", ["id": id])
        }
    }

    /// Query parameters with percent-decoded names, in the order sent.
    static func parameters(_ request: Request) -> [(key: String, value: String)] {
        request.uri.queryParameters.map { (key: String($0.key).removingPercentEncoding ?? String($0.key), value: String($0.value)) }
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
