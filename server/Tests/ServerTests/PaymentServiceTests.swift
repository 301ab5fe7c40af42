import Foundation
import Hummingbird
import HTTPTypes
import HummingbirdTesting
import Logging
import MarketplaceAPI
import OrderService
import Composition
import PaymentService
import PostgresNIO
import ServiceKit
import Testing

/// A running client on one of the test databases, for tests that call a service in-process.
func withTestDatabase<T: Sendable>(_ base: Database, _ body: (PostgresClient) async throws -> T) async throws -> T {
    let configuration = try await TestStores.prepare()
    let location = try PostgresLocation(url: configuration.postgresURL)
    return try await PostgresClient.withRunning(location.client(database: configuration.databaseName(base), logger: TestStores.logger), body)
}

/// A service credential, as the checkout would send it.
func serviceToken(_ name: String = "checkout") async throws -> String {
    try await TestStores.tokens().issueServiceToken(service: name)
}

/// The charges these tests make in-process are the checkout's (a service's): the
/// order service is never asked about them, and this says so if it is.
struct OrdersNeverAsked: OrdersClient {
    func createOrder(userID: String, address: ShippingAddress, idempotencyKey: String) async throws -> Order { throw unexpected() }
    func setStatus(orderID: String, to status: OrderStatus) async throws -> Order { throw unexpected() }
    func restoreCart(orderID: String) async throws { throw unexpected() }
    func recordRefund(orderID: String, refund: OrderRefund) async throws { throw unexpected() }
    func order(id: String) async throws -> Order? { throw unexpected() }

    private func unexpected() -> any Error {
        Issue.record("a service's charge must not consult the order service")
        return CancellationError()
    }
}

@Suite("Payment service") struct PaymentServiceTests {
    static let noOrders = OrdersNeverAsked()

    static func pay(_ client: some APIClient, token: String?, userID: String?, amount: String = "25.50",
                    method: String? = "tok_visa", orderID: String? = nil, key: String? = nil) async throws -> JSONResult {
        var headers: HTTPFields = [:]
        if let key { headers[HTTPField.Name("Idempotency-Key")!] = key }
        return try await client.send(.post, "/api/payments", token: token, json: PaymentRequest(
            userId: userID, amount: Money(amount)!, paymentMethod: method, orderId: orderID), headers: headers)
    }

    @Test func aShopperPaysForThemselvesAndReadsTheCompletedTransaction() async throws {
        try await withTestApp { client in
            let (orderID, shopper) = try await OrderServiceTests.pendingOrder(client)
            let paid = try await Self.pay(client, token: shopper.token, userID: shopper.id, amount: "19.99", orderID: orderID)
            #expect(paid.status == .ok, "\(paid.body)")
            #expect(paid.success == true)
            let payment = try paid.reply(Endpoints.createPayment).data
            #expect(payment.status == .completed)
            #expect(payment.providerTransactionId?.hasPrefix("ch_sandbox_") == true)
            #expect(payment.currency == "USD")
            #expect(paid.body.contains("\"amount\":19.99"))

            let read = try await client.send(.get, "/api/payments/\(payment.transactionId)", token: shopper.token)
            #expect(read.status == .ok)
            let stored = try read.reply(Endpoints.payment).data
            #expect(stored.status == .completed)
            #expect(stored.providerTransactionId == payment.providerTransactionId)
            #expect(stored.userId == shopper.id)
        }
    }

    @Test func theDefaultPaymentMethodCreditCardSucceeds() async throws {
        try await withTestApp { client in
            let (orderID, shopper) = try await OrderServiceTests.pendingOrder(client)
            let paid = try await Self.pay(client, token: shopper.token, userID: nil, amount: "19.99", method: nil, orderID: orderID)
            #expect(paid.status == .ok, "\(paid.body)")
            let payment = try paid.reply(Endpoints.createPayment).data
            #expect(payment.paymentMethod == "Credit Card")
            #expect(payment.userId == shopper.id)
        }
    }

    @Test func aDeclinedCardAnswers402AndLeavesAFailedTransaction() async throws {
        try await withTestApp { client in
            let (orderID, shopper) = try await OrderServiceTests.pendingOrder(client)
            let declined = try await Self.pay(client, token: shopper.token, userID: shopper.id, amount: "19.99", method: "tok_chargeDeclined", orderID: orderID)
            #expect(declined.status == HTTPResponse.Status(code: 402))
            #expect(declined.success == false)
            #expect(declined.message == "Your card was declined")
            let failed = try declined.decode(PaymentDeclinedResponse.self).data
            #expect(failed.status == .failed)

            let read = try await client.send(.get, "/api/payments/\(failed.transactionId)", token: shopper.token)
            let stored = try read.reply(Endpoints.payment).data
            #expect(stored.status == .failed)
            #expect(stored.failureReason == "Your card was declined")
            #expect(stored.providerTransactionId != nil)
        }
    }

    @Test func onlyTheOwnerAnAdminOrAServiceReadsATransaction() async throws {
        try await withTestApp { client in
            let (orderID, owner) = try await OrderServiceTests.pendingOrder(client)
            let other = try await client.signUp()
            let admin = try await client.signUp(role: .admin)
            let paid = try await Self.pay(client, token: owner.token, userID: owner.id, amount: "19.99", orderID: orderID)
            let id = try paid.reply(Endpoints.createPayment).data.transactionId
            #expect(try await client.send(.get, "/api/payments/\(id)", token: other.token).status == .notFound)
            #expect(try await client.send(.get, "/api/payments/\(id)", token: admin.token).status == .ok)
            #expect(try await client.send(.get, "/api/payments/\(id)", token: try await serviceToken()).status == .ok)
            #expect(try await client.send(.get, "/api/payments/\(id)").status == .unauthorized)
            #expect(try await client.send(.get, "/api/payments/not-a-uuid", token: owner.token).status == .notFound)
            #expect(try await client.send(.get, "/api/payments/\(UUID().uuidString)", token: admin.token).status == .notFound)
        }
    }

    @Test func badPaymentsAnswer400WithEveryProblem() async throws {
        try await withTestApp { client in
            let shopper = try await client.signUp()
            let zero = try await client.send(.post, "/api/payments", token: shopper.token,
                                             raw: #"{"amount": 0, "currency": "US", "paymentMethod": ""}"#)
            #expect(zero.status == .badRequest)
            #expect(Set(zero.fieldErrors) == ["amount", "currency", "paymentMethod"])
            for raw in [#"{"amount": 1.234}"#, #"{"amount": -5}"#, #"{"amount": "abc"}"#, #"{"amount": 100000000}"#, "[1]", "{", ""] {
                let bad = try await client.send(.post, "/api/payments", token: shopper.token, raw: raw)
                #expect(bad.status == .badRequest, "\(raw) → \(bad.status) \(bad.body)")
                #expect(bad.success == false)
            }
            let missing = try await client.send(.post, "/api/payments", token: shopper.token, raw: "{}")
            #expect(missing.fieldErrors == ["amount"])
        }
    }

    @Test func aRetriedPaymentWithTheSameKeyChargesOnce() async throws {
        try await withTestApp { client in
            let shopper = try await client.signUp()
            let service = try await serviceToken()
            let key = "checkout-\(UUID().uuidString)"
            let results = try await withThrowingTaskGroup(of: JSONResult.self) { group in
                for _ in 0..<8 {
                    group.addTask { try await Self.pay(client, token: service, userID: shopper.id, amount: "40.00", key: key) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results.allSatisfy { $0.status == .ok }, "\(results.map(\.body))")
            let payments = try results.map { try $0.reply(Endpoints.createPayment).data }
            let ids = Set(payments.map(\.transactionId))
            let providerIDs = Set(payments.compactMap(\.providerTransactionId))
            #expect(ids.count == 1)
            #expect(providerIDs.count == 1)
            let rows = try await withTestDatabase(.payments) { db in
                let rows = try await db.query("SELECT count(*)::int FROM transactions WHERE idempotency_key = \(key)", logger: TestStores.logger)
                var count = 0
                for try await value in rows.decode(Int.self) { count = value }
                return count
            }
            #expect(rows == 1)

            let different = try await Self.pay(client, token: service, userID: shopper.id, amount: "41.00", key: key)
            #expect(different.status == .conflict)
        }
    }

    @Test func anOrderIsNeverChargedTwiceEvenUnderDifferentKeys() async throws {
        try await withTestApp { client in
            let service = try await serviceToken()
            let shopper = try await client.signUp()
            let orderID = UUID().uuidString.lowercased()
            let declined = try await Self.pay(client, token: service, userID: shopper.id, method: "tok_chargeDeclined", orderID: orderID, key: "a-\(orderID)")
            #expect(declined.status == HTTPResponse.Status(code: 402))
            // A failed attempt does not hold the order: another card may pay it.
            let first = try await Self.pay(client, token: service, userID: shopper.id, orderID: orderID, key: "b-\(orderID)")
            #expect(first.status == .ok, "\(first.body)")
            let paid = try first.reply(Endpoints.createPayment).data
            #expect(paid.orderId == orderID)
            // Asked again under another key, the paid order answers its payment: nothing is charged twice.
            let second = try await Self.pay(client, token: service, userID: shopper.id, orderID: orderID, key: "c-\(orderID)")
            #expect(second.status == .ok, "\(second.body)")
            #expect(try second.reply(Endpoints.createPayment).data.transactionId == paid.transactionId)
            // Another amount or another payer for the same order is refused.
            let other = try await Self.pay(client, token: service, userID: shopper.id, amount: "99.00", orderID: orderID, key: "d-\(orderID)")
            #expect(other.status == .conflict && other.code == .orderAlreadyPaid, "\(other.body)")
            #expect(other.message?.contains(paid.transactionId) == true)
        }
    }

    @Test func thePendingRowIsWrittenBeforeTheProviderIsCalled() async throws {
        try await withTestDatabase(.payments) { db in
            let provider = SandboxPaymentProvider(latency: .milliseconds(400))
            let repository = PostgresPaymentRepository(client: db, logger: TestStores.logger)
            let service = PaymentService(repository: repository, provider: provider, orders: Self.noOrders)
            let userID = UUID().uuidString.lowercased()
            let charge = PaymentCharge(userID: userID, orderID: nil, amount: Money("9.99")!, currency: "USD", paymentMethod: "tok_visa", idempotencyKey: nil)
            async let paid = service.pay(charge)
            // While the provider thinks, the transaction is already recorded as Pending.
            var seen: [String] = []
            for _ in 0..<50 where seen.isEmpty {
                try await Task.sleep(for: .milliseconds(20))
                let rows = try await db.query("SELECT status::text FROM transactions WHERE user_id = \(userID)", logger: TestStores.logger)
                for try await status in rows.decode(String.self) { seen.append(status) }
            }
            #expect(seen == ["Pending"])
            let result = try await paid
            #expect(result.status == .completed)
            let stored = try await repository.transaction(id: UUID(uuidString: result.transactionId)!)
            #expect(stored?.status == .completed)
            #expect(stored?.providerTransactionId == result.providerTransactionId)
        }
    }

    @Test func aProviderTimeoutLeavesThePaymentPendingAndARetryFinishesItWithoutASecondCharge() async throws {
        try await withTestDatabase(.payments) { db in
            let provider = SandboxPaymentProvider(latency: .milliseconds(300))
            let repository = PostgresPaymentRepository(client: db, logger: TestStores.logger)
            let impatient = PaymentService(repository: repository, provider: provider, orders: Self.noOrders, providerTimeout: .milliseconds(50))
            let charge = PaymentCharge(userID: UUID().uuidString.lowercased(), orderID: UUID().uuidString.lowercased(),
                                       amount: Money("120.00")!, currency: "USD", paymentMethod: "tok_visa",
                                       idempotencyKey: "retry-\(UUID().uuidString)")
            var pendingID: String?
            do {
                _ = try await impatient.pay(charge)
                Issue.record("the provider answered faster than the timeout")
            } catch PaymentError.providerUnavailable(let id) {
                pendingID = id
            }
            let id = try #require(pendingID)
            #expect(try await repository.transaction(id: UUID(uuidString: id)!)?.status == .pending)

            let patient = PaymentService(repository: repository, provider: provider, orders: Self.noOrders)
            let retried = try await patient.pay(charge)
            #expect(retried.transactionId == id)
            #expect(retried.status == .completed)
            #expect(await provider.chargeCount == 1)
        }
    }

    @Test func aChargeBuiltInProcessMeetsTheSameRulesAsARequest() async throws {
        try await withTestDatabase(.payments) { db in
            let provider = SandboxPaymentProvider()
            let service = PaymentService(repository: PostgresPaymentRepository(client: db, logger: TestStores.logger), provider: provider, orders: Self.noOrders)
            let userID = UUID().uuidString.lowercased()
            let bad = PaymentCharge(userID: userID, orderID: String(repeating: "o", count: 65), amount: .zero, currency: "usd",
                                    paymentMethod: String(repeating: "m", count: 51), idempotencyKey: "")
            do {
                _ = try await service.pay(bad)
                Issue.record("an invalid charge was accepted")
            } catch PaymentError.invalid(let errors) {
                #expect(Set(errors.map(\.field)) == ["orderId", "amount", "currency", "paymentMethod", "idempotencyKey"])
            }
            #expect(await provider.chargeCount == 0)
            let rows = try await db.query("SELECT count(*)::int FROM transactions WHERE user_id = \(userID)", logger: TestStores.logger)
            for try await count in rows.decode(Int.self) { #expect(count == 0) }
        }
    }

    @Test func theSandboxFollowsStripeTestTokensAndItsFailureRate() async throws {
        let sandbox = SandboxPaymentProvider()
        func charge(_ method: String, _ key: String = UUID().uuidString) -> ProviderCharge {
            ProviderCharge(amount: Money("1.00")!, currency: "USD", paymentMethod: method, idempotencyKey: key)
        }
        guard case .succeeded = try await sandbox.charge(charge("tok_visa")) else { Issue.record("tok_visa must succeed"); return }
        guard case .succeeded = try await sandbox.charge(charge("Credit Card")) else { Issue.record("Credit Card must succeed"); return }
        if case .declined(_, let reason) = try await sandbox.charge(charge("tok_chargeDeclined")) {
            #expect(reason == "Your card was declined")
        } else {
            Issue.record("tok_chargeDeclined must be declined")
        }
        if case .declined(_, let reason) = try await sandbox.charge(charge("bitcoin")) {
            #expect(reason == "Unsupported payment method")
        } else {
            Issue.record("unknown methods must be declined")
        }
        let replay = try await sandbox.charge(charge("tok_visa", "same"))
        #expect(try await sandbox.charge(charge("tok_visa", "same")) == replay)
        #expect(await sandbox.chargeCount == 5)

        let failing = SandboxPaymentProvider(failureRate: 1)
        if case .declined(_, let reason) = try await failing.charge(charge("tok_visa")) {
            #expect(reason.contains("could not complete"))
        } else {
            Issue.record("a failure rate of 1 must decline every charge")
        }

        let slow = SandboxPaymentProvider(latency: .milliseconds(150))
        let start = ContinuousClock.now
        _ = try await slow.charge(charge("tok_visa"))
        #expect(ContinuousClock.now - start >= .milliseconds(150))
    }

    @Test func paymentLatencyFailureRateAndProviderTimeoutComeFromTheEnvironment() throws {
        var env = ["STOREFRONT_POSTGRES_URL": "postgres://u@h", "STOREFRONT_MONGO_URL": "mongodb://h:1", "STOREFRONT_JWT_SECRET": String(repeating: "a", count: 32),
                   "STOREFRONT_SERVICE_SECRET": String(repeating: "b", count: 32),
                   "STOREFRONT_PAYMENT_LATENCY_MS": "250", "STOREFRONT_PAYMENT_FAILURE_RATE": "0.25"]
        #expect(try AppConfiguration.fromEnvironment(env).paymentProviderTimeout == .seconds(10))
        env["STOREFRONT_PAYMENT_PROVIDER_TIMEOUT_MS"] = "2500"
        let configuration = try AppConfiguration.fromEnvironment(env)
        #expect(configuration.paymentLatency == .milliseconds(250))
        #expect(configuration.paymentFailureRate == 0.25)
        #expect(configuration.paymentProviderTimeout == .milliseconds(2500))
        for bad in ["0", "-5", "soon"] {
            env["STOREFRONT_PAYMENT_PROVIDER_TIMEOUT_MS"] = bad
            #expect(throws: ConfigurationError.self, "\(bad)") { try AppConfiguration.fromEnvironment(env) }
        }
        env["STOREFRONT_PAYMENT_PROVIDER_TIMEOUT_MS"] = nil
        env["STOREFRONT_PAYMENT_FAILURE_RATE"] = "1.5"
        #expect(throws: ConfigurationError.self) { try AppConfiguration.fromEnvironment(env) }
    }
}

/// Nobody pays for someone else, or for an order that is not theirs and Pending,
/// or for another amount than its total: all in one process and split behind the gateway.
@Suite("Payment ownership", .deployments) struct PaymentOwnershipTests {
    @Test(arguments: Topology.allCases) func aShopperCannotPayForSomebodyElseButAServiceCan(_ topology: Topology) async throws {
        let client = try Deployments.client(topology)
        let shopper = try await client.signUp()
        let other = try await client.signUp()
        let forOther = try await PaymentServiceTests.pay(client, token: shopper.token, userID: other.id)
        #expect(forOther.status == .forbidden)
        #expect(forOther.success == false)
        let byService = try await PaymentServiceTests.pay(client, token: try await serviceToken(), userID: other.id)
        #expect(byService.status == .ok)
        #expect(try byService.reply(Endpoints.createPayment).data.userId == other.id)
        let anonymous = try await PaymentServiceTests.pay(client, token: nil, userID: other.id)
        #expect(anonymous.status == .unauthorized)
        let missingUser = try await PaymentServiceTests.pay(client, token: try await serviceToken(), userID: nil)
        #expect(missingUser.status == .badRequest)
        #expect(missingUser.fieldErrors == ["userId"])
    }

    @Test(arguments: Topology.allCases) func aShopperPaysOnlyTheirOwnPendingOrderForExactlyItsTotal(_ topology: Topology) async throws {
        let client = try Deployments.client(topology)
        let (orderID, shopper) = try await OrderServiceTests.pendingOrder(client)
        let stranger = try await client.signUp()
        let cases: [(String, JSONResult, HTTPResponse.Status, ErrorCode, [String])] = [
            ("no order", try await PaymentServiceTests.pay(client, token: shopper.token, userID: nil, amount: "19.99"), .badRequest, .validationFailed, ["orderId"]),
            ("too little", try await PaymentServiceTests.pay(client, token: shopper.token, userID: nil, amount: "0.01", orderID: orderID), .badRequest, .validationFailed, ["amount"]),
            ("too much", try await PaymentServiceTests.pay(client, token: shopper.token, userID: nil, amount: "20.00", orderID: orderID), .badRequest, .validationFailed, ["amount"]),
            ("someone else's order", try await PaymentServiceTests.pay(client, token: stranger.token, userID: nil, amount: "19.99", orderID: orderID), .notFound, .notFound, []),
            ("no such order", try await PaymentServiceTests.pay(client, token: shopper.token, userID: nil, amount: "19.99", orderID: UUID().uuidString.lowercased()), .notFound, .notFound, []),
        ]
        for (label, result, status, code, fields) in cases {
            #expect(result.status == status && result.code == code, "\(label): \(result.body)")
            #expect(result.fieldErrors == fields, "\(label): \(result.body)")
        }
        let cancelled = try await OrderServiceTests.setStatus(client, orderID, "Cancelled")
        #expect(cancelled.status == .ok, "\(cancelled.body)")
        let late = try await PaymentServiceTests.pay(client, token: shopper.token, userID: nil, amount: "19.99", orderID: orderID)
        #expect(late.status == .conflict && late.code == .illegalTransition, "\(late.body)")
        // Nothing was recorded, let alone charged, for any of these.
        let rows = try await withTestDatabase(.payments) { db in
            var count = -1
            for try await value in try await db.query("SELECT count(*)::int FROM transactions WHERE order_id = \(orderID)", logger: TestStores.logger).decode(Int.self) { count = value }
            return count
        }
        #expect(rows == 0)
    }
}
