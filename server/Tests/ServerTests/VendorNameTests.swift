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
