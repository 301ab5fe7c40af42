import Foundation
import MarketplaceAPI
import ServiceKit

/// A validated new product; `ownerID` is the account that creates it.
public struct NewProduct: Sendable, Equatable {
    public var name: String
    public var description: String
    public var price: Money
    public var category: String
    public var images: [String]
    public var ownerID: String

    public init(name: String, description: String, price: Money, category: String, images: [String], ownerID: String) {
        self.name = name
        self.description = description
        self.price = price
        self.category = category
        self.images = images
        self.ownerID = ownerID
    }
}

/// A validated partial update: nil fields stay as they are.
public struct ProductChanges: Sendable, Equatable {
    public var name: String?
    public var description: String?
    public var price: Money?
    public var category: String?
    public var images: [String]?

    public var isEmpty: Bool { name == nil && description == nil && price == nil && category == nil && images == nil }
}

/// `GET /api/products` after parsing: only typed values, never raw query text.
public struct ProductQuery: Sendable, Hashable {
    public var page = 1
    public var limit = 20
    public var category: String?
    public var minPrice: Money?
    public var maxPrice: Money?
    /// Case-insensitive text searched for in name and description.
    public var text: String?
    public var sort: ProductSort = .newest
    /// Only these products (at most `InputRules.maximumStockBatch`): a screen that
    /// names products by id gets them in one request.
    public var ids: [String]?
    /// Only the products of this owner (a vendor's own list).
    public var ownerID: String?

    public init() {}

    public var skip: Int { (page - 1) * limit }

    /// One key per distinct query, so `?page=1` and no page share a cache entry.
    var cacheKey: String {
        [
            "p=\(page)", "l=\(limit)", "s=\(sort.rawValue)",
            "c=\(category.map { "\($0.utf8.count):\($0)" } ?? "-")",
            "min=\(minPrice?.description ?? "-")", "max=\(maxPrice?.description ?? "-")",
            "q=\(text.map { "\($0.utf8.count):\($0)" } ?? "-")",
            "ids=\(ids.map { $0.sorted().joined(separator: ",") } ?? "-")",
            "u=\(ownerID.map { "\($0.utf8.count):\($0)" } ?? "-")",
        ].joined(separator: "&")
    }
}

/// What happened to a write aimed at one product.
public enum ProductWriteOutcome<Value: Sendable>: Sendable {
    case done(Value)
    case notFound
    /// The product exists but belongs to another vendor.
    case notOwner
}

/// Storage of the catalog. `ownerID` restrictions are applied by the store in the
/// same operation as the write, so ownership cannot change between check and act.
public protocol ProductRepository: Sendable {
    func create(_ product: NewProduct) async throws -> Product
    /// Many at once, for seeding.
    func create(_ products: [NewProduct]) async throws -> [Product]
    /// nil for unknown and malformed ids alike.
    func find(id: String) async throws -> Product?
    /// The products among `ids` that exist, in one store call; malformed ids match nothing.
    func find(ids: [String]) async throws -> [Product]
    func list(_ query: ProductQuery) async throws -> (products: [Product], total: Int)
    /// Every category with how many products it holds, by name.
    func categories() async throws -> [CategoryCount]
    /// `ownerID` nil: any owner (admins).
    func update(id: String, _ changes: ProductChanges, ownerID: String?) async throws -> ProductWriteOutcome<Product>
    func delete(id: String, ownerID: String?) async throws -> ProductWriteOutcome<Void>
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
