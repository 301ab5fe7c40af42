import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import MarketplaceAPI
import ServiceKit
import Testing

/// The plan's journeys end to end, over real HTTP, against both topologies:
/// the real executable serving everything, and every service its own process
/// behind nginx.
@Suite("Checkout end to end", .deployments) struct CheckoutTests {
    static let address = ShippingAddressInput(street: "1 Rue de la Paix", city: "Paris", zip: "75002", country: "France")

    static func checkout(_ client: some APIClient, token: String?, method: String = "tok_visa", key: String? = nil) async throws -> JSONResult {
        var headers = HTTPFields()
        if let key { headers[HTTPField.Name("Idempotency-Key")!] = key }
        return try await client.send(.post, "/api/checkout", token: token, json: CheckoutRequest(shippingAddress: address, paymentMethod: method), headers: headers)
    }

    static func addToCart(_ client: some APIClient, token: String, _ productID: String, _ quantity: Int) async throws {
        let added = try await client.send(.post, "/api/orders/cart/add", token: token, json: AddToCartRequest(productId: productID, quantity: quantity))
        #expect(added.status == .ok, "cart add failed: \(added.body)")
    }

    static func order(_ client: some APIClient, token: String, _ id: String) async throws -> Order {
        try await client.send(.get, "/api/orders/\(id)", token: token).reply(Endpoints.order).data
    }

    static func cartLines(_ client: some APIClient, token: String) async throws -> [String: Int] {
        let items = try await client.send(.get, "/api/orders/cart", token: token).reply(Endpoints.cart).data.items
        return Dictionary(items.map { ($0.productId, $0.quantity) }, uniquingKeysWith: +)
    }

    @Test(arguments: Topology.allCases) func theHappyPathConfirmsTheOrderTakesStockAndPaymentAndEmptiesTheCart(_ topology: Topology) async throws {
        let client = try Deployments.client(topology)
        let lamp = try await InventoryServiceTests.stockedProduct(client, quantity: 5)
        let chair = try await InventoryServiceTests.stockedProduct(client, quantity: 3)
        let shopper = try await client.signUp()
        // Browse: the catalog pages, and the product with its price from the product service.
        let page = try await client.send(.get, "/api/products?page=1&limit=5&sort=newest")
        #expect(page.status == .ok, "\(page.body)")
        #expect(try page.reply(Endpoints.products).data.isEmpty == false)
        let detail = try await client.send(.get, "/api/products/\(lamp.productID)")
        #expect(try detail.reply(Endpoints.product).data.price == Money("19.99"))
        try await Self.addToCart(client, token: shopper.token, lamp.productID, 2)
        try await Self.addToCart(client, token: shopper.token, chair.productID, 1)

        let result = try await Self.checkout(client, token: shopper.token)
        #expect(result.status == .ok, "\(result.body)")
        #expect(result.success == true)
        #expect(result.message == "Order placed successfully")
        let placed = try result.reply(Endpoints.checkout)
        let orderID = try #require(placed.orderId)
        let transactionID = try #require(placed.transactionId)

        let order = try await Self.order(client, token: shopper.token, orderID)
        #expect(order.status == .confirmed)
        #expect(order.totalAmount == Money("59.97"))
        #expect(order.shippingAddress?.city == "Paris")
        #expect(try await InventoryServiceTests.quantity(client, lamp.productID) == 3)
        #expect(try await InventoryServiceTests.quantity(client, chair.productID) == 2)
        let payment = try await client.send(.get, "/api/payments/\(transactionID)", token: shopper.token).reply(Endpoints.payment).data
        #expect(payment.status == .completed)
        #expect(payment.amount == Money("59.97"))
        #expect(try await Self.cartLines(client, token: shopper.token).isEmpty)
    }

    @Test(arguments: Topology.allCases) func aPriceChangedSinceTheCartIsShownAndTheNewPriceIsCharged(_ topology: Topology) async throws {
        let client = try Deployments.client(topology)
        let (lamp, vendorToken) = try await InventoryServiceTests.stockedProduct(client, quantity: 5, name: "Desk lamp", price: "19.99")
        let shopper = try await client.signUp()
        try await Self.addToCart(client, token: shopper.token, lamp, 2)
        let repriced = try await client.send(.put, "/api/products/\(lamp)", token: vendorToken, json: ProductInput(price: Money("24.99")))
        #expect(repriced.status == .ok, "\(repriced.body)")

        let refused = try await Self.checkout(client, token: shopper.token)
        #expect(refused.status == .conflict && refused.code == .priceChanged, "\(refused.body)")
        let change = try #require(try refused.reply(Endpoints.checkout).priceChanges?.first)
        #expect(change.oldPrice == Money("19.99") && change.newPrice == Money("24.99") && change.name == "Desk lamp")
        // The wire shape: no `orderId` key at all, not even null.
        #expect(refused["orderId"] == nil, "no order is made")
        let cart = try await client.send(.get, "/api/orders/cart", token: shopper.token)
        #expect(try cart.reply(Endpoints.cart).data.totalPrice == Money("49.98"), "the cart has the new price: \(cart.body)")
        #expect(try await InventoryServiceTests.quantity(client, lamp) == 5)

        let placed = try await Self.checkout(client, token: shopper.token)
        #expect(placed.status == .ok, "\(placed.body)")
        let order = try await Self.order(client, token: shopper.token, try #require(try placed.reply(Endpoints.checkout).orderId))
        #expect(order.totalAmount == Money("49.98"))
    }

    @Test(arguments: Topology.allCases) func aPriceRiseBeyondWhatACartCanHoldIsRefusedNotLeftHanging(_ topology: Topology) async throws {
        let client = try Deployments.client(topology)
        let (lamp, vendorToken) = try await InventoryServiceTests.stockedProduct(client, quantity: 5, name: "Lamp", price: "1.25")
        let shopper = try await client.signUp()
        try await Self.addToCart(client, token: shopper.token, lamp, 2)
        #expect(try await client.send(.put, "/api/products/\(lamp)", token: vendorToken, json: ProductInput(price: Money("99999999.99"))).status == .ok)
        for _ in 0..<2 {
            let refused = try await Self.checkout(client, token: shopper.token)
            #expect(refused.status == .badRequest && refused.code == .cartTooLarge, "\(refused.body)")
        }
        #expect(try await InventoryServiceTests.quantity(client, lamp) == 5)
    }

    @Test(arguments: Topology.allCases) func aFreeOrderIsConfirmedWithoutACharge(_ topology: Topology) async throws {
        let client = try Deployments.client(topology)
        let (sample, _) = try await InventoryServiceTests.stockedProduct(client, quantity: 2, name: "Free sample", price: "0.00")
        let shopper = try await client.signUp()
        try await Self.addToCart(client, token: shopper.token, sample, 1)

        let result = try await Self.checkout(client, token: shopper.token)
        #expect(result.status == .ok, "\(result.body)")
        // The wire shape: no `transactionId` key at all, not even null.
        #expect(result["transactionId"] == nil, "nothing to charge: \(result.body)")
        let order = try await Self.order(client, token: shopper.token, try #require(try result.reply(Endpoints.checkout).orderId))
        #expect(order.status == .confirmed)
        #expect(order.totalAmount == .zero)
        #expect(try await InventoryServiceTests.quantity(client, sample) == 1)
        #expect(try await Self.cartLines(client, token: shopper.token).isEmpty)
    }

    @Test(arguments: Topology.allCases) func shortStockAnswers409NamingTheItemCancelsTheOrderAndKeepsTheCart(_ topology: Topology) async throws {
        let client = try Deployments.client(topology)
        let lamp = try await InventoryServiceTests.stockedProduct(client, quantity: 1)
        let shopper = try await client.signUp()
        try await Self.addToCart(client, token: shopper.token, lamp.productID, 2)

        let result = try await Self.checkout(client, token: shopper.token)
        #expect(result.status == .conflict, "\(result.body)")
        #expect(result.success == false)
        #expect(result.message?.contains("Test Lamp (1 left, 2 wanted)") == true, "\(result.body)")
        let refusal = try result.reply(Endpoints.checkout)
        let shortage = try #require(refusal.shortages?.first)
        #expect(shortage.productId == lamp.productID)
        let orderID = try #require(refusal.orderId)
        #expect(try await Self.order(client, token: shopper.token, orderID).status == .cancelled)
        #expect(try await InventoryServiceTests.quantity(client, lamp.productID) == 1)
        #expect(try await Self.cartLines(client, token: shopper.token) == [lamp.productID: 2])
    }

    @Test(arguments: Topology.allCases) func aDeclinedPaymentAnswers402ReleasesStockCancelsTheOrderAndKeepsTheCart(_ topology: Topology) async throws {
        let client = try Deployments.client(topology)
        let lamp = try await InventoryServiceTests.stockedProduct(client, quantity: 4)
        let shopper = try await client.signUp()
        try await Self.addToCart(client, token: shopper.token, lamp.productID, 3)

        let result = try await Self.checkout(client, token: shopper.token, method: "tok_chargeDeclined")
        #expect(result.status == HTTPResponse.Status(code: 402), "\(result.body)")
        #expect(result.message == "Payment was declined: Your card was declined")
        let refusal = try result.reply(Endpoints.checkout)
        #expect(refusal.reason == "Your card was declined")
        let orderID = try #require(refusal.orderId)
        let transactionID = try #require(refusal.transactionId)
        #expect(try await Self.order(client, token: shopper.token, orderID).status == .cancelled)
        #expect(try await client.send(.get, "/api/payments/\(transactionID)", token: shopper.token).reply(Endpoints.payment).data.status == .failed)
        #expect(try await InventoryServiceTests.quantity(client, lamp.productID) == 4)
        #expect(try await Self.cartLines(client, token: shopper.token) == [lamp.productID: 3])

        // The kept cart checks out with a good card.
        let retry = try await Self.checkout(client, token: shopper.token)
        #expect(retry.status == .ok, "\(retry.body)")
        #expect(try await InventoryServiceTests.quantity(client, lamp.productID) == 1)
    }

    @Test(arguments: Topology.allCases) func badRequestsAreRefusedBeforeAnythingHappens(_ topology: Topology) async throws {
        let client = try Deployments.client(topology)
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

    @Test(arguments: Topology.allCases) func missingOrBadTokensAndCartsWithoutLoginAreRefused(_ topology: Topology) async throws {
        let client = try Deployments.client(topology)
        let lamp = try await InventoryServiceTests.stockedProduct(client, quantity: 2)
        let forged = try await TokenService(userSecret: TestStores.randomSecret(), serviceSecret: TestStores.randomSecret())
            .issueUserToken(userID: UserID(UUID()), role: .customer)
        for token in [nil, "not-a-token", forged] {
            let checkout = try await Self.checkout(client, token: token)
            #expect(checkout.status == .unauthorized, "\(checkout.body)")
            #expect(checkout.success == false)
            #expect(checkout.message?.isEmpty == false)
            #expect(try await client.send(.get, "/api/orders/cart", token: token).status == .unauthorized)
            #expect(try await client.send(.post, "/api/orders/cart/add", token: token, json: AddToCartRequest(productId: lamp.productID, quantity: 1)).status == .unauthorized)
            #expect(try await client.send(.delete, "/api/orders/cart/remove", token: token, json: RemoveFromCartRequest(productId: lamp.productID)).status == .unauthorized)
            #expect(try await client.send(.delete, "/api/orders/cart/clear", token: token).status == .unauthorized)
            #expect(try await client.send(.get, "/api/orders", token: token).status == .unauthorized)
        }
        // A shopper's token never passes for a service credential on the internal routes.
        let shopper = try await client.signUp()
        let reserve = try await client.send(.post, "/api/inventory/reserve", token: shopper.token,
                                            json: ReserveStockRequest(orderId: UUID().uuidString, items: [StockLineInput(productId: lamp.productID, quantity: 2)]))
        #expect(reserve.status == .forbidden)
        let create = try await client.send(.post, "/api/orders", token: shopper.token,
                                           json: CreateOrderRequest(userId: shopper.id, shippingAddress: Self.address))
        #expect(create.status == .forbidden)
        let restore = try await client.send(.post, "/api/orders/\(UUID().uuidString)/restore-cart", token: shopper.token)
        #expect(restore.status == .forbidden)
        #expect(try await InventoryServiceTests.quantity(client, lamp.productID) == 2)
    }

    @Test(arguments: Topology.allCases) func aRepeatedIdempotencyKeyAnswersTheFirstResultWithoutASecondOrderOrCharge(_ topology: Topology) async throws {
        let client = try Deployments.client(topology)
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
        let placed = try first.reply(Endpoints.checkout), replayed = try again.reply(Endpoints.checkout)
        #expect(replayed.orderId == placed.orderId)
        #expect(replayed.transactionId == placed.transactionId)
        #expect(try await InventoryServiceTests.quantity(client, lamp.productID) == 8)
        let history = try await client.send(.get, "/api/orders", token: shopper.token)
        #expect(try history.reply(Endpoints.orders).data.count == 1)

        // Another shopper's same key is theirs alone.
        let other = try await client.signUp()
        try await Self.addToCart(client, token: other.token, lamp.productID, 1)
        let theirs = try await Self.checkout(client, token: other.token, key: key)
        #expect(theirs.status == .ok)
        #expect(try theirs.reply(Endpoints.checkout).orderId != placed.orderId)
    }

    @Test(arguments: Topology.allCases) func aHundredShoppersRacingForTheLastTenUnitsGetExactlyTenOrders(_ topology: Topology) async throws {
        let client = try Deployments.client(topology)
        let lamp = try await InventoryServiceTests.stockedProduct(client, quantity: 10)
        // Sign-ups ten at a time (each is a bcrypt hash); the race is the checkouts below.
        var shoppers: [String] = []
        for _ in 0..<10 {
            shoppers += try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<10 {
                    group.addTask {
                        let shopper = try await client.signUp()
                        try await Self.addToCart(client, token: shopper.token, lamp.productID, 1)
                        return shopper.token
                    }
                }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
        }
        #expect(shoppers.count == 100)
        let results = try await withThrowingTaskGroup(of: (String, JSONResult).self) { group in
            for token in shoppers {
                group.addTask { (token, try await Self.checkout(client, token: token)) }
            }
            return try await group.reduce(into: [(String, JSONResult)]()) { $0.append($1) }
        }
        let confirmed = results.filter { $0.1.status == .ok }
        let refused = results.filter { $0.1.status == .conflict }
        #expect(confirmed.count == 10)
        #expect(refused.count == 90, "statuses: \(Dictionary(grouping: results, by: { $0.1.status.code }).mapValues(\.count)); others: \(results.filter { ![200, 409].contains($0.1.status.code) }.map(\.1.body))")
        #expect(try await InventoryServiceTests.quantity(client, lamp.productID) == 0)
        for (token, result) in confirmed {
            let placed = try result.reply(Endpoints.checkout)
            let order = try await Self.order(client, token: token, try #require(placed.orderId))
            #expect(order.status == .confirmed)
            let transactionID = try #require(placed.transactionId)
            let payment = try await client.send(.get, "/api/payments/\(transactionID)", token: token)
            #expect(try payment.reply(Endpoints.payment).data.status == .completed)
        }
        for (token, result) in refused.prefix(15) {
            let orderID = try #require(try result.reply(Endpoints.checkout).orderId)
            #expect(try await Self.order(client, token: token, orderID).status == .cancelled)
        }
    }
}
