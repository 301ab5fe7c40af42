import Foundation
import MarketplaceAPI
import PostgresNIO
import ServiceKit
@testable import Composition
import Testing

/// The real server killed in the middle of cancellations, then started again:
/// what was begun is finished, and the books balance.
@Suite("Cancellations after a crash") struct CancellationFaultTests {
    @Test func aServerKilledWhileRefundsAreInFlightFinishesEveryCancellationWhenItStartsAgain() async throws {
        let configuration = try await TestStores.prepareIsolated("cancelcrash")
        let environment = try ServerProcess.environment([
            // Refunds take 1.5 s at the processor: the kill lands between an order's
            // cancellation and its refund.
            "STOREFRONT_PAYMENT_LATENCY_MS": "1500",
            "STOREFRONT_CHECKOUT_STALE_AFTER": "1",
            "STOREFRONT_DB_SUFFIX": configuration.databaseSuffix,
        ])
        let first = try await ServerProcess.start(environment: environment)
        let client = first.client
        let lamp = try await InventoryServiceTests.stockedProduct(client, quantity: 20)

        // Four paid, Confirmed orders of two lamps; the fifth shopper keeps theirs.
        var orders: [(token: String, orderID: String)] = []
        for _ in 0..<5 {
            let shopper = try await client.signUp()
            try await CheckoutTests.addToCart(client, token: shopper.token, lamp.productID, 2)
            let placed = try await CheckoutTests.checkout(client, token: shopper.token).reply(Endpoints.checkout)
            orders.append((shopper.token, try #require(placed.orderId)))
        }
        #expect(try await InventoryServiceTests.quantity(client, lamp.productID) == 10)
        let cancelled = Array(orders.prefix(4)), kept = orders[4]

        // Four cancellations at once; the server dies once one has cancelled its order and is refunding it.
        let inFlight = Task {
            await withTaskGroup(of: Void.self) { group in
                for order in cancelled {
                    group.addTask { _ = try? await CancellationTests.cancel(client, token: order.token, order.orderID, key: "crash-\(order.orderID)") }
                }
            }
        }
        try await CheckoutFaultTests.waitForRows("a cancellation between its order and its refund", configuration, .checkout,
                                                 "SELECT state FROM cancellations", within: .seconds(30)) { $0.contains("order_cancelled") }
        _ = try await first.stop(signal: SIGKILL)
        await inFlight.value

        // Started again, recovery finishes every cancellation that was written down.
        let second = try await ServerProcess.start(environment: environment)
        try await CheckoutFaultTests.waitForRows("every cancellation written down finished", configuration, .checkout,
                                                 "SELECT state FROM cancellations", within: .seconds(45)) { states in
            !states.isEmpty && states.allSatisfy { $0 == "completed" }
        }
        // A cancellation the kill cut off before it was written down is asked again by its shopper.
        for order in cancelled {
            let answer = try await CancellationTests.cancel(second.client, token: order.token, order.orderID, key: "again-\(order.orderID)")
            #expect(answer.status == .ok, "\(answer.body)")
        }
        try await Self.holdTheInvariants(configuration, second.client, productID: lamp.productID, stocked: 20)
        #expect(try await CheckoutTests.order(second.client, token: kept.token, kept.orderID).status == .confirmed)
        #expect(try await InventoryServiceTests.quantity(second.client, lamp.productID) == 18)
        #expect(try await second.stop() == 0)
    }

    /// The books of orders, stock and payments agree: the stock taken is the units
    /// of orders that are not Cancelled; each Cancelled order that was paid has
    /// exactly one Refunded payment and no Completed one; no Cancelled order has a shipped part.
    static func holdTheInvariants(_ configuration: AppConfiguration, _ client: some APIClient, productID: String, stocked: Int,
                                  sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let held = try await CheckoutFaultTests.texts(configuration, .orders, """
            SELECT COALESCE(sum(i.quantity), 0)::text FROM order_items i JOIN orders o ON o.id = i.order_id
            WHERE i.product_id = \(productID) AND o.status <> 'Cancelled'
            """)
        let quantity = try #require(try await InventoryServiceTests.quantity(client, productID))
        #expect(stocked - quantity == Int(held.first ?? "") ?? -1, "stock taken \(stocked - quantity), units in live orders \(held)",
                sourceLocation: sourceLocation)
        let cancelledIDs = try await CheckoutFaultTests.texts(configuration, .orders, "SELECT id::text FROM orders WHERE status = 'Cancelled'")
        let shippedAndCancelled = try await CheckoutFaultTests.texts(configuration, .orders, """
            SELECT s.order_id::text FROM shipments s JOIN orders o ON o.id = s.order_id
            WHERE o.status = 'Cancelled' AND s.status <> 'Pending'
            """)
        #expect(shippedAndCancelled.isEmpty, "orders both shipped and cancelled: \(shippedAndCancelled)", sourceLocation: sourceLocation)
        for orderID in cancelledIDs {
            let payments = try await CheckoutFaultTests.texts(configuration, .payments, "SELECT status::text FROM transactions WHERE order_id = \(orderID)")
            #expect(payments.isEmpty || payments == ["Refunded"], "order \(orderID): \(payments)", sourceLocation: sourceLocation)
        }
        // Each cancellation that finished wrote its refund on the order: the Refunded payment's id, or none when unpaid.
        for orderID in try await CheckoutFaultTests.texts(configuration, .checkout, "SELECT order_id FROM cancellations WHERE state = 'completed'") {
            let refunded = try await CheckoutFaultTests.texts(configuration, .payments,
                "SELECT id::text FROM transactions WHERE order_id = \(orderID) AND status = 'Refunded'")
            let written = try await CheckoutFaultTests.texts(configuration, .orders,
                "SELECT COALESCE(refund_transaction_id::text, 'none') FROM orders WHERE id = \(orderID)::uuid")
            #expect(written == [refunded.first ?? "none"], "order \(orderID): refund written \(written), payments refunded \(refunded)",
                    sourceLocation: sourceLocation)
        }
    }
}
