import Foundation
import Logging
import MarketplaceAPI
import PostgresNIO
import ServiceKit
import SQLMigrations
import CheckoutService
import Testing

/// Answers kept before checkouts stored their result (HTTP status and body) are
/// carried over by `003_checkout_result.sql` and still replay.
@Suite("Checkout result migration") struct CheckoutResultMigrationTests {
    @Test func answersKeptAsStatusAndBodyReplayAsResults() async throws {
        let configuration = try await TestStores.prepare()
        let location = try PostgresLocation(url: configuration.postgresURL)
        let name = "checkout_migration\(TestStores.suffix)"
        try await PostgresClient.withRunning(location.client(database: "postgres", logger: TestStores.logger)) { client in
            try await client.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"), logger: TestStores.logger)
            try await MigrationRunner.createDatabaseIfMissing(name, maintenance: client, logger: TestStores.logger)
        }
        let all = try Migration.load(from: try #require(MigrationFiles.directory(for: .checkout)))
        let before = all.filter { $0.version < 3 }
        #expect(all.contains { $0.version == 3 })
        try await PostgresClient.withRunning(location.client(database: name, logger: TestStores.logger)) { client in
            let runner = MigrationRunner(client: client, logger: TestStores.logger)
            _ = try await runner.migrate(before, database: name)
            let old: [(String, String, Int, String)] = [
                ("k200", "completed", 200, #"{"success":true,"message":"Order placed successfully","orderId":"o1","transactionId":"t1"}"#),
                ("k400", "failed", 400, #"{"success":false,"message":"Your cart is empty","errors":[]}"#),
                ("k402", "failed", 402, #"{"success":false,"message":"Payment was declined: card declined","orderId":"o2","transactionId":"t2","reason":"card declined","errors":[]}"#),
                ("k409", "failed", 409, #"{"success":false,"message":"Not enough stock","orderId":"o3","shortages":[{"productId":"p1","requested":3,"available":1}],"errors":[]}"#),
                ("k503", "stock_reserved", 503, #"{"success":false,"message":"taking longer","orderId":"o4","errors":[]}"#),
            ]
            for (key, state, status, body) in old {
                try await client.query("""
                    INSERT INTO checkouts (user_id, idempotency_key, state, shipping_address, payment_method, outcome_status, outcome_body)
                    VALUES ('u1', \(key), \(state), '{"street":"s","city":"c","zip":"z","country":"k"}'::jsonb, 'tok_visa', \(status), \(body)::jsonb)
                    """, logger: TestStores.logger)
            }
            #expect(try await runner.migrate(all, database: name) == all.map(\.version).filter { $0 >= 3 })

            let log = PostgresCheckoutLog(client: client, logger: TestStores.logger)
            let address = ShippingAddress(street: "s", city: "c", zip: "z", country: "k")
            func replay(_ key: String) async throws -> CheckoutOutcome? {
                guard case .existing(let record) = try await log.begin(userID: "u1", idempotencyKey: key, address: address, paymentMethod: "tok_visa") else {
                    Issue.record("\(key) must find its checkout"); return nil
                }
                return record.outcome
            }
            #expect(try await replay("k200") == CheckoutOutcome(.placed, orderID: "o1", transactionID: "t1"))
            #expect(try await replay("k400") == CheckoutOutcome(.cartEmpty))
            #expect(try await replay("k402") == CheckoutOutcome(.declined(reason: "card declined"), orderID: "o2", transactionID: "t2"))
            #expect(try await replay("k409") == CheckoutOutcome(.shortStock(items: [
                ShortItem(StockShortage(productId: "p1", requested: 3, available: 1), name: "p1"),
            ]), orderID: "o3"))
            #expect(try await replay("k503") == CheckoutOutcome(.interrupted(stage: .finishing), orderID: "o4"))
        }
    }
}
