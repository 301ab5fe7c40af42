import Foundation

// The product service's contract.

/// A product as every response shows it. `price` is exact and written with two decimals.
public struct Product: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var description: String
    public var price: Money
    public var category: String
    public var images: [String]
    /// The vendor (or admin) who owns the product.
    public var userId: String
    /// The owner's name, as the shop shows who sells it; absent when the
    /// accounts could not be asked.
    public var vendorName: String?
    public var createdAt: Date
    public var updatedAt: Date
    /// The product's stock as the inventory service had it when the answer was
    /// composed (the product read cache's lifetime at most); absent when the
    /// inventory could not be asked. Never stocked reads as 0, low.
    public var stock: ProductStock?

    public init(id: String, name: String, description: String, price: Money, category: String, images: [String], userId: String,
                createdAt: Date, updatedAt: Date, stock: ProductStock? = nil, vendorName: String? = nil) {
        self.id = id
        self.name = name
        self.description = description
        self.price = price
        self.category = category
        self.images = images
        self.userId = userId
        self.vendorName = vendorName
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.stock = stock
    }
}

/// One category of the catalogue and how many products it holds (`GET /api/products/categories`).
public struct CategoryCount: Codable, Sendable, Equatable {
    public var name: String
    public var count: Int

    public init(name: String, count: Int) {
        self.name = name
        self.count = count
    }
}

/// `POST /api/products` (every field but `images` required) and `PUT /api/products/:id`
/// (absent fields stay as they are). `price` is read as an exact decimal and validated
/// by the server, so a wrong price is reported like any other field.
public struct ProductInput: Codable, Sendable {
    public var name: String?
    public var description: String?
    public var price: Decimal?
    public var category: String?
    public var images: [String]?

    public init(name: String? = nil, description: String? = nil, price: Money? = nil, category: String? = nil, images: [String]? = nil) {
        self.name = name
        self.description = description
        self.price = price?.amount
        self.category = category
        self.images = images
    }
}

/// The orders of `GET /api/products?sort=`.
public enum ProductSort: String, Codable, Sendable, CaseIterable {
    case newest
    case priceAscending = "price_asc"
    case priceDescending = "price_desc"
}
