import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import MarketplaceAPI
import ServiceKit
import Testing

@Suite("Order service") struct OrderServiceTests {
    static let address = ShippingAddressInput(street: "1 Market St", city: "Springfield", zip: "12345", country: "US")

    static func add(_ client: some APIClient, token: String, _ productID: String, quantity: Int? = nil) async throws -> JSONResult {
        try await client.send(.post, "/api/orders/cart/add", token: token, json: AddToCartRequest(productId: productID, quantity: quantity))
    }

    static func createOrder(_ client: some APIClient, userID: String, key: String? = nil,
                            address: ShippingAddressInput? = OrderServiceTests.address) async throws -> JSONResult {
        try await client.send(.post, "/api/orders", token: try await serviceToken(),
                              json: CreateOrderRequest(userId: userID, shippingAddress: address, idempotencyKey: key))
    }

    static func setStatus(_ client: some APIClient, _ orderID: String, _ status: String, token: String? = nil) async throws -> JSONResult {
        let token = if let token { token } else { try await serviceToken() }
        return try await client.send(.put, "/api/orders/\(orderID)/status", token: token, json: UpdateOrderStatusRequest(status: status))
    }

    /// A shopper with one product in their cart, turned into a Pending order.
    static func pendingOrder(_ client: some APIClient) async throws -> (orderID: String, shopper: (token: String, id: String, email: String)) {
        let vendor = try await client.signUp(role: .vendor)
        let shopper = try await client.signUp()
        let product = try await createTestProduct(client, vendorToken: vendor.token)
        #expect(try await add(client, token: shopper.token, product).status == .ok)
        let created = try await createOrder(client, userID: shopper.id)
        #expect(created.status == .created, "\(created.body)")
        return (try created.reply(Endpoints.createOrder).data.id, shopper)
    }

    @Test func aCancelledOrdersItemsGoBackToTheCartOnceHoweverOftenItIsAsked() async throws {
        try await withTestApp { client in
            let (orderID, shopper) = try await Self.pendingOrder(client)
            let service = try await serviceToken()
            let early = try await client.send(.post, "/api/orders/\(orderID)/restore-cart", token: service)
            #expect(early.status == .conflict, "a Pending order's items stay in the order: \(early.body)")
            #expect(try await Self.setStatus(client, orderID, "Cancelled").status == .ok)

            // Three concurrent requests and a late one: the items go back once.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<3 {
                    group.addTask {
                        let restored = try await client.send(.post, "/api/orders/\(orderID)/restore-cart", token: service)
                        #expect(restored.status == .ok, "\(restored.body)")
                    }
                }
                try await group.waitForAll()
            }
            let again = try await client.send(.post, "/api/orders/\(orderID)/restore-cart", token: service)
            #expect(again.status == .ok)
            let items = try await client.send(.get, "/api/orders/cart", token: shopper.token).reply(Endpoints.cart).data.items
            #expect(items.count == 1)
            #expect(items.first?.quantity == 1)
            #expect(try await client.send(.post, "/api/orders/\(orderID)/restore-cart", token: shopper.token).status == .forbidden)
        }
    }

    // MARK: Cart

    @Test func theCartTakesNameAndPriceFromTheCatalogAndIgnoresAClientSentPrice() async throws {
        try await withTestApp { client in
            let vendor = try await client.signUp(role: .vendor)
            let shopper = try await client.signUp()
            let product = try await createTestProduct(client, vendorToken: vendor.token, name: "Brass Lamp", price: "19.99")
            let added = try await client.send(.post, "/api/orders/cart/add", token: shopper.token,
                                              raw: #"{"productId":"\#(product)","name":"Free Lamp","price":0.01,"quantity":2}"#)
            #expect(added.status == .ok, "\(added.body)")
            let items = try added.reply(Endpoints.addToCart).data.items
            #expect(items.count == 1)
            #expect(items.first?.name == "Brass Lamp")
            #expect(items.first?.quantity == 2)
            #expect(added.body.contains(#""price":19.99"#))
            #expect(added.body.contains(#""totalPrice":39.98"#))
            #expect(!added.body.contains("0.01"))

            let read = try await client.send(.get, "/api/orders/cart", token: shopper.token)
            #expect(read.status == .ok)
            #expect(read.body.contains(#""totalPrice":39.98"#))
            #expect(try read.reply(Endpoints.cart).data.userId == shopper.id)
        }
    }

    @Test func addingAProductAgainAddsToItsQuantityAndTheTotalStaysExact() async throws {
        try await withTestApp { client in
            let vendor = try await client.signUp(role: .vendor)
            let shopper = try await client.signUp()
            let dime = try await createTestProduct(client, vendorToken: vendor.token, name: "Dime", price: "0.10")
            let twenty = try await createTestProduct(client, vendorToken: vendor.token, name: "Twenty", price: "0.20")
            _ = try await Self.add(client, token: shopper.token, dime)
            let both = try await Self.add(client, token: shopper.token, twenty)
            // 0.1 + 0.2 in floating point is 0.30000000000000004.
            #expect(both.body.contains(#""totalPrice":0.3"#) && !both.body.contains("0.3000"), "\(both.body)")
            let again = try await Self.add(client, token: shopper.token, dime, quantity: 2)
            let items = try again.reply(Endpoints.addToCart).data.items
            #expect(items.count == 2)
            #expect(items.first { $0.productId == dime }?.quantity == 3)
            #expect(again.body.contains(#""totalPrice":0.5"#) && !again.body.contains("0.5000"), "\(again.body)")
        }
    }

    @Test func concurrentAddsToOneCartLoseNoUnits() async throws {
        try await withTestApp { client in
            let vendor = try await client.signUp(role: .vendor)
            let shopper = try await client.signUp()
            let product = try await createTestProduct(client, vendorToken: vendor.token, price: "1.25")
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<20 {
                    group.addTask { try await Self.add(client, token: shopper.token, product).status }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.allSatisfy { $0 == .ok })
            let cart = try await client.send(.get, "/api/orders/cart", token: shopper.token)
            #expect(try cart.reply(Endpoints.cart).data.items.first?.quantity == 20)
            #expect(cart.body.contains(#""totalPrice":25"#))
        }
    }

    @Test func cartInputIsCheckedAndUnknownProductsAnswer404() async throws {
        try await withTestApp { client in
            let vendor = try await client.signUp(role: .vendor)
            let shopper = try await client.signUp()
            let product = try await createTestProduct(client, vendorToken: vendor.token)
            let unknown = try await Self.add(client, token: shopper.token, "000000000000000000000000")
            #expect(unknown.status == .notFound)
            #expect(unknown.success == false)
            for raw in [#"{"productId":"\#(product)","quantity":0}"#, #"{"productId":"\#(product)","quantity":-2}"#,
                        #"{"productId":"\#(product)","quantity":1.5}"#, #"{"productId":"\#(product)","quantity":"2"}"#,
                        #"{"productId":"\#(product)","quantity":100000}"#, #"{"quantity":1}"#, #"{"productId":""}"#, "nope"] {
                let result = try await client.send(.post, "/api/orders/cart/add", token: shopper.token, raw: raw)
                #expect(result.status == .badRequest, "\(raw) → \(result.status) \(result.body)")
                #expect(result.success == false)
            }
            let cart = try await client.send(.get, "/api/orders/cart", token: shopper.token)
            #expect(try cart.reply(Endpoints.cart).data.items.isEmpty)
            #expect(cart.body.contains(#""totalPrice":0"#))
        }
    }

    @Test func aCartTotalPastWhatTheStoreHoldsAnswers400AndLeavesTheCartAsItWas() async throws {
        try await withTestApp { client in
            let vendor = try await client.signUp(role: .vendor)
            let shopper = try await client.signUp()
            let dear = try await createTestProduct(client, vendorToken: vendor.token, name: "Yacht", price: "99999999.99")
            let first = try await Self.add(client, token: shopper.token, dear)
            #expect(first.status == .ok, "\(first.body)")
            let second = try await Self.add(client, token: shopper.token, dear)
            #expect(second.status == .badRequest, "\(second.body)")
            #expect(second.success == false)
            let cart = try await client.send(.get, "/api/orders/cart", token: shopper.token)
            #expect(try cart.reply(Endpoints.cart).data.items.first?.quantity == 1)
            #expect(cart.body.contains(#""totalPrice":99999999.99"#))
        }
    }

    @Test func removingAndClearingRecomputeTheTotal() async throws {
        try await withTestApp { client in
            let vendor = try await client.signUp(role: .vendor)
            let shopper = try await client.signUp()
            let lamp = try await createTestProduct(client, vendorToken: vendor.token, name: "Lamp", price: "10.00")
            let rug = try await createTestProduct(client, vendorToken: vendor.token, name: "Rug", price: "2.55")
            _ = try await Self.add(client, token: shopper.token, lamp)
            _ = try await Self.add(client, token: shopper.token, rug, quantity: 2)
            let removed = try await client.send(.delete, "/api/orders/cart/remove", token: shopper.token, json: RemoveFromCartRequest(productId: lamp))
            #expect(removed.status == .ok)
            #expect(try removed.reply(Endpoints.removeFromCart).data.items.map(\.productId) == [rug])
            #expect(removed.body.contains(#""totalPrice":5.1"#))
            let absent = try await client.send(.delete, "/api/orders/cart/remove", token: shopper.token, json: RemoveFromCartRequest(productId: lamp))
            #expect(absent.status == .notFound)
            let noID = try await client.send(.delete, "/api/orders/cart/remove", token: shopper.token, raw: "{}")
            #expect(noID.status == .badRequest)
            let cleared = try await client.send(.delete, "/api/orders/cart/clear", token: shopper.token)
            #expect(cleared.status == .ok)
            #expect(try cleared.reply(Endpoints.clearCart).data.items.isEmpty)
            #expect(cleared.body.contains(#""totalPrice":0"#))
        }
    }

    @Test func readingACartCreatesItOnceAndThenWritesNothing() async throws {
        try await withTestApp { client in
            let vendor = try await client.signUp(role: .vendor)
            let shopper = try await client.signUp()
            // A shopper without a cart gets an empty one, the same one every time.
            let first = try await client.send(.get, "/api/orders/cart", token: shopper.token)
            let second = try await client.send(.get, "/api/orders/cart", token: shopper.token)
            #expect(first.status == .ok && second.status == .ok, "\(first.body) \(second.body)")
            let empty = try first.reply(Endpoints.cart).data
            let cartID = empty.id
            #expect(try second.reply(Endpoints.cart).data.id == cartID)
            #expect(empty.items.isEmpty)
            #expect(first.body.contains(#""totalPrice":0"#), "\(first.body)")

            let lamp = try await createTestProduct(client, vendorToken: vendor.token, name: "Lamp", price: "12.50")
            let added = try await Self.add(client, token: shopper.token, lamp, quantity: 2)
            let stamp = try added.reply(Endpoints.addToCart).data.updatedAt
            // Reads answer what is stored and leave it as it is (updatedAt included).
            for _ in 0..<2 {
                let read = try await client.send(.get, "/api/orders/cart", token: shopper.token)
                let cart = try read.reply(Endpoints.cart).data
                #expect(cart.id == cartID)
                #expect(cart.updatedAt == stamp, "\(read.body)")
                #expect(read.body.contains(#""totalPrice":25"#), "\(read.body)")
                #expect(cart.items.count == 1 && cart.items.first?.quantity == 2, "\(read.body)")
            }
        }
    }

    @Test func cartsAreForSignedInUsersOnly() async throws {
        try await withTestApp { client in
            let service = try await serviceToken()
            let anonymousCart = try await client.send(.get, "/api/orders/cart")
            let anonymousAdd = try await client.send(.post, "/api/orders/cart/add", json: AddToCartRequest(productId: "x"))
            let anonymousClear = try await client.send(.delete, "/api/orders/cart/clear")
            let anonymousHistory = try await client.send(.get, "/api/orders")
            let serviceCart = try await client.send(.get, "/api/orders/cart", token: service)
            #expect(anonymousCart.status == .unauthorized)
            #expect(anonymousAdd.status == .unauthorized)
            #expect(anonymousClear.status == .unauthorized)
            #expect(anonymousHistory.status == .unauthorized)
            #expect(serviceCart.status == .forbidden)
            #expect(serviceCart.success == false)
        }
    }

    // MARK: Orders

    @Test func creatingAnOrderSnapshotsTheCartSavesTheAddressAndEmptiesTheCart() async throws {
        try await withTestApp { client in
            let vendor = try await client.signUp(role: .vendor)
            let shopper = try await client.signUp()
            let lamp = try await createTestProduct(client, vendorToken: vendor.token, name: "Lamp", price: "12.50")
            let rug = try await createTestProduct(client, vendorToken: vendor.token, name: "Rug", price: "0.99")
            _ = try await Self.add(client, token: shopper.token, lamp, quantity: 2)
            _ = try await Self.add(client, token: shopper.token, rug, quantity: 3)

            let created = try await Self.createOrder(client, userID: shopper.id)
            #expect(created.status == .created, "\(created.body)")
            let order = try created.reply(Endpoints.createOrder).data
            let orderID = order.id
            #expect(order.status == .pending)
            #expect(order.userId == shopper.id)
            #expect(created.body.contains(#""totalAmount":27.97"#))
            #expect(order.items.count == 2)
            let address = try #require(order.shippingAddress)
            #expect(address.street == "1 Market St")
            #expect(address.zip == "12345")

            let cart = try await client.send(.get, "/api/orders/cart", token: shopper.token)
            #expect(try cart.reply(Endpoints.cart).data.items.isEmpty)
            #expect(cart.body.contains(#""totalPrice":0"#))

            // A later price change does not touch the order.
            let repriced = try await client.send(.put, "/api/products/\(lamp)", token: vendor.token, json: ProductInput(price: Money("99.00")!))
            #expect(repriced.status == .ok, "\(repriced.body)")
            let read = try await client.send(.get, "/api/orders/\(orderID)", token: shopper.token)
            #expect(read.status == .ok)
            #expect(read.body.contains(#""totalAmount":27.97"#))
            #expect(read.body.contains(#""price":12.5"#))

            let again = try await Self.createOrder(client, userID: shopper.id)
            #expect(again.status == .badRequest)
            #expect(again.message == "The cart is empty")
        }
    }

    @Test func aRetriedCreateWithTheSameKeyAnswersTheFirstOrder() async throws {
        try await withTestApp { client in
            let vendor = try await client.signUp(role: .vendor)
            let shopper = try await client.signUp()
            let product = try await createTestProduct(client, vendorToken: vendor.token)
            _ = try await Self.add(client, token: shopper.token, product)
            let key = "checkout-\(UUID().uuidString)"
            let replies = try await withThrowingTaskGroup(of: JSONResult.self) { group in
                for _ in 0..<4 {
                    group.addTask { try await Self.createOrder(client, userID: shopper.id, key: key) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(replies.filter { $0.status == .created }.count == 1, "\(replies.map(\.body))")
            #expect(replies.filter { $0.status == .ok }.count == 3)
            #expect(Set(try replies.map { try $0.reply(Endpoints.createOrder).data.id }).count == 1)
            let history = try await client.send(.get, "/api/orders", token: shopper.token)
            #expect(try history.reply(Endpoints.orders).data.count == 1)

            let stranger = try await client.signUp()
            _ = try await Self.add(client, token: stranger.token, product)
            #expect(try await Self.createOrder(client, userID: stranger.id, key: key).status == .conflict)

            // The shopper fills the cart again and the price changes: the key still
            // answers its order, never "prices changed", and the new cart stays as it is.
            #expect(try await Self.add(client, token: shopper.token, product).status == .ok)
            let repriced = try await client.send(.put, "/api/products/\(product)", token: vendor.token, json: ProductInput(price: Money("77.00")))
            #expect(repriced.status == .ok, "\(repriced.body)")
            let again = try await Self.createOrder(client, userID: shopper.id, key: key)
            #expect(again.status == .ok, "\(again.body)")
            #expect(try again.reply(Endpoints.createOrder).data.id == replies[0].reply(Endpoints.createOrder).data.id)
            let cart = try await client.send(.get, "/api/orders/cart", token: shopper.token)
            #expect(try cart.reply(Endpoints.cart).data.items.map(\.productId) == [product], "\(cart.body)")

            // A new key over a cart that was never made: nothing to order.
            let newcomer = try await client.signUp()
            let empty = try await Self.createOrder(client, userID: newcomer.id, key: "checkout-\(UUID().uuidString)")
            #expect(empty.status == .badRequest && empty.code == .cartEmpty, "\(empty.body)")
        }
    }

    @Test func creatingAnOrderChecksTheAddressAndNeedsAServiceCredential() async throws {
        try await withTestApp { client in
            let vendor = try await client.signUp(role: .vendor)
            let shopper = try await client.signUp()
            let product = try await createTestProduct(client, vendorToken: vendor.token)
            _ = try await Self.add(client, token: shopper.token, product)
            let bad = try await Self.createOrder(client, userID: shopper.id, address: ShippingAddressInput(street: " ", city: "X", zip: String(repeating: "9", count: 21), country: nil))
            #expect(bad.status == .badRequest)
            #expect(Set(bad.fieldErrors) == ["shippingAddress.street", "shippingAddress.zip", "shippingAddress.country"])
            let missing = try await Self.createOrder(client, userID: shopper.id, address: nil)
            #expect(missing.fieldErrors == ["shippingAddress"])
            let byShopper = try await client.send(.post, "/api/orders", token: shopper.token,
                                                  json: CreateOrderRequest(userId: shopper.id, shippingAddress: Self.address))
            #expect(byShopper.status == .forbidden)
            #expect(try await client.send(.post, "/api/orders", json: CreateOrderRequest(userId: shopper.id, shippingAddress: Self.address)).status == .unauthorized)
            // Nothing was ordered: the cart still holds the product.
            let cart = try await client.send(.get, "/api/orders/cart", token: shopper.token)
            #expect(try cart.reply(Endpoints.cart).data.items.count == 1)
        }
    }

    @Test func orderHistoryIsTheCallersOwnNewestFirstAndPaginated() async throws {
        try await withTestApp { client in
            let vendor = try await client.signUp(role: .vendor)
            let shopper = try await client.signUp()
            let other = try await client.signUp()
            let product = try await createTestProduct(client, vendorToken: vendor.token)
            var made: [String] = []
            for quantity in 1...3 {
                _ = try await Self.add(client, token: shopper.token, product, quantity: quantity)
                made.append(try await Self.createOrder(client, userID: shopper.id).reply(Endpoints.createOrder).data.id)
            }
            _ = try await Self.add(client, token: other.token, product)
            _ = try await Self.createOrder(client, userID: other.id)

            let first = try await client.send(.get, "/api/orders?limit=2", token: shopper.token)
            #expect(first.status == .ok)
            let page = try first.reply(Endpoints.orders)
            #expect(page.data.map(\.id) == [made[2], made[1]])
            #expect(page.data.first?.items.first?.quantity == 3)
            #expect(page.data.first?.shippingAddress != nil)
            #expect(page.pagination.total == 3)
            #expect(page.pagination.page == 1)
            let second = try await client.send(.get, "/api/orders?limit=2&page=2", token: shopper.token)
            #expect(try second.reply(Endpoints.orders).data.map(\.id) == [made[0]])
            #expect(try await client.send(.get, "/api/orders?limit=0", token: shopper.token).status == .badRequest)
            #expect(try await client.send(.get, "/api/orders?page=x", token: shopper.token).status == .badRequest)
        }
    }

    @Test func anOrderIsVisibleToItsOwnerAdminsAndServicesOnly() async throws {
        try await withTestApp { client in
            let (orderID, shopper) = try await Self.pendingOrder(client)
            let other = try await client.signUp()
            let admin = try await client.signUp(role: .admin)
            let own = try await client.send(.get, "/api/orders/\(orderID)", token: shopper.token)
            #expect(own.status == .ok)
            #expect(try own.reply(Endpoints.order).data.id == orderID)
            #expect(try await client.send(.get, "/api/orders/\(orderID)", token: other.token).status == .notFound)
            #expect(try await client.send(.get, "/api/orders/\(orderID)", token: admin.token).status == .ok)
            #expect(try await client.send(.get, "/api/orders/\(orderID)", token: try await serviceToken()).status == .ok)
            #expect(try await client.send(.get, "/api/orders/\(orderID)").status == .unauthorized)
            #expect(try await client.send(.get, "/api/orders/not-a-uuid", token: admin.token).status == .notFound)
        }
    }

    @Test func statusMovesFollowTheStateMachineAndIllegalOnesAnswer409() async throws {
        try await withTestApp { client in
            let (orderID, shopper) = try await Self.pendingOrder(client)
            #expect(try await Self.setStatus(client, orderID, "Shipped").status == .conflict)
            #expect(try await Self.setStatus(client, orderID, "Delivered").status == .conflict)
            let confirmed = try await Self.setStatus(client, orderID, "Confirmed")
            #expect(confirmed.status == .ok)
            #expect(try confirmed.reply(Endpoints.setOrderStatus).data.status == .confirmed)
            // A retried confirm changes nothing and is not an error.
            #expect(try await Self.setStatus(client, orderID, "Confirmed").status == .ok)
            #expect(try await Self.setStatus(client, orderID, "Pending").status == .conflict)
            #expect(try await Self.setStatus(client, orderID, "Shipped").status == .ok)
            #expect(try await Self.setStatus(client, orderID, "Cancelled").status == .conflict)
            #expect(try await Self.setStatus(client, orderID, "Delivered").status == .ok)
            let final = try await Self.setStatus(client, orderID, "Cancelled")
            #expect(final.status == .conflict)
            #expect(final.message == "An order cannot move from Delivered to Cancelled")
            #expect(try await client.send(.get, "/api/orders/\(orderID)", token: shopper.token).reply(Endpoints.order).data.status == .delivered)

            #expect(try await Self.setStatus(client, orderID, "Lost").status == .badRequest)
            #expect(try await Self.setStatus(client, UUID().uuidString, "Confirmed").status == .notFound)
            #expect(try await Self.setStatus(client, orderID, "Cancelled", token: shopper.token).status == .forbidden)
        }
    }

    @Test func concurrentShipAndCancelLeaveExactlyOneWinner() async throws {
        try await withTestApp { client in
            let (orderID, shopper) = try await Self.pendingOrder(client)
            #expect(try await Self.setStatus(client, orderID, "Confirmed").status == .ok)
            // From Confirmed both moves are legal, but neither is legal after the other.
            let replies = try await withThrowingTaskGroup(of: (String, HTTPResponse.Status).self) { group in
                for index in 0..<10 {
                    let status = index.isMultiple(of: 2) ? "Shipped" : "Cancelled"
                    group.addTask { (status, try await Self.setStatus(client, orderID, status).status) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let final = try await client.send(.get, "/api/orders/\(orderID)", token: shopper.token).reply(Endpoints.order).data.status
            #expect([.shipped, .cancelled].contains(final))
            for (asked, status) in replies {
                #expect(status == (asked == final.rawValue ? .ok : .conflict), "\(asked) → \(status), final \(final)")
            }
        }
    }
}
