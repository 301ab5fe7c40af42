import Foundation
import Composition
import MarketplaceAPI
import PostgresNIO
import ServiceKit
import Testing

/// The real server killed in the middle of a checkout, then started again.
@Suite("Checkout after a crash") struct CheckoutFaultTests {
    static func json(_ value: [String: Any]) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: value), as: UTF8.self)
    }

    @Test func aServerKilledWhileThePaymentIsInFlightFinishesTheCheckoutWhenItStartsAgain() async throws {
        let configuration = try await TestStores.prepareIsolated("crash")
        let environment = try ServerProcess.environment([
            "STOREFRONT_PAYMENT_LATENCY_MS": "1500",
            "STOREFRONT_CHECKOUT_STALE_AFTER": "1",
            "STOREFRONT_DB_SUFFIX": configuration.databaseSuffix,
        ])
        let first = try await ServerProcess.start(environment: environment)

        // A vendor's lamp with 5 in stock, and a shopper with 2 in the cart.
        func account(_ server: ServerProcess, role: String) async throws -> String {
            let email = "\(role)-\(UUID().uuidString.prefix(8).lowercased())@example.com"
            _ = try await server.request("POST", "/api/auth/register", json: Self.json(["name": role, "email": email, "password": "secret1", "role": role]))
            let login = try await server.request("POST", "/api/auth/login", json: Self.json(["email": email, "password": "secret1"]))
            return try login.reply(Endpoints.login).token
        }
        let vendor = try await account(first, role: "vendor")
        let product = try await first.request("POST", "/api/products", json: Self.json([
            "name": "Crash Lamp", "description": "Survives restarts", "price": 12.5, "category": "test"]), headers: ["Authorization": "Bearer \(vendor)"])
        let productID = try product.reply(Endpoints.createProduct).data.id
        let stocked = try await first.request("POST", "/api/inventory/add", json: Self.json(["productId": productID, "quantity": 5]), headers: ["Authorization": "Bearer \(vendor)"])
        #expect(stocked.status == 200, "\(stocked.body)")
        let shopper = try await account(first, role: "customer")
        let auth = ["Authorization": "Bearer \(shopper)"]
        #expect(try await first.request("POST", "/api/orders/cart/add", json: Self.json(["productId": productID, "quantity": 2]), headers: auth).status == 200)

        // The checkout reaches the payment (1.5 s at the processor), and the server dies under it.
        let key = "crash-\(UUID().uuidString)"
        let checkoutBody = Self.json(["shippingAddress": ["street": "1 Main St", "city": "Gent", "zip": "9000", "country": "Belgium"], "paymentMethod": "tok_visa"])
        let inFlight = Task { try? await first.request("POST", "/api/checkout", json: checkoutBody, headers: auth.merging(["Idempotency-Key": key]) { $1 }) }
        // Killed once the charge is at the processor: its Pending payment is written.
        try await Self.waitForRows("the charge to reach the processor", configuration, .payments,
                                   "SELECT status::text FROM transactions", within: .seconds(20)) { $0 == ["Pending"] }
        _ = try await first.stop(signal: SIGKILL)
        #expect(await inFlight.value == nil, "the request died with the server")

        // Started again, the server settles the checkout by itself.
        let second = try await ServerProcess.start(environment: environment)
        let settled = try #require(
            // Recovery backs off between takeovers (1 s stale, doubling): a first takeover
            // that fails on a loaded machine puts the next one seconds later.
            try await Self.settledAnswer(second.client, token: shopper, key: key, within: .seconds(45)),
            "the interrupted checkout was not settled within 45 s")
        #expect(settled.status == .ok, "\(settled.body)")
        let orderID = try #require(try settled.reply(Endpoints.checkout).orderId)
        let order = try await second.request("GET", "/api/orders/\(orderID)", headers: auth)
        #expect(try order.reply(Endpoints.order).data.status == .confirmed)
        let stock = try await second.request("GET", "/api/inventory/\(productID)")
        #expect(try stock.reply(Endpoints.stockLevel).data.quantity == 3)
        let history = try await second.request("GET", "/api/orders", headers: auth)
        #expect(try history.reply(Endpoints.orders).data.count == 1)

        // One payment for the order, and it is Completed: no second charge.
        let statuses = try await Self.texts(configuration, .payments, "SELECT status::text FROM transactions WHERE order_id = \(orderID)")
        #expect(statuses == ["Completed"])
        #expect(try await second.stop() == 0)
    }

    /// Replays a checkout's Idempotency-Key until its answer is final (200, 402 or
    /// 409), which recovery writes once it has settled an interrupted checkout.
    static func settledAnswer(_ client: some APIClient, token: String, key: String, within limit: Duration) async throws -> JSONResult? {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            let answer = try await CheckoutTests.checkout(client, token: token, key: key)
            if [200, 402, 409].contains(answer.status.code) && answer.message?.contains("still in progress") != true { return answer }
            try await Task.sleep(for: .milliseconds(300))
        }
        return nil
    }

    /// Asks until `condition` holds, and fails the test naming `what` when it does not within `limit`.
    static func waitFor(_ what: @autoclosure () -> String, within limit: Duration, sourceLocation: SourceLocation = #_sourceLocation,
                        _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("no \(what()) within \(limit)", sourceLocation: sourceLocation)
        throw CancellationError()
    }

    /// Reads one text column of a service's database until `condition` holds of the
    /// rows, over one connection (a connection per look would take longer than what
    /// the test is waiting to catch).
    static func waitForRows(_ what: String, _ configuration: AppConfiguration, _ database: Database, _ query: PostgresQuery,
                            within limit: Duration, until condition: @escaping @Sendable ([String]) -> Bool,
                            sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let location = try PostgresLocation(url: configuration.postgresURL)
        let client = location.client(database: configuration.databaseName(database), logger: TestStores.logger)
        try await PostgresClient.withRunning(client) { client in
            var last: [String] = []
            try await waitFor("\(what) (last read: \(last))", within: limit, sourceLocation: sourceLocation) {
                last = []
                for try await value in try await client.query(query, logger: TestStores.logger).decode(String.self) { last.append(value) }
                return condition(last)
            }
        }
    }

    /// Rows of one text column from a service's database.
    static func texts(_ configuration: AppConfiguration, _ database: Database, _ query: PostgresQuery) async throws -> [String] {
        let location = try PostgresLocation(url: configuration.postgresURL)
        let client = location.client(database: configuration.databaseName(database), logger: TestStores.logger)
        return try await PostgresClient.withRunning(client) { client in
            var values: [String] = []
            for try await value in try await client.query(query, logger: TestStores.logger).decode(String.self) { values.append(value) }
            return values
        }
    }

    /// Every service its own process behind nginx on databases of their own, charges taking
    /// `chargeMilliseconds` at the processor, recovery taking over after a second.
    static func splitDeployment(_ name: String, chargeMilliseconds: Int, serviceTimeoutMilliseconds: Int,
                                _ more: [String: String?] = [:]) async throws -> (AppConfiguration, SplitDeployment) {
        let configuration = try await TestStores.prepareIsolated(name)
        let deployment = try await SplitDeployment.start([
            "STOREFRONT_PAYMENT_LATENCY_MS": String(chargeMilliseconds),
            "STOREFRONT_CHECKOUT_STALE_AFTER": "1",
            "STOREFRONT_SERVICE_TIMEOUT_MS": String(serviceTimeoutMilliseconds),
            "STOREFRONT_DB_SUFFIX": configuration.databaseSuffix,
        ].merging(more) { $1 })
        return (configuration, deployment)
    }

    @Test func killingThePaymentServiceUnderSixChargesLosesNoStockAndLeavesNoChargeWithoutAnOrder() async throws {
        // Every service its own process behind nginx. The processor holds every charge for two
        // minutes, which no step here comes near, so the kill lands while all six are there
        // whatever the machine's load (CI once saw 4 s charges finish before the kill landed);
        // the payment service started again charges at once.
        let (configuration, deployment) = try await Self.splitDeployment(
            "fault", chargeMilliseconds: 120_000, serviceTimeoutMilliseconds: 180_000,
            ["STOREFRONT_PAYMENT_PROVIDER_TIMEOUT_MS": "150000"])
        defer { deployment.stop() }
        let client = deployment.client
        let lamp = try await InventoryServiceTests.stockedProduct(client, quantity: 20)
        var shoppers: [(token: String, id: String, key: String)] = []
        for _ in 0..<6 {
            let shopper = try await client.signUp()
            try await CheckoutTests.addToCart(client, token: shopper.token, lamp.productID, 2)
            shoppers.append((shopper.token, shopper.id, "fault-\(UUID().uuidString)"))
        }
        @Sendable func checkout(_ shopper: (token: String, id: String, key: String)) async throws -> JSONResult {
            try await CheckoutTests.checkout(client, token: shopper.token, key: shopper.key)
        }

        // Six checkouts reach the processor; the payment service dies under them.
        let everyone = shoppers
        let pid = try await deployment.run(["pid", "payments"]).output.trimmingCharacters(in: .whitespacesAndNewlines)
        let inFlight = Task {
            try await withThrowingTaskGroup(of: JSONResult.self) { group in
                for shopper in everyone { group.addTask { try await checkout(shopper) } }
                return try await group.reduce(into: [JSONResult]()) { $0.append($1) }
            }
        }
        let ids = shoppers.map(\.id)
        try await Self.waitForRows("six charges at the processor at once", configuration, .payments,
                                   "SELECT status::text FROM transactions WHERE user_id = ANY(\(ids))", within: .seconds(30)) {
            $0 == Array(repeating: "Pending", count: 6)
        }
        // Killed from here at once: a script started now could take longer than the charges on a loaded machine.
        #expect(kill(pid_t(pid) ?? 0, SIGKILL) == 0, "the payment service process \(pid) is killed")
        #expect(try await deployment.run(["kill", "payments"]).status == 0, "the script forgets the killed process")
        #expect(kill(pid_t(pid) ?? 0, 0) != 0, "the payment service process \(pid) is gone")
        // The kill landed while the six charges were at the processor: each left a Pending payment.
        let pending = try await Self.texts(configuration, .payments, "SELECT status::text FROM transactions WHERE user_id = ANY(\(shoppers.map(\.id)))")
        #expect(pending == Array(repeating: "Pending", count: 6), "\(pending)")

        // The shoppers hear at once that it is taking longer: a clean 503, not a hang or a 500.
        let interrupted = try await inFlight.value
        #expect(interrupted.map(\.status.code) == Array(repeating: 503, count: 6), "\(interrupted.map(\.body))")
        for answer in interrupted {
            #expect(answer.success == false)
            #expect(answer.message?.contains("taking longer than expected") == true, "\(answer.body)")
        }
        // Nothing is confirmed while the payments are unknown: stock stays held, not lost.
        #expect(try await InventoryServiceTests.quantity(client, lamp.productID) == 8)

        // The payment service comes back; the checkout service settles every checkout by itself.
        let restarted = try await deployment.run(["start", "payments"], overrides: ["STOREFRONT_PAYMENT_LATENCY_MS": "0"])
        #expect(restarted.status == 0, "\(restarted.output)")
        var settled: [JSONResult] = []
        for shopper in shoppers {
            let answer = try #require(
                try await Self.settledAnswer(client, token: shopper.token, key: shopper.key, within: .seconds(40)),
                "checkout of \(shopper.id) not settled within 40 s\n\(deployment.logs())")
            settled.append(answer)
        }

        // Every charge that went through has its Confirmed order, once; the stock went once per order.
        #expect(settled.map(\.status.code) == Array(repeating: 200, count: 6), "\(settled.map(\.body))")
        for (shopper, answer) in zip(shoppers, settled) {
            let orderID = try #require(try answer.reply(Endpoints.checkout).orderId)
            #expect(try await CheckoutTests.order(client, token: shopper.token, orderID).status == .confirmed)
            #expect(try await Self.texts(configuration, .payments, "SELECT status::text FROM transactions WHERE order_id = \(orderID)") == ["Completed"])
            #expect(try await CheckoutTests.cartLines(client, token: shopper.token).isEmpty)
        }
        #expect(try await InventoryServiceTests.quantity(client, lamp.productID) == 8)
        let statuses = try await Self.texts(configuration, .orders, "SELECT status::text FROM orders WHERE user_id = ANY(\(ids))")
        #expect(statuses == Array(repeating: "Confirmed", count: 6))
    }

    @Test func killingOrFreezingTheInventoryServiceUnderACheckoutChargesNothingAndPutsTheCartBack() async throws {
        // Every service its own process behind nginx; charges take 1.5 s at the processor.
        // Long enough for a 1.5 s charge; short enough that three attempts at a hung peer end within the request.
        let (configuration, deployment) = try await Self.splitDeployment("fault_inventory", chargeMilliseconds: 1500, serviceTimeoutMilliseconds: 2500)
        defer { deployment.stop() }
        let client = deployment.client
        let lamp = try await InventoryServiceTests.stockedProduct(client, quantity: 8)

        // Then the inventory service fails under a checkout: killed, then frozen (a hung
        // peer: calls time out rather than being refused). Either way the checkout cannot
        // reserve, nothing is charged, and once the service is back the order ends
        // Cancelled with the cart refilled once and the stock as it was.
        func inventoryFails(_ fail: () async throws -> Void, _ heal: () async throws -> Void, _ label: String) async throws {
            let shopper = try await client.signUp()
            try await CheckoutTests.addToCart(client, token: shopper.token, lamp.productID, 2)
            try await fail()
            let started = ContinuousClock.now
            let refused = try await CheckoutTests.checkout(client, token: shopper.token, key: "fault-\(UUID().uuidString)")
            // A refused peer fails fast and the saga answers; a hung one is cut off by the
            // request deadline (10 s) while the saga carries on in the background.
            #expect(refused.status == .serviceUnavailable, "\(label): \(refused.body)")
            #expect(refused.success == false)
            #expect(ContinuousClock.now - started < .seconds(12), "\(label): answered within the request deadline")
            if label == "killed" {
                #expect(refused.message?.contains("nothing was charged") == true, "\(label): \(refused.body)")
            }
            try await heal()
            let history = try await client.send(.get, "/api/orders", token: shopper.token)
            let orderID = try #require(try history.reply(Endpoints.orders).data.first?.id, "\(label): \(history.body)")
            if let answered = try refused.reply(Endpoints.checkout).orderId { #expect(answered == orderID) }

            var status: OrderStatus?
            let deadline = ContinuousClock.now + .seconds(30)
            while ContinuousClock.now < deadline {
                status = try await CheckoutTests.order(client, token: shopper.token, orderID).status
                if status == .cancelled { break }
                try await Task.sleep(for: .milliseconds(300))
            }
            #expect(status == .cancelled, "\(label): \(deployment.logs())")
            // The items go back to the cart after the order is Cancelled and the answer written.
            try await Self.waitFor("\(label): the items back in the cart", within: .seconds(20)) {
                try await CheckoutTests.cartLines(client, token: shopper.token) == [lamp.productID: 2]
            }
            #expect(try await InventoryServiceTests.quantity(client, lamp.productID) == 8, "\(label)")
            #expect(try await Self.texts(configuration, .payments, "SELECT status::text FROM transactions WHERE order_id = \(orderID)").isEmpty, "\(label): no payment")
        }
        try await inventoryFails({
            let killed = try await deployment.run(["kill", "inventory"])
            #expect(killed.status == 0, "\(killed.output)")
        }, {
            let started = try await deployment.run(["start", "inventory"])
            #expect(started.status == 0, "\(started.output)")
        }, "killed")
        let inventoryPID = pid_t(try await deployment.run(["pid", "inventory"]).output.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        #expect(inventoryPID > 0)
        try await inventoryFails({ kill(inventoryPID, SIGSTOP) }, { kill(inventoryPID, SIGCONT) }, "frozen")
    }

    /// Recovery undoes what it cannot finish, and gives the money back. Two paid
    /// checkouts are put back to the moment between their payment and their
    /// confirmation (their rows in the stores set as a crash there leaves them):
    /// one whose order can no longer be confirmed (Cancelled meanwhile, a
    /// permanent refusal) is undone at the first takeover; one that has used up
    /// its recovery attempts is undone at the last. Both end Cancelled, refunded,
    /// stock back, items back in the cart; in both topologies.
    @Test(arguments: Topology.allCases) func recoveryUndoesAndRefundsACheckoutItCannotFinish(_ topology: Topology) async throws {
        let configuration = try await TestStores.prepareIsolated("abandon_" + (topology == .split ? "split" : "one"))
        let environment: [String: String?] = [
            "STOREFRONT_CHECKOUT_STALE_AFTER": "2",
            "STOREFRONT_CHECKOUT_RECOVERY_ATTEMPTS": "2",
            "STOREFRONT_DB_SUFFIX": configuration.databaseSuffix,
        ]
        var server: ServerProcess?
        var split: SplitDeployment?
        let client: RemoteClient
        switch topology {
        case .allInOne:
            server = try await ServerProcess.start(environment: try ServerProcess.environment(environment))
            client = server!.client
        case .split:
            split = try await SplitDeployment.start(environment)
            client = split!.client
        }
        defer { split?.stop() }

        let lamp = try await InventoryServiceTests.stockedProduct(client, quantity: 10)
        var placed: [(token: String, key: String, orderID: String)] = []
        for _ in 0..<2 {
            let shopper = try await client.signUp()
            try await CheckoutTests.addToCart(client, token: shopper.token, lamp.productID, 2)
            let key = "abandon-\(UUID().uuidString)"
            let answer = try await CheckoutTests.checkout(client, token: shopper.token, key: key)
            #expect(answer.status == .ok, "\(answer.body)")
            placed.append((shopper.token, key, try #require(try answer.reply(Endpoints.checkout).orderId)))
        }
        #expect(try await InventoryServiceTests.quantity(client, lamp.productID) == 6)

        // Back to "paid, not yet confirmed": the first order Cancelled meanwhile, the second Pending with its attempts used up.
        let refused = placed[0], expired = placed[1]
        _ = try await Self.texts(configuration, .orders, "UPDATE orders SET status = 'Cancelled' WHERE id = \(UUID(uuidString: refused.orderID)!) RETURNING id::text")
        _ = try await Self.texts(configuration, .orders, "UPDATE orders SET status = 'Pending' WHERE id = \(UUID(uuidString: expired.orderID)!) RETURNING id::text")
        for (key, attempts) in [(refused.key, 0), (expired.key, 1)] {
            let rows = try await Self.texts(configuration, .checkout, """
                UPDATE checkouts SET state = 'paid', outcome = NULL, updated_at = now() - interval '1 hour', recovery_attempts = \(attempts)
                WHERE idempotency_key = \(key) RETURNING id::text
                """)
            #expect(rows.count == 1)
        }

        // Recovery (every second here) settles both.
        let keys = [refused.key, expired.key]
        let deadline = ContinuousClock.now + .seconds(60)
        var states: [String] = []
        repeat {
            states = try await Self.texts(configuration, .checkout, "SELECT state FROM checkouts WHERE idempotency_key = ANY(\(keys)) ORDER BY idempotency_key")
            if states == ["failed", "failed"] { break }
            try await Task.sleep(for: .milliseconds(250))
        } while ContinuousClock.now < deadline
        #expect(states == ["failed", "failed"], "recovery did not settle both within 60 s")

        for (checkout, code) in [(refused, ErrorCode.illegalTransition), (expired, nil)] {
            let order = try await CheckoutTests.order(client, token: checkout.token, checkout.orderID)
            #expect(order.status == .cancelled)
            let payments = try await Self.texts(configuration, .payments, "SELECT status::text FROM transactions WHERE order_id = \(checkout.orderID)")
            #expect(payments == ["Refunded"], "\(checkout.orderID)")
            #expect(try await CheckoutTests.cartLines(client, token: checkout.token) == [lamp.productID: 2], "the items are back in the cart")
            // The shopper's replay of the key hears how it ended.
            let replay = try await CheckoutTests.checkout(client, token: checkout.token, key: checkout.key)
            if let code {
                #expect(replay.code == code, "\(replay.body)")
            } else {
                #expect(replay.code == .checkoutInterrupted, "\(replay.body)")
            }
        }
        #expect(try await InventoryServiceTests.quantity(client, lamp.productID) == 10, "the stock of both is back")

        if let server {
            let (abandoned, metrics) = try await MetricsTests.sample(client, "storefront_checkouts_abandoned_total{state=\"paid\"}")
            #expect(abandoned == 2, "\(metrics.split(separator: "\n").filter { $0.contains("abandoned") })")
            #expect(try await server.stop() == 0)
        }
    }
}
