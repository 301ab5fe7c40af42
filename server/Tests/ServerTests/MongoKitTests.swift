import Foundation
import Hummingbird
import Logging
import Composition
import MongoKit
@testable import ServiceKit
import Testing

/// MongoKit against the real Mongo-wire server, each test in a collection of its own.
@Suite("MongoKit") struct MongoKitTests {
    struct Item: Codable, Sendable, Equatable {
        var _id: ObjectID
        var name: String
        var price: Decimal128
        var tags: [String]
        var created_at: Date
        var note: String?
    }

    /// A fresh collection in `mongokit_test`, dropped afterwards even when the test fails.
    static func withCollection(_ body: (MongoCollection) async throws -> Void) async throws {
        let url = try TestStores.mongoURL()
        let collection = try MongoClient.shared(url: url).database("mongokit" + TestStores.suffix)
            .collection("items_" + UUID().uuidString.prefix(8).lowercased())
        do {
            try await body(collection)
        } catch {
            try? await collection.drop()
            throw error
        }
        try await collection.drop()
    }

    static func item(_ name: String, price: String, at seconds: TimeInterval = 1_700_000_000) -> Item {
        Item(_id: ObjectID(), name: name, price: Decimal128(text: price)!, tags: ["a", "b"], created_at: Date(timeIntervalSince1970: seconds), note: nil)
    }

    @Test func codableDocumentsRoundTripWithIdsDatesDecimalsAndAccents() async throws {
        try await Self.withCollection { items in
            var original = Self.item("Crème brûlée « spéciale » \"quoted\" \\ back\nline\u{1}", price: "12.50", at: 1_700_000_000.123)
            original.note = "ñ 日本 🎉"
            try await items.insertOne(original)
            let found = try #require(try await items.findOne(["_id": .objectID(original._id)], as: Item.self))
            #expect(found == original)
            #expect(found.price.text == "12.50")
            #expect(found.created_at.timeIntervalSince1970 == 1_700_000_000.123)
        }
    }

    @Test func findSortsSkipsLimitsAndCountsWithExactDecimalComparison() async throws {
        try await Self.withCollection { items in
            let prices = ["0.10", "0.20", "0.30", "10.00", "9.99", "100"]
            try await items.insertMany(prices.enumerated().map { Self.item("n\($0.offset)", price: $0.element) })
            let cheap = try await items.find(["price": ["$lte": .decimal(Decimal128(text: "0.3")!)]], sort: ["price": 1], as: Item.self)
            #expect(cheap.map(\.price.text) == ["0.10", "0.20", "0.30"])
            let page = try await items.find([:], sort: ["price": -1], skip: 1, limit: 2, as: Item.self)
            #expect(page.map(\.price.text) == ["10.00", "9.99"])
            #expect(try await items.count() == 6)
            #expect(try await items.count(["price": ["$gt": .decimal(Decimal128(text: "9.99")!)]]) == 2)
        }
    }

    @Test func aStringThatLooksLikeAnOperatorIsOnlyAString() async throws {
        try await Self.withCollection { items in
            try await items.insertOne(Self.item(#"{"$ne": null}"#, price: "1"))
            try await items.insertOne(Self.item("plain", price: "2"))
            let literal = try await items.find(["name": .string(#"{"$ne": null}"#)], as: Item.self)
            #expect(literal.map(\.name) == [#"{"$ne": null}"#])
            #expect(try await items.count(["name": "$ne"]) == 0)
            #expect(BSONDocument(dictionaryLiteral: ("name", .string("a\"},{\"$gt\":\"")))
                .extendedJSON == #"{"name":"a\"},{\"$gt\":\""}"#)
        }
    }

    @Test func updatesUpsertsFindAndModifyAndDeletesReportWhatTheyDid() async throws {
        try await Self.withCollection { items in
            let first = Self.item("one", price: "1")
            try await items.insertOne(first)
            let none = try await items.updateOne(["name": "missing"], ["$set": ["note": "x"]])
            #expect(none.matchedCount == 0)
            let one = try await items.updateOne(["_id": .objectID(first._id)], ["$set": ["note": "x"]])
            #expect(one.matchedCount == 1 && one.modifiedCount == 1)
            let upserted = try await items.updateOne(["name": "two"], ["$setOnInsert": ["price": .decimal(Decimal128(text: "2")!), "tags": [], "created_at": .date(Date())]], upsert: true)
            #expect(upserted.upsertedCount == 1)
            let changed = try await items.findOneAndUpdate(["name": "one"], ["$set": ["price": .decimal(Decimal128(text: "3.30")!)]], as: Item.self)
            #expect(changed?.price.text == "3.30")
            #expect(changed?.note == "x")
            #expect(try await items.findOneAndUpdate(["name": "nobody"], ["$set": ["note": "y"]], as: Item.self) == nil)
            #expect(try await items.updateMany([:], ["$set": ["note": "all"]]).matchedCount == 2)
            #expect(try await items.deleteOne(["name": "one"]) == 1)
            #expect(try await items.deleteOne(["name": "one"]) == 0)
            #expect(try await items.deleteMany([:]) == 1)
        }
    }

    @Test func uniqueAndPartialUniqueIndexesRefuseDuplicatesAsDuplicateKey() async throws {
        try await Self.withCollection { items in
            try await items.createIndexes([
                MongoIndex(name: "name_unique", keys: ["name": 1], unique: true),
                MongoIndex(name: "one_flagged", keys: ["tags": 1, "note": 1], unique: true, partialFilter: ["note": "flag"]),
            ])
            // Creating the same indexes again is harmless (start-up runs it every time).
            try await items.createIndexes([MongoIndex(name: "name_unique", keys: ["name": 1], unique: true)])
            try await items.insertOne(Self.item("same", price: "1"))
            let duplicate = await #expect(throws: MongoError.self) { try await items.insertOne(Self.item("same", price: "2")) }
            #expect(duplicate?.kind == .duplicateKey)
            #expect(duplicate?.code == 11000)
            #expect(duplicate?.appError(logger: TestStores.logger).status == .conflict)

            var flagged = Self.item("f1", price: "1")
            flagged.note = "flag"
            try await items.insertOne(flagged)
            var second = Self.item("f2", price: "1")
            try await items.insertOne(second)
            second.note = "flag"
            let onUpdate = await #expect(throws: MongoError.self) {
                try await items.updateOne(["name": "f2"], ["$set": ["note": "flag"]])
            }
            #expect(onUpdate?.kind == .duplicateKey)
        }
    }

    @Test func anUnreachableServerFailsFastAsUnavailable() async throws {
        let client = try MongoClient.shared(url: "mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=300&connectTimeoutMS=300")
        let start = ContinuousClock.now
        let error = await #expect(throws: MongoError.self) {
            _ = try await client.database("nowhere").collection("c").count()
        }
        #expect(ContinuousClock.now - start < .seconds(3))
        #expect(error?.kind == .unreachable)
        let appError = try #require(error?.appError(logger: TestStores.logger))
        #expect(appError.status == .serviceUnavailable)
        #expect(appError.message == "The document store (MongoDB) is unavailable; try again shortly")
        #expect(await client.ping() == false)
    }

    @Test func aMalformedURLIsAConfigurationError() async throws {
        #expect(throws: MongoConfigurationError.self) { _ = try MongoClient.shared(url: "postgres://nope") }
        var configuration = try TestStores.configuration()
        configuration.mongoURL = "http://nope"
        #expect(throws: ConfigurationError.self) { _ = try DocumentStores(configuration: configuration) }
    }

    @Test func objectIdsAreGeneratedUniqueAndParsedStrictly() {
        let ids = (0..<1000).map { _ in ObjectID() }
        #expect(Set(ids).count == 1000)
        #expect(ids.allSatisfy { ObjectID(hex: $0.hex) == $0 })
        #expect(ObjectID(hex: "not-an-id") == nil)
        #expect(ObjectID(hex: "0123456789abcdef0123456z") == nil)
        #expect(ObjectID(hex: "0123456789ABCDEF01234567")?.hex == "0123456789abcdef01234567")
    }

    @Test func readyReportsTheDocumentStores() async throws {
        try await withTestApp { client in
            let ready = try await client.readyOnceUp()
            #expect(ready.status == .ok)
            let checks = try #require(ready["checks"] as? [String: String])
            #expect(checks["user_service"] == "up")
            #expect(checks["product_service"] == "up")
        }
    }
}
