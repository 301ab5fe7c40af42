import Foundation
import HTTPTypes
import MarketplaceAPI
import ServiceKit
@testable import Composition
import Testing

/// `POST /api/orders/:id/cancel` against the real server and stores, all in one
/// process and split behind nginx.
@Suite("Cancelling an order", .deployments) struct CancellationTests {
    static func cancel(_ client: some APIClient, token: String, _ orderID: String, key: String? = nil) async throws -> JSONResult {
        var headers = HTTPFields()
        if let key { headers[HTTPField.Name("Idempotency-Key")!] = key }
        return try await client.send(.post, "/api/orders/\(orderID)/cancel", token: token, headers: headers)
    }

    /// A shopper's paid, Confirmed order of two lamps from a stock of 10.
    static func placedOrder(_ client: some APIClient) async throws -> (shopper: String, orderID: String, transactionID: String, productID: String) {
        let lamp = try await InventoryServiceTests.stockedProduct(client, quantity: 10)
        let shopper = try await client.signUp()
        try await CheckoutTests.addToCart(client, token: shopper.token, lamp.productID, 2)
        let placed = try await CheckoutTests.checkout(client, token: shopper.token).reply(Endpoints.checkout)
        let orderID = try #require(placed.orderId)
        #expect(try await InventoryServiceTests.quantity(client, lamp.productID) == 8)
        return (shopper.token, orderID, try #require(placed.transactionId), lamp.productID)
    }

    static func paymentStatus(_ client: some APIClient, token: String, _ transactionID: String) async throws -> PaymentStatus {
        try await client.send(.get, "/api/payments/\(transactionID)", token: token).reply(Endpoints.payment).data.status
    }

    @Test(arguments: Topology.allCases) func aShopperCancelsAPaidOrderAndGetsTheMoneyAndTheStockBackOnce(_ topology: Topology) async throws {
        let client = try Deployments.client(topology)
        let order = try await Self.placedOrder(client)

        // Someone else's order is not theirs to cancel.
        let stranger = try await client.signUp()
        let refused = try await Self.cancel(client, token: stranger.token, order.orderID)
        #expect(refused.status == .notFound && refused.code == .notFound, "\(refused.body)")

        let key = "cancel-\(UUID().uuidString)"
        let cancelled = try await Self.cancel(client, token: order.shopper, order.orderID, key: key)
        #expect(cancelled.status == .ok, "\(cancelled.body)")
        let answered = try cancelled.reply(Endpoints.cancelOrder).data
        #expect(answered.status == .cancelled)
        // The order shows its refund: the payment given back, all of it, and when.
        let refund = try #require(answered.refund, "\(cancelled.body)")
        #expect(refund.transactionId == order.transactionID)
        #expect(refund.amount == Money("39.98")!)
        let read = try await CheckoutTests.order(client, token: order.shopper, order.orderID)
        #expect(read.status == .cancelled)
        #expect(read.refund == refund)
        let payment = try await client.send(.get, "/api/payments/\(order.transactionID)", token: order.shopper).reply(Endpoints.payment).data
        #expect(payment.status == .refunded)
        #expect(payment.refundedAt.map { abs($0.timeIntervalSince(refund.refundedAt)) < 1 } == true, "\(payment)")
        #expect(try await InventoryServiceTests.quantity(client, order.productID) == 10)

        // The same key, another key: the same answer, and nothing moves again.
        for again in [key, "cancel-\(UUID().uuidString)"] {
            let replay = try await Self.cancel(client, token: order.shopper, order.orderID, key: again)
            #expect(replay.status == .ok, "\(replay.body)")
            #expect(try await InventoryServiceTests.quantity(client, order.productID) == 10)
            #expect(try await Self.paymentStatus(client, token: order.shopper, order.transactionID) == .refunded)
            #expect(try await CheckoutTests.order(client, token: order.shopper, order.orderID).refund == refund)
        }
    }

    @Test(arguments: Topology.allCases) func anAdminCancelsAShoppersOrderAndOnlyTheShopperOrAnAdminMay(_ topology: Topology) async throws {
        let client = try Deployments.client(topology)
        let order = try await Self.placedOrder(client)
        // A vendor is neither the shopper nor an admin: the order does not exist for them.
        let vendor = try await client.signUp(role: .vendor, name: "Test Vendor")
        let refused = try await Self.cancel(client, token: vendor.token, order.orderID)
        #expect(refused.status == .notFound && refused.code == .notFound, "\(refused.body)")

        let admin = try await client.signUp(role: .admin, name: "Test Admin")
        let cancelled = try await Self.cancel(client, token: admin.token, order.orderID, key: "admin-\(UUID().uuidString)")
        #expect(cancelled.status == .ok, "\(cancelled.body)")
        let read = try await CheckoutTests.order(client, token: order.shopper, order.orderID)
        #expect(read.status == .cancelled)
        #expect(read.refund?.transactionId == order.transactionID)
        #expect(try await Self.paymentStatus(client, token: order.shopper, order.transactionID) == .refunded)
        #expect(try await InventoryServiceTests.quantity(client, order.productID) == 10)
    }

    @Test(arguments: Topology.allCases) func tenConcurrentCancelsOfOneOrderCancelItOnce(_ topology: Topology) async throws {
        let client = try Deployments.client(topology)
        let order = try await Self.placedOrder(client)
        let answers = try await withThrowingTaskGroup(of: JSONResult.self) { group in
            for index in 0..<10 {
                group.addTask { try await Self.cancel(client, token: order.shopper, order.orderID, key: "ten-\(index)-\(order.orderID)") }
            }
            return try await group.reduce(into: [JSONResult]()) { $0.append($1) }
        }
        for answer in answers {
            #expect(answer.status == .ok || answer.code == .cancellationInProgress, "\(answer.body)")
        }
        #expect(answers.contains { $0.status == .ok })
        #expect(try await Self.paymentStatus(client, token: order.shopper, order.transactionID) == .refunded)
        // The stock came back once: ten releases would have been refused, or counted once.
        #expect(try await InventoryServiceTests.quantity(client, order.productID) == 10)
    }

    @Test(arguments: Topology.allCases) func anOrderWithAShippedPartCannotBeCancelledAndNothingMoves(_ topology: Topology) async throws {
        let client = try Deployments.client(topology)
        // Two vendors' products in one order; one vendor ships their part (the order stays Confirmed).
        let lamp = try await InventoryServiceTests.stockedProduct(client, quantity: 10)
        let mug = try await InventoryServiceTests.stockedProduct(client, quantity: 10, name: "Test Mug", price: "4.50")
        let shopper = try await client.signUp()
        try await CheckoutTests.addToCart(client, token: shopper.token, lamp.productID, 2)
        try await CheckoutTests.addToCart(client, token: shopper.token, mug.productID, 1)
        let placed = try await CheckoutTests.checkout(client, token: shopper.token).reply(Endpoints.checkout)
        let orderID = try #require(placed.orderId), transactionID = try #require(placed.transactionId)
        let shipped = try await client.send(.post, "/api/orders/\(orderID)/shipments/ship", token: lamp.vendor,
                                            json: ShipOrderRequest(carrier: "PostNL", trackingNumber: "3S123"))
        #expect(shipped.status == .ok, "\(shipped.body)")
        #expect(try await CheckoutTests.order(client, token: shopper.token, orderID).status == .confirmed)

        let refused = try await Self.cancel(client, token: shopper.token, orderID)
        #expect(refused.status == .conflict && refused.code == .orderNotCancellable, "\(refused.body)")
        #expect(try await Self.paymentStatus(client, token: shopper.token, transactionID) == .completed)
        #expect(try await InventoryServiceTests.quantity(client, lamp.productID) == 8)
        #expect(try await InventoryServiceTests.quantity(client, mug.productID) == 9)
        let order = try await CheckoutTests.order(client, token: shopper.token, orderID)
        #expect(order.status == .confirmed)
        #expect(order.refund == nil)
        // No refund is written as `null`, as the contract says.
        let raw = try await client.send(.get, "/api/orders/\(orderID)", token: shopper.token)
        #expect(raw.body.contains("\"refund\":null"), "\(raw.body)")
        #expect(order.shipments.map(\.status).sorted { $0.rawValue < $1.rawValue } == [.pending, .shipped])
        // Asked again, the same answer: the refusal is the cancellation's outcome.
        let again = try await Self.cancel(client, token: shopper.token, orderID)
        #expect(again.code == .orderNotCancellable, "\(again.body)")
    }

    @Test func aMalformedIdempotencyKeyIsRefusedBeforeAnythingMoves() async throws {
        let client = try Deployments.client(.allInOne)
        let order = try await Self.placedOrder(client)
        let refused = try await Self.cancel(client, token: order.shopper, order.orderID, key: "has spaces inside")
        #expect(refused.status == .badRequest, "\(refused.body)")
        #expect(try await CheckoutTests.order(client, token: order.shopper, order.orderID).status == .confirmed)
    }
}
