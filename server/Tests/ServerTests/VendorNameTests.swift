import Foundation
import MarketplaceAPI
import ServiceKit
import Testing

/// Who sells what: product answers and the parts of orders name the vendor, in
/// both forms; the accounts' names are the product service's to ask, nobody else's.
@Suite("Vendor names", .deployments) struct VendorNameTests {
    @Test(arguments: Topology.allCases) func productsAndThePartsOfOrdersNameTheirVendor(_ topology: Topology) async throws {
        let client = try Deployments.client(topology)
        let name = "Atelier \(UUID().uuidString.prefix(6))"
        let vendor = try await client.signUp(role: .vendor, name: name)
        let productID = try await createTestProduct(client, vendorToken: vendor.token, name: "Named Lamp", price: "12.00")
        let added = try await client.send(.post, "/api/inventory/add", token: vendor.token, json: AddStockRequest(productId: productID, quantity: 5))
        #expect(added.status == .ok, "\(added.body)")

        #expect(try await client.send(.get, "/api/products/\(productID)").reply(Endpoints.product).data.vendorName == name)
        let listed = try await client.send(.get, "/api/products?userId=\(vendor.id)").reply(Endpoints.products).data
        #expect(listed.map(\.vendorName) == [name])

        let shopper = try await client.signUp()
        try await CheckoutTests.addToCart(client, token: shopper.token, productID, 1)
        let placed = try await CheckoutTests.checkout(client, token: shopper.token).reply(Endpoints.checkout)
        let order = try await CheckoutTests.order(client, token: shopper.token, try #require(placed.orderId))
        #expect(order.shipments.map(\.vendorName) == [name])
        let fulfilment = try await client.send(.get, "/api/orders/fulfilment", token: vendor.token).reply(Endpoints.fulfilment).data
        #expect(fulfilment.first?.shipment?.vendorName == name)
    }

    @Test func onlyTheProductServiceAsksForAccountNames() async throws {
        let client = try Deployments.client(.allInOne)
        let vendor = try await client.signUp(role: .vendor, name: "Named Vendor")
        let stranger = "00000000-0000-4000-8000-000000000000"
        let asked = try await client.send(.get, "/api/auth/accounts?ids=\(vendor.id),\(stranger)", token: try await serviceToken("products"))
        #expect(try asked.reply(Endpoints.accountNames).data == [AccountName(id: vendor.id, name: "Named Vendor")])

        for token in [vendor.token, try await serviceToken("orders")] {
            let refused = try await client.send(.get, "/api/auth/accounts?ids=\(vendor.id)", token: token)
            #expect(refused.status == .forbidden, "\(refused.body)")
        }
        for query in ["", "ids=", "ids=\(vendor.id)&ids=\(vendor.id)", "ids=not%20an%20id", "ids=\(vendor.id)&page=2",
                      "ids=" + Array(repeating: vendor.id, count: InputRules.maximumStockBatch + 1).joined(separator: ",")] {
            let refused = try await client.send(.get, "/api/auth/accounts?\(query)", token: try await serviceToken("products"))
            #expect(refused.status == .badRequest && refused.code == .validationFailed, "\(query): \(refused.body)")
        }
    }
}

/// `GET /api/products/categories`: every category with its count, kept in step with writes.
@Suite("Categories", .deployments) struct CategoryTests {
    @Test(arguments: Topology.allCases) func everyCategoryWithItsCountFollowsTheCatalogue(_ topology: Topology) async throws {
        let client = try Deployments.client(topology)
        let vendor = try await client.signUp(role: .vendor, name: "Category Vendor")
        let category = "cat-\(UUID().uuidString.prefix(8).lowercased())"
        func count() async throws -> Int? {
            let answer = try await client.send(.get, "/api/products/categories").reply(Endpoints.categories).data
            #expect(answer.map(\.name) == answer.map(\.name).sorted(), "by name")
            return answer.first { $0.name == category }?.count
        }
        #expect(try await count() == nil)
        var ids: [String] = []
        for index in 0..<3 {
            let created = try await client.send(.post, "/api/products", token: vendor.token, json: ProductInput(
                name: "Categorised \(index)", description: "For the category count", price: Money("3.00")!, category: category))
            ids.append(try created.reply(Endpoints.createProduct).data.id)
        }
        // Written here: the count shows at once (the write empties this instance's cache).
        #expect(try await count() == 3)
        let deleted = try await client.send(.delete, "/api/products/\(ids[0])", token: vendor.token)
        #expect(deleted.status == .ok, "\(deleted.body)")
        #expect(try await count() == 2)
    }
}

/// What other services read of a product (a cart line's price, the owner a stock
/// change is checked against) is cached apart from what shoppers see, and every
/// write empties both: a product stocked the moment it is made shows its stock at
/// once, and a repriced or removed one is added to a cart as it is now.
@Suite("Catalog reads by other services", .deployments) struct CatalogSnapshotTests {
    @Test(arguments: Topology.allCases) func aProductStockedAtOnceShowsItsStockAndCartsTakeItAsItIsNow(_ topology: Topology) async throws {
        let client = try Deployments.client(topology)
        let vendor = try await client.signUp(role: .vendor)
        let shopper = try await client.signUp()
        let product = try await createTestProduct(client, vendorToken: vendor.token, name: "Fresh Lamp", price: "12.00")
        // Stocking reads the product (its owner) before any shopper has seen it.
        let stocked = try await client.send(.post, "/api/inventory/add", token: vendor.token, json: AddStockRequest(productId: product, quantity: 7))
        #expect(stocked.status == .ok, "\(stocked.body)")
        let seen = try await client.send(.get, "/api/products/\(product)")
        #expect(try seen.reply(Endpoints.product).data.stock?.quantity == 7, "\(seen.body)")

        #expect(try await OrderServiceTests.add(client, token: shopper.token, product).body.contains(#""price":12"#))
        let repriced = try await client.send(.put, "/api/products/\(product)", token: vendor.token, json: ProductInput(price: Money("13.25")))
        #expect(repriced.status == .ok, "\(repriced.body)")
        let added = try await OrderServiceTests.add(client, token: shopper.token, product)
        #expect(added.status == .ok && added.body.contains(#""price":13.25"#), "\(added.body)")

        #expect(try await client.send(.delete, "/api/products/\(product)", token: vendor.token).status == .ok)
        let gone = try await OrderServiceTests.add(client, token: shopper.token, product)
        #expect(gone.status == .notFound, "\(gone.body)")
    }
}
