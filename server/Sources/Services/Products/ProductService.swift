import Foundation
import Logging
import MarketplaceAPI
import NIOCore
import ServiceKit

/// The catalog: public browsing served from a read cache, writes for vendors
/// (their own products) and admins (any product).
public struct ProductService: ProductCatalog {
    let repository: any ProductRepository
    let cache: ProductReadCache
    /// What carts and stock are checked against: each product as other services read
    /// it (no stock, which changes without the catalog knowing), kept apart from the
    /// answers shoppers see so a service's read never fixes a stock figure in them.
    let snapshots: ProductReadCache
    let stock: (any StockSource)?
    let vendorNames: VendorNameCache?
    let logger: Logger

    /// `cacheTTL` bounds how long another instance's write can stay unseen here; zero
    /// disables the cache. Answers carry each product's stock from `stock`, as it was
    /// when the answer was composed: a change in stock shows within the cache's
    /// staleness (2 × `cacheTTL` at most). They carry their owner's name from
    /// `accounts`, each name asked once per `namesTTL`.
    public init(repository: any ProductRepository, cacheTTL: Duration, stock: (any StockSource)? = nil,
                accounts: (any AccountNames)? = nil, namesTTL: Duration = .seconds(600),
                logger: Logger = Logger(label: "marketplace.products")) {
        self.repository = repository
        self.cache = ProductReadCache(ttl: cacheTTL)
        self.snapshots = ProductReadCache(ttl: cacheTTL)
        self.stock = stock
        self.vendorNames = accounts.map { VendorNameCache(source: $0, ttl: namesTTL) }
        self.logger = logger
    }

    /// A page of products as response bytes, and whether the cache answered.
    func page(_ query: ProductQuery) async throws -> (ByteBuffer, ProductReadCache.Source) {
        try await cache.body(for: query.cacheKey) { [repository, self] in
            let (products, total) = try await repository.list(query)
            return ProductJSON.page(await composed(products), pagination: Pagination(page: query.page, limit: query.limit, total: total))
        }
    }

    /// Every category with its count, from the read cache like pages (a write empties it).
    func categoriesBody() async throws -> (ByteBuffer, ProductReadCache.Source) {
        try await cache.body(for: "categories") { [repository] in
            let data = try JSONBody.encoder.encode(DataEnvelope(data: try await repository.categories()))
            return ByteBuffer(bytes: data)
        }
    }

    func productBody(id: String) async throws -> (ByteBuffer, ProductReadCache.Source) {
        try await cache.body(for: "id=" + id) { [repository, self] in
            guard let product = try await repository.find(id: id) else { throw ProductError.notFound }
            return ProductJSON.single(await composed([product])[0])
        }
    }

    /// The products as answers show them: with their stock and their owner's name.
    func composed(_ products: [Product]) async -> [Product] {
        await withVendorNames(await withStock(products))
    }

    /// The products with their owner's name. Browsing goes on without it (no
    /// `vendorName` field) when the accounts do not answer.
    func withVendorNames(_ products: [Product]) async -> [Product] {
        guard let vendorNames, !products.isEmpty else { return products }
        do {
            let names = try await vendorNames.names(of: Set(products.map(\.userId)))
            return products.map { product in
                var product = product
                product.vendorName = names[product.userId]
                return product
            }
        } catch {
            logger.warning("product answer without vendor names: the accounts did not answer", metadata: ["error": .string(String(describing: error))])
            return products
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
        defer { invalidateCaches() }
        return await withVendorNames([try await repository.create(new)])[0]
    }

    public func update(id: String, _ input: ProductInput, by user: SignedInUser) async throws -> Product {
        let changes = try ProductRules.validateChanges(input)
        defer { invalidateCaches() }
        switch try await repository.update(id: id, changes, ownerID: Self.ownerRestriction(user)) {
        case .done(let product): return await withVendorNames([product])[0]
        case .notFound: throw ProductError.notFound
        case .notOwner: throw ProductError.notYours
        }
    }

    public func delete(id: String, by user: SignedInUser) async throws {
        defer { invalidateCaches() }
        switch try await repository.delete(id: id, ownerID: Self.ownerRestriction(user)) {
        case .done: return
        case .notFound: throw ProductError.notFound
        case .notOwner: throw ProductError.notYours
        }
    }

    /// Seeding and tools: many products in one store call.
    public func createMany(_ products: [NewProduct]) async throws -> [Product] {
        defer { invalidateCaches() }
        return try await repository.create(products)
    }

    // MARK: ProductCatalog

    /// A product as other services read it (a cart line's name and price, the owner
    /// a stock change is checked against), through the snapshot cache. On one instance
    /// every write empties it, so this is the store's product; across instances it may
    /// lag by the cache's staleness, which the checkout's price check (`products(ids:)`,
    /// from the store) catches before anything is charged.
    public func product(id: String) async throws -> ProductSnapshot? {
        do {
            let body = try await snapshotBody(id: id)
            return ProductSnapshot(try JSONBody.decoder.decode(DataEnvelope<Product>.self, from: body).data)
        } catch ProductError.notFound {
            return nil
        }
    }

    /// The detail answer for another service: owner's name, no stock.
    func snapshotBody(id: String) async throws -> ByteBuffer {
        try await snapshots.body(for: id) { [repository, self] in
            guard let product = try await repository.find(id: id) else { throw ProductError.notFound }
            return ProductJSON.single(await withVendorNames([product])[0])
        }.0
    }

    /// After a write the store has accepted: the next read of anything goes to the store.
    func invalidateCaches() {
        cache.invalidate()
        snapshots.invalidate()
    }

    /// One store call for the lot (a checkout's price check), not one per product.
    /// Always the store, never the cache: the order is made at these prices.
    public func products(ids: [String]) async throws -> [String: ProductSnapshot] {
        let found = await withVendorNames(try await repository.find(ids: ids))
        return Dictionary(found.map { ($0.id, ProductSnapshot($0)) },
                          uniquingKeysWith: { first, _ in first })
    }

    /// Admins change any product; vendors only their own.
    static func ownerRestriction(_ user: SignedInUser) -> String? {
        user.isAdmin ? nil : user.id.description
    }
}
