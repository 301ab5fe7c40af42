import Foundation
import MarketplaceAPI
import MongoKit
import ServiceKit

/// The catalog in the `product_service` database, collection `products`.
public struct MongoProductRepository: ProductRepository {
    let products: MongoCollection

    public init(database: MongoDatabase) {
        self.products = database.collection("products")
    }

    /// The plan's indexes. Its UNIQUE on `user_id` would allow one product per
    /// vendor, so `user_id` gets an ordinary index (a vendor's own listing).
    public func createIndexes() async throws {
        try await products.createIndexes([
            MongoIndex(name: "category", keys: ["category": 1]),
            MongoIndex(name: "price", keys: ["price": 1]),
            MongoIndex(name: "created_at", keys: ["created_at": -1]),
            MongoIndex(name: "user_id", keys: ["user_id": 1]),
        ])
    }

    struct ProductDocument: Codable, Sendable {
        var _id: ObjectID
        var name: String
        var user_id: String
        var description: String
        var price: Decimal128
        var category: String
        var images: [String]?
        var created_at: Date
        var updated_at: Date

        init(_ new: NewProduct, id: ObjectID, now: Date) {
            _id = id
            name = new.name
            user_id = new.ownerID
            description = new.description
            price = Decimal128(text: new.price.description)!
            category = new.category
            images = new.images
            created_at = now
            updated_at = now
        }

        func product() throws -> Product {
            guard let amount = price.decimal, let money = Money(exactly: amount) else {
                throw MongoStoreFailure("product \(_id) has a price that is not an amount of money: \(price)")
            }
            return Product(
                id: _id.hex, name: name, description: description, price: money, category: category,
                images: images ?? [], userId: user_id, createdAt: created_at, updatedAt: updated_at)
        }
    }

    public func categories() async throws -> [CategoryCount] {
        struct Group: Decodable, Sendable {
            var _id: String?
            var count: Int
        }
        let groups = try await products.aggregate([
            ["$group": .document(["_id": .string("$category"), "count": .document(["$sum": .int32(1)])])],
            ["$sort": .document(["_id": .int32(1)])],
        ], as: Group.self)
        return groups.compactMap { group in group._id.map { CategoryCount(name: $0, count: group.count) } }
    }

    public func create(_ product: NewProduct) async throws -> Product {
        let document = ProductDocument(product, id: ObjectID(), now: Self.now())
        try await products.insertOne(document)
        return try document.product()
    }

    public func create(_ new: [NewProduct]) async throws -> [Product] {
        let now = Self.now()
        let documents = new.map { ProductDocument($0, id: ObjectID(), now: now) }
        try await products.insertMany(documents)
        return try documents.map { try $0.product() }
    }

    public func find(id: String) async throws -> Product? {
        guard let id = ObjectID(hex: id) else { return nil }
        return try await products.findOne(["_id": .objectID(id)], as: ProductDocument.self)?.product()
    }

    public func find(ids: [String]) async throws -> [Product] {
        let objectIDs = Set(ids.compactMap(ObjectID.init(hex:)))
        guard !objectIDs.isEmpty else { return [] }
        return try await products.find(["_id": ["$in": .array(objectIDs.map(BSONValue.objectID))]], as: ProductDocument.self)
            .map { try $0.product() }
    }

    public func list(_ query: ProductQuery) async throws -> (products: [Product], total: Int) {
        let filter = Self.filter(query)
        async let page = products.find(filter, sort: Self.sort(query.sort), skip: query.skip, limit: query.limit, as: ProductDocument.self)
        async let total = products.count(filter)
        return (try await page.map { try $0.product() }, try await total)
    }

    public func update(id: String, _ changes: ProductChanges, ownerID: String?) async throws -> ProductWriteOutcome<Product> {
        guard let objectID = ObjectID(hex: id) else { return .notFound }
        var set: BSONDocument = ["updated_at": .date(Self.now())]
        if let name = changes.name { set["name"] = .string(name) }
        if let description = changes.description { set["description"] = .string(description) }
        if let price = changes.price { set["price"] = .decimal(Decimal128(text: price.description)!) }
        if let category = changes.category { set["category"] = .string(category) }
        if let images = changes.images { set["images"] = .array(images.map(BSONValue.string)) }
        let updated = try await products.findOneAndUpdate(Self.target(objectID, ownerID: ownerID), ["$set": .document(set)], as: ProductDocument.self)
        if let updated { return .done(try updated.product()) }
        return try await whyNot(objectID)
    }

    public func delete(id: String, ownerID: String?) async throws -> ProductWriteOutcome<Void> {
        guard let objectID = ObjectID(hex: id) else { return .notFound }
        if try await products.deleteOne(Self.target(objectID, ownerID: ownerID)) == 1 { return .done(()) }
        return try await whyNot(objectID)
    }

    /// The write matched nothing: either there is no such product or it is someone else's.
    private func whyNot<T>(_ id: ObjectID) async throws -> ProductWriteOutcome<T> {
        try await products.count(["_id": .objectID(id)]) == 0 ? .notFound : .notOwner
    }

    private static func target(_ id: ObjectID, ownerID: String?) -> BSONDocument {
        var filter: BSONDocument = ["_id": .objectID(id)]
        if let ownerID { filter["user_id"] = .string(ownerID) }
        return filter
    }

    static func filter(_ query: ProductQuery) -> BSONDocument {
        var filter = BSONDocument()
        if let category = query.category { filter["category"] = .string(category) }
        if let ids = query.ids {
            // An id that is no product id can match nothing.
            filter["_id"] = ["$in": .array(ids.compactMap(ObjectID.init(hex:)).map(BSONValue.objectID))]
        }
        if let owner = query.ownerID { filter["user_id"] = .string(owner) }
        if query.minPrice != nil || query.maxPrice != nil {
            var range = BSONDocument()
            if let low = query.minPrice { range["$gte"] = .decimal(Decimal128(text: low.description)!) }
            if let high = query.maxPrice { range["$lte"] = .decimal(Decimal128(text: high.description)!) }
            filter["price"] = .document(range)
        }
        if let text = query.text {
            let pattern: BSONValue = ["$regex": .string(escapedRegex(text)), "$options": "i"]
            filter["$or"] = [["name": pattern], ["description": pattern]]
        }
        return filter
    }

    /// The ties are broken by `_id` so pages never overlap or skip a product.
    static func sort(_ sort: ProductSort) -> BSONDocument {
        switch sort {
        case .newest: return ["created_at": -1, "_id": -1]
        case .priceAscending: return ["price": 1, "_id": 1]
        case .priceDescending: return ["price": -1, "_id": -1]
        }
    }

    /// Searched text matches itself only: every regex metacharacter is escaped.
    /// Scalar by scalar: a metacharacter followed by a combining mark is one
    /// `Character` that matches none of them, but the store's regex sees it alone.
    static func escapedRegex(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if "\\^$.|?*+()[]{}-/#".unicodeScalars.contains(scalar) { out.append("\\") }
            out.append(scalar)
        }
        return String(out)
    }

    /// Millisecond precision, as BSON dates store it, so a returned product equals its stored form.
    static func now() -> Date {
        Date(timeIntervalSince1970: (Date().timeIntervalSince1970 * 1000).rounded(.down) / 1000)
    }
}
