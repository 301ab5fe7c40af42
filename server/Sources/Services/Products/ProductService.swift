import Foundation
import HTTPTypes
import Hummingbird
import Logging
import MarketplaceAPI
import NIOCore
import ServiceKit

/// The catalog: public browsing served from a read cache, writes for vendors
/// (their own products) and admins (any product).
public struct ProductService: ProductCatalog {
    let repository: any ProductRepository
    let cache: ProductReadCache
    let stock: (any StockSource)?
    let logger: Logger

    /// `cacheTTL` bounds how long another instance's write can stay unseen here; zero
    /// disables the cache. Answers carry each product's stock from `stock`, as it was
    /// when the answer was composed: a change in stock shows within the cache's
    /// staleness (2 × `cacheTTL` at most).
    public init(repository: any ProductRepository, cacheTTL: Duration, stock: (any StockSource)? = nil,
                logger: Logger = Logger(label: "marketplace.products")) {
        self.repository = repository
        self.cache = ProductReadCache(ttl: cacheTTL)
        self.stock = stock
        self.logger = logger
    }

    /// A page of products as response bytes, and whether the cache answered.
    func page(_ query: ProductQuery) async throws -> (ByteBuffer, ProductReadCache.Source) {
        try await cache.body(for: query.cacheKey) { [repository, self] in
            let (products, total) = try await repository.list(query)
            return ProductJSON.page(await withStock(products), pagination: Pagination(page: query.page, limit: query.limit, total: total))
        }
    }

    func productBody(id: String) async throws -> (ByteBuffer, ProductReadCache.Source) {
        try await cache.body(for: "id=" + id) { [repository, self] in
            guard let product = try await repository.find(id: id) else { throw ProductError.notFound }
            return ProductJSON.single(await withStock([product])[0])
        }
    }

    /// The products with their stock, in one call to the inventory. Browsing goes on
    /// without it (no `stock` field) when the inventory does not answer.
    func withStock(_ products: [Product]) async -> [Product] {
        guard let stock, !products.isEmpty else { return products }
        do {
            let levels = try await stock.stock(of: products.map(\.id))
            return products.map { product in
                var product = product
                product.stock = levels[product.id] ?? ProductStock(nil)
                return product
            }
        } catch {
            logger.warning("product answer without stock: the inventory did not answer", metadata: ["error": .string(String(describing: error))])
            return products
        }
    }

    public func create(_ input: ProductInput, by user: SignedInUser) async throws -> Product {
        let new = try ProductRules.validateNew(input, ownerID: user.id.description)
        defer { cache.invalidate() }
        return try await repository.create(new)
    }

    public func update(id: String, _ input: ProductInput, by user: SignedInUser) async throws -> Product {
        let changes = try ProductRules.validateChanges(input)
        defer { cache.invalidate() }
        switch try await repository.update(id: id, changes, ownerID: Self.ownerRestriction(user)) {
        case .done(let product): return product
        case .notFound: throw ProductError.notFound
        case .notOwner: throw ProductError.notYours
        }
    }

    public func delete(id: String, by user: SignedInUser) async throws {
        defer { cache.invalidate() }
        switch try await repository.delete(id: id, ownerID: Self.ownerRestriction(user)) {
        case .done: return
        case .notFound: throw ProductError.notFound
        case .notOwner: throw ProductError.notYours
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
        return ProductSnapshot(product)
    }

    /// One store call for the lot (a checkout's price check), not one per product.
    public func products(ids: [String]) async throws -> [String: ProductSnapshot] {
        let found = try await repository.find(ids: ids)
        return Dictionary(found.map { ($0.id, ProductSnapshot($0)) },
                          uniquingKeysWith: { first, _ in first })
    }

    func storedProduct(id: String) async throws -> Product? {
        try await repository.find(id: id)
    }

    /// Admins change any product; vendors only their own.
    static func ownerRestriction(_ user: SignedInUser) -> String? {
        user.isAdmin ? nil : user.id.description
    }
}

/// What can go wrong with the catalog.
public enum ProductError: DomainError, Equatable {
    case invalid([FieldError])
    case nothingToUpdate
    case notFound
    case notYours

    /// The one place product errors become HTTP answers.
    public var appError: AppError {
        switch self {
        case .invalid(let errors): .validation(errors)
        case .nothingToUpdate: .invalid("Nothing to update: send at least one of name, description, price, category, images")
        case .notFound: .notFound("Product not found")
        case .notYours: .forbidden("Vendors can change only their own products")
        }
    }
}

/// The catalog's routes: browsing is public; writes need the vendor or admin role.
public struct ProductController: Sendable {
    let service: ProductService

    public init(service: ProductService) {
        self.service = service
    }

    public func addRoutes(to router: some RouterMethods<AppRequestContext>) {
        router.on(Endpoints.products) { request, context in
            let query = try ProductRules.parseQuery(Self.parameters(request))
            if case .service = context.caller, let ids = query.ids {
                // Other services price carts and orders from this answer (all of the ids
                // found, on one page): the store, never the cache.
                let found = try await service.repository.find(ids: ids)
                return Self.json(.ok, ProductJSON.page(found, pagination: Pagination(page: 1, limit: ids.count, total: found.count)))
            }
            let (body, source) = try await service.page(query)
            return Self.json(.ok, body, source: source)
        }
        router.on(Endpoints.product) { _, context in
            let id = try context.parameters.require("id")
            if case .service = context.caller {
                // Other services price carts and orders from this answer: the store, never the cache.
                guard let product = try await service.storedProduct(id: id) else { throw ProductError.notFound }
                return Self.json(.ok, ProductJSON.single(product))
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
