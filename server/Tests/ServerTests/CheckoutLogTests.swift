import CheckoutService
import Foundation
import MarketplaceAPI
import Composition
import PostgresNIO
import ServiceKit
import Testing

/// The checkout log on real PostgreSQL: one driver at a time.
@Suite("Checkout log") struct CheckoutLogTests {
    @Test func aCheckoutTakenOverByRecoveryCannotBeWrittenByItsFirstDriver() async throws {
        // Databases of its own: claiming with no stale delay would take other tests' live checkouts.
        let configuration = try await TestStores.prepareIsolated("lease")
        let location = try PostgresLocation(url: configuration.postgresURL)
        let client = location.client(database: configuration.databaseName(.checkout), logger: TestStores.logger)
        try await PostgresClient.withRunning(client) { client in
            let log = PostgresCheckoutLog(client: client, logger: TestStores.logger)
            let address = ShippingAddress(street: "1 Main St", city: "Gent", zip: "9000", country: "Belgium")
            guard case .started(let first) = try await log.begin(userID: "u-1", idempotencyKey: "k-1", address: address, paymentMethod: "tok_visa") else {
                Issue.record("a new key must start a checkout"); return
            }
            try await log.record(first, state: .orderCreated, orderID: "o-1", amount: Money("12.50"), transactionID: nil)

            // Recovery takes it over (nothing is stale before now, so a zero delay takes it at once).
            let taken = try #require(try await log.claimStale(staleAfter: .zero))
            #expect(taken.id == first.id)
            #expect(taken.driver != first.driver)
            #expect(taken.state == .orderCreated)
            #expect(taken.orderID == "o-1")
            #expect(taken.amount == Money("12.50"))

            // The first driver, merely slow, can no longer move it or answer for it.
            await #expect(throws: CheckoutSuperseded(checkoutID: first.id)) {
                try await log.record(first, state: .stockReserved, orderID: nil, amount: nil, transactionID: nil)
            }
            let answer = CheckoutOutcome(.placed, orderID: "o-1", transactionID: "t-1")
            await #expect(throws: CheckoutSuperseded(checkoutID: first.id)) {
                try await log.answer(first, state: .completed, outcome: answer)
            }

            // The new driver settles it; the shopper's replay gets that answer.
            let undone = CheckoutOutcome(.interrupted(stage: .undone), orderID: "o-1")
            try await log.answer(taken, state: .failed, outcome: undone)
            guard case .existing(let replay) = try await log.begin(userID: "u-1", idempotencyKey: "k-1", address: address, paymentMethod: "tok_visa") else {
                Issue.record("the same key must find the checkout"); return
            }
            #expect(replay.state == .failed)
            #expect(replay.outcome == undone)
            #expect(try await log.claimStale(staleAfter: .zero) == nil, "a finished checkout is never taken again")
        }
    }

    @Test func eachTakeoverWaitsTwiceAsLongBeforeTheNext() async throws {
        let configuration = try await TestStores.prepareIsolated("backoff")
        let location = try PostgresLocation(url: configuration.postgresURL)
        let client = location.client(database: configuration.databaseName(.checkout), logger: TestStores.logger)
        try await PostgresClient.withRunning(client) { client in
            let log = PostgresCheckoutLog(client: client, logger: TestStores.logger)
            let address = ShippingAddress(street: "1 Main St", city: "Gent", zip: "9000", country: "Belgium")
            guard case .started(let record) = try await log.begin(userID: "u-2", idempotencyKey: "k-2", address: address, paymentMethod: "tok_visa") else {
                Issue.record("a new key must start a checkout"); return
            }
            // Untouched for 3 s, stale after 1 s: taken once (1 s × 2⁰), again after one
            // takeover (1 s × 2¹ = 2 s), but not after two (1 s × 2² = 4 s).
            for (attempts, claimable) in [(0, true), (1, true), (2, false)] {
                try await client.query("""
                    UPDATE checkouts SET updated_at = now() - interval '3 seconds', recovery_attempts = \(attempts) WHERE id = \(record.id)
                    """, logger: TestStores.logger)
                let taken = try await log.claimStale(staleAfter: .seconds(1))
                #expect((taken != nil) == claimable, "after \(attempts) takeovers")
                if let taken { #expect(taken.recoveryAttempts == attempts + 1) }
            }
        }
    }
}
