import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import MarketplaceAPI
import ServiceKit
import Testing

@Suite("Checkout saga") struct CheckoutTests {
    static let address = ShippingAddressInput(street: "1 Rue de la Paix", city: "Paris", zip: "75002", country: "France")

    static func checkout(_ client: some TestClientProtocol, token: String?, method: String = "tok_visa", key: String? = nil) async throws -> JSONResult {
        var headers = HTTPFields()
        if let key { headers[HTTPField.Name("Idempotency-Key")!] = key }
        return try await client.send(.post, "/api/checkout", token: token, json: CheckoutRequest(shippingAddress: address, paymentMethod: method), headers: headers)
    }

    static func addToCart(_ client: some TestClientProtocol, token: String, _ productID: String, _ quantity: Int) async throws {
        let added = try await client.send(.post, "/api/orders/cart/add", token: token, json: AddToCartRequest(productId: productID, quantity: quantity))
        #expect(added.status == .ok, "cart add failed: \(added.body)")
    }

    static func order(_ client: some TestClientProtocol, token: String, _ id: String) async throws -> [String: Any] {
        try #require(try await client.send(.get, "/api/orders/\(id)", token: token).data)
    }

    static func cartLines(_ client: some TestClientProtocol, token: String) async throws -> [String: Int] {
        let cart = try await client.send(.get, "/api/orders/cart", token: token)
        let items = cart.data?["items"] as? [[String: Any]] ?? []
        return Dictionary(items.map { ($0["productId"] as! String, $0["quantity"] as! Int) }, uniquingKeysWith: +)
    }

    @Test func theHappyPathConfirmsTheOrderTakesStockAndPaymentAndEmptiesTheCart() async throws {
        try await withTestApp { client in
            let lamp = try await InventoryServiceTests.stockedProduct(client, quantity: 5)
            let chair = try await InventoryServiceTests.stockedProduct(client, quantity: 3)
            let shopper = try await client.signUp()
            try await Self.addToCart(client, token: shopper.token, lamp.productID, 2)
            try await Self.addToCart(client, token: shopper.token, chair.productID, 1)

            let result = try await Self.checkout(client, token: shopper.token)
            #expect(result.status == .ok, "\(result.body)")
            #expect(result.success == true)
            #expect(result.message == "Order placed successfully")
            let orderID = try #require(result["orderId"] as? String)
            let transactionID = try #require(result["transactionId"] as? String)

            let order = try await Self.order(client, token: shopper.token, orderID)
            #expect(order["status"] as? String == "Confirmed")
            #expect("\(order["totalAmount"]!)" == "59.97")
            #expect((order["shippingAddress"] as? [String: Any])?["city"] as? String == "Paris")
            #expect(try await InventoryServiceTests.quantity(client, lamp.productID) == 3)
            #expect(try await InventoryServiceTests.quantity(client, chair.productID) == 2)
            let payment = try await client.send(.get, "/api/payments/\(transactionID)", token: shopper.token)
            #expect(payment.data?["status"] as? String == "Completed")
            #expect("\(payment.data?["amount"] ?? "")" == "59.97")
            #expect(try await Self.cartLines(client, token: shopper.token).isEmpty)
        }
    }

    @Test func shortStockAnswers409NamingTheItemCancelsTheOrderAndKeepsTheCart() async throws {
        try await withTestApp { client in
            let lamp = try await InventoryServiceTests.stockedProduct(client, quantity: 1)
            let shopper = try await client.signUp()
            try await Self.addToCart(client, token: shopper.token, lamp.productID, 2)

            let result = try await Self.checkout(client, token: shopper.token)
            #expect(result.status == .conflict, "\(result.body)")
            #expect(result.success == false)
            #expect(result.message?.contains("Test Lamp (1 left, 2 wanted)") == true, "\(result.body)")
            let shortage = try #require((result["shortages"] as? [[String: Any]])?.first)
            #expect(shortage["productId"] as? String == lamp.productID)
            let orderID = try #require(result["orderId"] as? String)
            #expect(try await Self.order(client, token: shopper.token, orderID)["status"] as? String == "Cancelled")
            #expect(try await InventoryServiceTests.quantity(client, lamp.productID) == 1)
            #expect(try await Self.cartLines(client, token: shopper.token) == [lamp.productID: 2])
        }
    }

    @Test func aDeclinedPaymentAnswers402ReleasesStockCancelsTheOrderAndKeepsTheCart() async throws {
        try await withTestApp { client in
            let lamp = try await InventoryServiceTests.stockedProduct(client, quantity: 4)
            let shopper = try await client.signUp()
            try await Self.addToCart(client, token: shopper.token, lamp.productID, 3)

            let result = try await Self.checkout(client, token: shopper.token, method: "tok_chargeDeclined")
            #expect(result.status == HTTPResponse.Status(code: 402), "\(result.body)")
            #expect(result.message == "Payment was declined: Your card was declined")
            #expect(result["reason"] as? String == "Your card was declined")
            let orderID = try #require(result["orderId"] as? String)
            let transactionID = try #require(result["transactionId"] as? String)
            #expect(try await Self.order(client, token: shopper.token, orderID)["status"] as? String == "Cancelled")
            #expect(try await client.send(.get, "/api/payments/\(transactionID)", token: shopper.token).data?["status"] as? String == "Failed")
            #expect(try await InventoryServiceTests.quantity(client, lamp.productID) == 4)
            #expect(try await Self.cartLines(client, token: shopper.token) == [lamp.productID: 3])

            // The kept cart checks out with a good card.
            let retry = try await Self.checkout(client, token: shopper.token)
            #expect(retry.status == .ok, "\(retry.body)")
            #expect(try await InventoryServiceTests.quantity(client, lamp.productID) == 1)
        }
    }

    @Test func badRequestsAreRefusedBeforeAnythingHappens() async throws {
        try await withTestApp { client in
            #expect(try await Self.checkout(client, token: nil).status == .unauthorized)
            let shopper = try await client.signUp()
            let empty = try await Self.checkout(client, token: shopper.token)
            #expect(empty.status == .badRequest)
            #expect(empty.message == "Your cart is empty")

            let noAddress = try await client.send(.post, "/api/checkout", token: shopper.token, json: CheckoutRequest(shippingAddress: nil, paymentMethod: nil))
            #expect(noAddress.status == .badRequest)
            #expect(Set(noAddress.fieldErrors) == ["shippingAddress", "paymentMethod"])
            let blankCity = try await client.send(.post, "/api/checkout", token: shopper.token, json: CheckoutRequest(
                shippingAddress: ShippingAddressInput(street: "1 Main St", city: " ", zip: "1000", country: "BE"), paymentMethod: "tok_visa"))
            #expect(blankCity.fieldErrors == ["shippingAddress.city"])
            let badKey = try await Self.checkout(client, token: shopper.token, key: String(repeating: "k", count: 300))
            #expect(badKey.status == .badRequest)
        }
    }

    @Test func aRepeatedIdempotencyKeyAnswersTheFirstResultWithoutASecondOrderOrCharge() async throws {
        try await withTestApp { client in
            let lamp = try await InventoryServiceTests.stockedProduct(client, quantity: 10)
            let shopper = try await client.signUp()
            try await Self.addToCart(client, token: shopper.token, lamp.productID, 2)
            let key = "checkout-\(UUID().uuidString)"
            let first = try await Self.checkout(client, token: shopper.token, key: key)
            #expect(first.status == .ok, "\(first.body)")
            // The cart is refilled, so a second real checkout would succeed: the key must stop it.
            try await Self.addToCart(client, token: shopper.token, lamp.productID, 1)
            let again = try await Self.checkout(client, token: shopper.token, key: key)
            #expect(again.status == .ok)
            #expect(again["orderId"] as? String == first["orderId"] as? String)
            #expect(again["transactionId"] as? String == first["transactionId"] as? String)
            #expect(try await InventoryServiceTests.quantity(client, lamp.productID) == 8)
            let history = try await client.send(.get, "/api/orders", token: shopper.token)
            #expect((history.object["data"] as? [Any])?.count == 1)

            // Another shopper's same key is theirs alone.
            let other = try await client.signUp()
            try await Self.addToCart(client, token: other.token, lamp.productID, 1)
            let theirs = try await Self.checkout(client, token: other.token, key: key)
            #expect(theirs.status == .ok)
            #expect(theirs["orderId"] as? String != first["orderId"] as? String)
        }
    }

    @Test func aHundredShoppersRacingForTheLastTenUnitsGetExactlyTenOrders() async throws {
        try await withTestApp { client in
            let lamp = try await InventoryServiceTests.stockedProduct(client, quantity: 10)
            let shoppers = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<100 {
                    group.addTask {
                        let shopper = try await client.signUp()
                        try await Self.addToCart(client, token: shopper.token, lamp.productID, 1)
                        return shopper.token
                    }
                }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            let results = try await withThrowingTaskGroup(of: (String, JSONResult).self) { group in
                for token in shoppers {
                    group.addTask { (token, try await Self.checkout(client, token: token)) }
                }
                return try await group.reduce(into: [(String, JSONResult)]()) { $0.append($1) }
            }
            let confirmed = results.filter { $0.1.status == .ok }
            let refused = results.filter { $0.1.status == .conflict }
            #expect(confirmed.count == 10)
            #expect(refused.count == 90, "statuses: \(Dictionary(grouping: results, by: { $0.1.status.code }).mapValues(\.count))")
            #expect(try await InventoryServiceTests.quantity(client, lamp.productID) == 0)
            for (token, result) in confirmed {
                let order = try await Self.order(client, token: token, result["orderId"] as! String)
                #expect(order["status"] as? String == "Confirmed")
                let payment = try await client.send(.get, "/api/payments/\(result["transactionId"] as! String)", token: token)
                #expect(payment.data?["status"] as? String == "Completed")
            }
            for (token, result) in refused.prefix(15) {
                #expect(try await Self.order(client, token: token, result["orderId"] as! String)["status"] as? String == "Cancelled")
            }
        }
    }
}
