import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import MarketplaceAPI
import Composition
import MongoKit
import ProductService
import ServiceKit
import Testing

@Suite("Product service") struct ProductServiceTests {
    static func input(_ name: String = "Café Crème Mug", price: String = "12.50", category: String = "Kitchen", description: String = "Stoneware, 350 ml", images: [String]? = ["https://img.example.com/mug.jpg"]) -> ProductInput {
        ProductInput(name: name, description: description, price: Money(price)!, category: category, images: images)
    }

    static let cacheHeader = HTTPField.Name("X-Cache")!

    static func uniqueCategory() -> String { "cat-" + UUID().uuidString.prefix(8).lowercased() }

    @discardableResult
    static func create(_ client: any APIClient, token: String, _ input: ProductInput) async throws -> Product {
        let result = try await client.send(.post, "/api/products", token: token, json: input)
        #expect(result.status == .created, "create failed: \(result.body)")
        return try result.reply(Endpoints.createProduct).data
    }

    static func list(_ client: any APIClient, _ query: String) async throws -> JSONResult {
        try await client.send(.get, "/api/products?" + query)
    }

    static func items(_ result: JSONResult) throws -> [Product] { try result.reply(Endpoints.products).data }
    static func names(_ result: JSONResult) throws -> [String] { try items(result).map(\.name) }
    static func total(_ result: JSONResult) throws -> Int { try result.reply(Endpoints.products).pagination.total }

    @Test func aVendorCreatesAProductWithAnExactTwoDecimalPrice() async throws {
        try await withTestApp { client in
            let vendor = try await client.signUp(role: .vendor)
            let result = try await client.send(.post, "/api/products", token: vendor.token, json: Self.input(price: "12.5"))
            #expect(result.status == .created)
            #expect(result.message == "Product created")
            #expect(result.body.contains(#""price":12.50,"#))
            // The shared contract decodes the body, price and dates included.
            let product = try result.reply(Endpoints.createProduct).data
            #expect(product.name == "Café Crème Mug")
            #expect(product.userId == vendor.id)
            #expect(product.category == "Kitchen")
            #expect(product.images == ["https://img.example.com/mug.jpg"])
            #expect(product.price == Money("12.50"))

            let read = try await client.send(.get, "/api/products/\(product.id)")
            #expect(read.status == .ok)
            #expect(try read.reply(Endpoints.product).data.name == "Café Crème Mug")
            #expect(read.body.contains(#""price":12.50,"#))
        }
    }

    @Test func pricesAreStoredAsDecimal128AndStayExact() async throws {
        try await withTestApp { client in
            let vendor = try await client.signUp(role: .vendor)
            let category = Self.uniqueCategory()
            for price in ["0.10", "0.20", "0.30", "99999999.99", "0"] {
                try await Self.create(client, token: vendor.token, Self.input(price: price, category: category))
            }
            let cheap = try await Self.list(client, "category=\(category)&maxPrice=0.3&sort=price_asc")
            #expect(cheap.body.contains(#""price":0.00,"#))
            #expect(try Self.items(cheap).count == 4)
            let top = try await Self.list(client, "category=\(category)&sort=price_desc&limit=1")
            #expect(top.body.contains(#""price":99999999.99,"#))

            struct Stored: Decodable, Sendable { var price: Decimal128 }
            let configuration = try TestStores.configuration()
            let stored = try await DocumentStores(configuration: configuration).products.collection("products")
                .find(["category": .string(category)], sort: ["price": 1], as: Stored.self)
            #expect(stored.map(\.price.text) == ["0.00", "0.10", "0.20", "0.30", "99999999.99"])
        }
    }

    @Test func otherServicesReadPricesFromTheStoreNeverFromTheCache() async throws {
        try await withTestApp { client in
            let vendor = try await client.signUp(role: .vendor)
            let name = "Priced Lamp \(UUID().uuidString.prefix(8))"
            let id = try await Self.create(client, token: vendor.token, Self.input(name, price: "10.00")).id
            _ = try await client.send(.get, "/api/products/\(id)")
            #expect(try await client.send(.get, "/api/products/\(id)").headers[Self.cacheHeader] == "hit")

            // The price changes in the store behind the cache's back (as a write on another instance would).
            let configuration = try TestStores.configuration()
            let updated = try await DocumentStores(configuration: configuration).products.collection("products")
                .updateOne(["name": .string(name)], ["$set": .document(["price": .decimal(Decimal128(text: "12.00")!)])])
            #expect(updated.matchedCount == 1)

            let shopperView = try await client.send(.get, "/api/products/\(id)")
            #expect(shopperView.body.contains(#""price":10.00"#), "shoppers may see the cached page for a TTL: \(shopperView.body)")
            let serviceView = try await client.send(.get, "/api/products/\(id)", token: try await serviceToken("orders"))
            #expect(serviceView.headers[Self.cacheHeader] == nil)
            #expect(serviceView.body.contains(#""price":12.00"#), "a service gets the stored price: \(serviceView.body)")

            // The listing by ids (a checkout's price check, one call for the lot) likewise,
            // every id found on one page; an unknown id is left out.
            let other = try await Self.create(client, token: vendor.token, Self.input(name + " Shade", price: "3.00")).id
            let unknown = "0123456789abcdef01234567"
            let listing = "/api/products?ids=\(id),\(other),\(unknown)&limit=1"
            _ = try await client.send(.get, listing)
            let shopperList = try await client.send(.get, listing)
            #expect(shopperList.headers[Self.cacheHeader] == "hit")
            let serviceList = try await client.send(.get, listing, token: try await serviceToken("orders"))
            #expect(serviceList.status == .ok, "\(serviceList.body)")
            #expect(serviceList.headers[Self.cacheHeader] == nil)
            let found = try serviceList.reply(Endpoints.products)
            #expect(Set(found.data.map(\.id)) == [id, other], "\(serviceList.body)")
            #expect(serviceList.body.contains(#""price":12.00"#) && serviceList.body.contains(#""price":3.00"#), "\(serviceList.body)")
            #expect(found.pagination.total == 2)
        }
    }

    @Test func onlyVendorsAndAdminsCreateProducts() async throws {
        try await withTestApp { client in
            let customer = try await client.signUp()
            let forbidden = try await client.send(.post, "/api/products", token: customer.token, json: Self.input())
            #expect(forbidden.status == .forbidden)
            #expect(forbidden.success == false)
            let anonymous = try await client.send(.post, "/api/products", json: Self.input())
            #expect(anonymous.status == .unauthorized)
            let admin = try await client.signUp(role: .admin)
            let byAdmin = try await client.send(.post, "/api/products", token: admin.token, json: Self.input())
            #expect(byAdmin.status == .created)
            #expect(try byAdmin.reply(Endpoints.createProduct).data.userId == admin.id)
        }
    }

    @Test(arguments: [
        (#"{"description":"d","price":1,"category":"c"}"#, ["name"]),
        (#"{"name":"  ","description":"d","price":1,"category":"c"}"#, ["name"]),
        (#"{"name":"\#(String(repeating: "é", count: 256))","description":"d","price":1,"category":"c"}"#, ["name"]),
        (#"{"name":"n","price":1,"category":"c"}"#, ["description"]),
        (#"{"name":"n","description":"d","category":"c"}"#, ["price"]),
        (#"{"name":"n","description":"d","price":-1,"category":"c"}"#, ["price"]),
        (#"{"name":"n","description":"d","price":1.234,"category":"c"}"#, ["price"]),
        (#"{"name":"n","description":"d","price":100000000,"category":"c"}"#, ["price"]),
        (#"{"name":"n","description":"d","price":1}"#, ["category"]),
        (#"{"name":"n","description":"d","price":1,"category":"\#(String(repeating: "c", count: 101))"}"#, ["category"]),
        (#"{"name":"n","description":"d","price":1,"category":"c","images":["ftp://x.io/a.png"]}"#, ["images[0]"]),
        (#"{"name":"n","description":"d","price":1,"category":"c","images":["https://x.io/a.png","javascript:alert(1)"]}"#, ["images[1]"]),
        (#"{"name":"n","description":"d","price":1,"category":"c","images":["https://x.io/1","https://x.io/2","https://x.io/3","https://x.io/4","https://x.io/5","https://x.io/6","https://x.io/7","https://x.io/8","https://x.io/9","https://x.io/10","https://x.io/11"]}"#, ["images"]),
        (#"{"name":{"$gt":""},"description":"d","price":1,"category":"c"}"#, []),
        (#"{"name":"n","description":"d","price":{"$gt":0},"category":"c"}"#, []),
        (#"{"name":"n","description":"d","price":"abc","category":"c"}"#, []),
        (#"{"name":"n","description":"d","price":1,"category":["a"]}"#, []),
        (#"not json"#, []),
    ])
    func invalidProductsAnswer400NamingTheField(body: String, fields: [String]) async throws {
        try await withTestApp { client in
            let vendor = try await client.signUp(role: .vendor)
            let result = try await client.send(.post, "/api/products", token: vendor.token, raw: body)
            #expect(result.status == .badRequest, "\(body.prefix(80)) → \(result.body)")
            #expect(result.success == false)
            #expect(!(result.message ?? "").isEmpty)
            #expect(result.fieldErrors == fields)
        }
    }

    @Test(arguments: ["0123456789abcdef01234567", "not-an-id", "%7B%22%24ne%22%3Anull%7D"])
    func unknownAndMalformedIdsAnswer404(id: String) async throws {
        try await withTestApp { client in
            let vendor = try await client.signUp(role: .vendor)
            let read = try await client.send(.get, "/api/products/\(id)")
            #expect(read.status == .notFound)
            #expect(read.message == "Product not found")
            let update = try await client.send(.put, "/api/products/\(id)", token: vendor.token, json: ProductInput(name: "x"))
            #expect(update.status == .notFound)
            let delete = try await client.send(.delete, "/api/products/\(id)", token: vendor.token)
            #expect(delete.status == .notFound)
        }
    }

    @Test func vendorsChangeOnlyTheirOwnProductsAndAdminsChangeAny() async throws {
        try await withTestApp { client in
            let owner = try await client.signUp(role: .vendor)
            let rival = try await client.signUp(role: .vendor)
            let customer = try await client.signUp()
            let admin = try await client.signUp(role: .admin)
            let id = try await Self.create(client, token: owner.token, Self.input()).id

            let byRival = try await client.send(.put, "/api/products/\(id)", token: rival.token, json: ProductInput(price: Money("0.01")))
            #expect(byRival.status == .forbidden)
            #expect(byRival.message == "Vendors can change only their own products")
            #expect(try await client.send(.put, "/api/products/\(id)", token: customer.token, json: ProductInput(name: "x")).status == .forbidden)
            #expect(try await client.send(.put, "/api/products/\(id)", json: ProductInput(name: "x")).status == .unauthorized)
            #expect(try await client.send(.delete, "/api/products/\(id)", token: rival.token).status == .forbidden)
            #expect(try await client.send(.delete, "/api/products/\(id)", token: customer.token).status == .forbidden)
            #expect(try await client.send(.get, "/api/products/\(id)").body.contains(#""price":12.50,"#))

            let byOwner = try await client.send(.put, "/api/products/\(id)", token: owner.token, json: ProductInput(name: "Tasse à café", price: Money("9.90")))
            #expect(byOwner.status == .ok)
            #expect(byOwner.message == "Product updated")
            let renamed = try byOwner.reply(Endpoints.updateProduct).data
            #expect(renamed.name == "Tasse à café")
            #expect(byOwner.body.contains(#""price":9.90,"#))
            #expect(renamed.description == "Stoneware, 350 ml")
            #expect(renamed.userId == owner.id)

            let byAdmin = try await client.send(.put, "/api/products/\(id)", token: admin.token, json: ProductInput(category: "Tableware", images: []))
            #expect(byAdmin.status == .ok)
            let recategorised = try byAdmin.reply(Endpoints.updateProduct).data
            #expect(recategorised.category == "Tableware")
            #expect(recategorised.images == [])
            #expect(recategorised.userId == owner.id)

            let empty = try await client.send(.put, "/api/products/\(id)", token: owner.token, raw: "{}")
            #expect(empty.status == .badRequest)
            let bad = try await client.send(.put, "/api/products/\(id)", token: owner.token, raw: #"{"price":-3}"#)
            #expect(bad.status == .badRequest)
            #expect(bad.fieldErrors == ["price"])

            let deleted = try await client.send(.delete, "/api/products/\(id)", token: admin.token)
            #expect(deleted.status == .ok)
            #expect(deleted.message == "Product deleted")
            #expect(try await client.send(.get, "/api/products/\(id)").status == .notFound)
            #expect(try await client.send(.delete, "/api/products/\(id)", token: owner.token).status == .notFound)
        }
    }

    @Test func pagesCountTheWholeFilteredCatalog() async throws {
        try await withTestApp { client in
            let vendor = try await client.signUp(role: .vendor)
            let category = Self.uniqueCategory()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<23 {
                    group.addTask { try await Self.create(client, token: vendor.token, Self.input("Item \(index)", price: "\(index).00", category: category)) }
                }
                try await group.waitForAll()
            }
            let first = try await Self.list(client, "category=\(category)&limit=10")
            #expect(first.status == .ok)
            #expect(first.success == true)
            // The exact wire object: these three keys and no others.
            #expect(first["pagination"] as? [String: Int] == ["page": 1, "limit": 10, "total": 23])
            var seen: [String] = []
            for page in 1...3 {
                let result = try await Self.list(client, "category=\(category)&limit=10&page=\(page)&sort=price_asc")
                #expect(try Self.total(result) == 23)
                seen += try Self.names(result)
            }
            #expect(seen == (0..<23).map { "Item \($0)" })
            let beyond = try await Self.list(client, "category=\(category)&limit=10&page=4")
            #expect(try Self.items(beyond).isEmpty)
            #expect(try Self.total(beyond) == 23)
            let defaults = try await Self.list(client, "category=\(category)")
            #expect(try Self.items(defaults).count == 20)
            #expect(try defaults.reply(Endpoints.products).pagination.limit == 20)
            let newest = try await Self.list(client, "category=\(category)&limit=100")
            let created = try Self.items(newest).map(\.createdAt)
            #expect(created == created.sorted(by: >))
        }
    }

    @Test func filtersByPriceRangeSearchTextAndSortOrder() async throws {
        try await withTestApp { client in
            let vendor = try await client.signUp(role: .vendor)
            let category = Self.uniqueCategory()
            try await Self.create(client, token: vendor.token, Self.input("Crème brûlée torch", price: "24.99", category: category, description: "Kitchen blowtorch"))
            try await Self.create(client, token: vendor.token, Self.input("Jalapeño sauce", price: "4.50", category: category, description: "Hot (very) sauce"))
            try await Self.create(client, token: vendor.token, Self.input("Piñata", price: "19.00", category: category, description: "Party star, filled with CRÈME candy"))
            try await Self.create(client, token: vendor.token, Self.input("Regex .* trap", price: "1.00", category: category, description: "literal"))

            let range = try await Self.list(client, "category=\(category)&minPrice=4.50&maxPrice=19&sort=price_asc")
            #expect(try Self.names(range) == ["Jalapeño sauce", "Piñata"])
            #expect(try Self.total(range) == 2)
            let descending = try await Self.list(client, "category=\(category)&sort=price_desc")
            #expect(try Self.names(descending) == ["Crème brûlée torch", "Piñata", "Jalapeño sauce", "Regex .* trap"])
            let search = try await Self.list(client, "category=\(category)&q=cr%C3%A8me&sort=price_asc")
            #expect(try Self.names(search) == ["Piñata", "Crème brûlée torch"])
            let inDescription = try await Self.list(client, "category=\(category)&q=(VERY)")
            #expect(try Self.names(inDescription) == ["Jalapeño sauce"])
            let literal = try await Self.list(client, "category=\(category)&q=.*")
            #expect(try Self.names(literal) == ["Regex .* trap"])
            let everything = try await Self.list(client, "q=\(category.suffix(8))")
            #expect(try Self.total(everything) == 0)
        }
    }

    @Test(arguments: [
        "page=0", "page=-1", "page=abc", "page=1.5", "page=", "limit=0", "limit=-5", "limit=101", "limit=ten",
        "minPrice=abc", "minPrice=-1", "minPrice=1.234", "minPrice=1e3", "maxPrice=", "minPrice=10&maxPrice=5",
        "sort=cheapest", "category=", "price%5B%24gt%5D=0", "minPrice%5B%24gt%5D=0", "category=a&category=b",
        "minPrice=%7B%22%24gt%22%3A0%7D", "q=\(String(repeating: "x", count: 101))",
    ])
    func badQueryParametersAnswer400(query: String) async throws {
        try await withTestApp { client in
            let result = try await Self.list(client, query)
            #expect(result.status == .badRequest, "\(query) → \(result.body)")
            #expect(result.success == false)
            #expect(!(result.message ?? "").isEmpty)
        }
    }

    @Test func operatorsInQueryTextAreOnlyText() async throws {
        try await withTestApp { client in
            let vendor = try await client.signUp(role: .vendor)
            try await Self.create(client, token: vendor.token, Self.input(category: Self.uniqueCategory()))
            for query in ["category=%7B%22%24ne%22%3Anull%7D", "category=%24ne", "q=%7B%22%24where%22%3A%221%22%7D", "q=%5E"] {
                let result = try await Self.list(client, query)
                #expect(result.status == .ok, "\(query) → \(result.body)")
                #expect(try Self.total(result) == 0, "\(query) matched products")
            }
        }
    }

    @Test func repeatedReadsComeFromTheCacheAndEveryWriteIsSeenByTheNextRead() async throws {
        try await withTestApp { client in
            let vendor = try await client.signUp(role: .vendor)
            let category = Self.uniqueCategory()
            let id = try await Self.create(client, token: vendor.token, Self.input("Original", category: category)).id
            let query = "category=\(category)"

            let miss = try await Self.list(client, query)
            #expect(miss.headers[Self.cacheHeader] == "miss")
            let hit = try await Self.list(client, query)
            #expect(hit.headers[Self.cacheHeader] == "hit")
            #expect(hit.body == miss.body)
            _ = try await client.send(.get, "/api/products/\(id)")
            #expect(try await client.send(.get, "/api/products/\(id)").headers[Self.cacheHeader] == "hit")

            // A change made behind the service's back (another instance, say) is not
            // seen until the entry expires: proof that the hit did not ask the store.
            let store = try DocumentStores(configuration: try TestStores.configuration()).products.collection("products")
            try await store.updateOne(["_id": .objectID(ObjectID(hex: id)!)], ["$set": ["name": "Changed elsewhere"]])
            #expect(try Self.names(try await Self.list(client, query)).first == "Original")

            _ = try await client.send(.put, "/api/products/\(id)", token: vendor.token, json: ProductInput(name: "Renamed", price: Money("3.10")))
            let afterUpdate = try await Self.list(client, query)
            #expect(afterUpdate.headers[Self.cacheHeader] == "miss")
            #expect(try Self.names(afterUpdate).first == "Renamed")
            #expect(afterUpdate.body.contains(#""price":3.10,"#))
            #expect(try await client.send(.get, "/api/products/\(id)").reply(Endpoints.product).data.name == "Renamed")

            let second = try await Self.create(client, token: vendor.token, Self.input("Second", category: category))
            #expect(try Self.total(try await Self.list(client, query)) == 2)

            _ = try await client.send(.delete, "/api/products/\(id)", token: vendor.token)
            let afterDelete = try await Self.list(client, query)
            #expect(try Self.total(afterDelete) == 1)
            #expect(try Self.items(afterDelete).first?.id == second.id)
            #expect(try await client.send(.get, "/api/products/\(id)").status == .notFound)
        }
    }

    @Test func theCatalogGivesOtherServicesCurrentNamesPricesAndOwners() async throws {
        let configuration = try await TestStores.prepare()
        let stores = try DocumentStores(configuration: configuration)
        let service = ProductService(repository: stores.productRepository, cacheTTL: .seconds(5))
        let owner = UUID()
        let created = try await service.create(Self.input("Façade paint", price: "31.40"), by: SignedInUser(id: UserID(owner), role: .vendor))
        let snapshot = try #require(try await service.product(id: created.id))
        #expect(snapshot == ProductSnapshot(id: created.id, name: "Façade paint", price: Money("31.40")!, ownerID: owner.uuidString.lowercased()))
        _ = try await service.update(id: created.id, ProductInput(price: Money("29.99")), by: SignedInUser(id: UserID(owner), role: .vendor))
        #expect(try await service.product(id: created.id)?.price == Money("29.99"))
        #expect(try await service.product(id: "0123456789abcdef01234567") == nil)
        #expect(try await service.product(id: "nope") == nil)
    }
}
