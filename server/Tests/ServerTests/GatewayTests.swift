import Foundation
import Hummingbird
import HummingbirdTesting
import MarketplaceAPI
import NIOCore
import ServiceKit
import Testing

@Suite("Gateway basics") struct GatewayTests {
    @Test func healthAndReadinessAnswer() async throws {
        try await withTestApp { client in
            let health = try await client.send(.get, "/health")
            #expect(health.status == .ok)
            #expect(try health.reply(Endpoints.health).status == "ok")
            let ready = try await client.readyOnceUp()
            #expect(ready.status == .ok, "\(ready.body)")
            #expect(try ready.reply(Endpoints.ready).checks?["auth_service"] == "up")
        }
    }

    @Test func unknownRoutesAnswer404InTheEnvelope() async throws {
        try await withTestApp { client in
            let result = try await client.send(.get, "/api/does-not-exist")
            #expect(result.status == .notFound)
            #expect(result.success == false)
            #expect(result.message == "No route for GET /api/does-not-exist")
            // The whole error envelope, its `errors` list included.
            _ = try result.decode(ErrorEnvelope.self)
        }
    }

    @Test func oversizedBodiesAnswer413() async throws {
        try await withTestApp { client in
            let big = #"{"email":""# + String(repeating: "a", count: RequestLimits.maxBodyBytes) + #"","password":"x"}"#
            let result = try await client.send(.post, "/api/auth/login", raw: big)
            #expect(result.status == .contentTooLarge)
            #expect(result.success == false)
        }
    }

    @Test func everyResponseCarriesARequestIDAndASaneIncomingOneIsKept() async throws {
        try await withTestApp { client in
            let fresh = try await client.send(.get, "/health")
            let id = try #require(fresh.headers[.requestID])
            #expect(UUID(uuidString: id) != nil)
            let kept = try await client.send(.get, "/api/nowhere", headers: [.requestID: "trace-123.abc"])
            #expect(kept.headers[.requestID] == "trace-123.abc")
            let replaced = try await client.send(.get, "/health", headers: [.requestID: "bad id with spaces\u{7}"])
            #expect(replaced.headers[.requestID] != "bad id with spaces\u{7}")
        }
    }

    @Test func liveServerAnswersOverARealSocket() async throws {
        try await withTestApp(.live) { client in
            let result = try await client.send(.post, "/api/auth/login", json: LoginRequest(email: "nobody@example.com", password: "whatever"))
            #expect(result.status == .unauthorized)
            #expect(result.message == "Invalid email or password")
        }
    }
}

@Suite("Metrics") struct MetricsTests {
    /// The value of the first sample line starting with `prefix`, 0 when there is none yet.
    static func sample(_ client: some APIClient, _ prefix: String) async throws -> (Double, String) {
        // The in-process client has no address: a service credential is what lets it read.
        let metrics = try await client.send(.get, "/metrics", token: try await serviceToken("prometheus"))
        #expect(metrics.status == .ok, "\(metrics.body)")
        let line = metrics.body.split(separator: "\n").first { $0.hasPrefix(prefix) }
        return (line.flatMap { Double($0.split(separator: " ").last ?? "") } ?? 0, metrics.body)
    }

    @Test func metricsCountRequestsAndCheckoutOutcomesInPrometheusTextFormat() async throws {
        try await withTestApp { client in
            let lamp = try await InventoryServiceTests.stockedProduct(client, quantity: 1)
            let shopper = try await client.signUp()
            // Other suites check out in this process too: count what this test adds, at least.
            let (confirmedBefore, _) = try await Self.sample(client, #"storefront_checkouts_total{outcome="placed"}"#)
            let (refusedBefore, _) = try await Self.sample(client, #"storefront_checkouts_total{outcome="short_stock"}"#)
            try await CheckoutTests.addToCart(client, token: shopper.token, lamp.productID, 1)
            #expect(try await CheckoutTests.checkout(client, token: shopper.token).status == .ok)
            try await CheckoutTests.addToCart(client, token: shopper.token, lamp.productID, 1)
            #expect(try await CheckoutTests.checkout(client, token: shopper.token).status == .conflict)

            let (confirmed, body) = try await Self.sample(client, #"storefront_checkouts_total{outcome="placed"}"#)
            let (refused, _) = try await Self.sample(client, #"storefront_checkouts_total{outcome="short_stock"}"#)
            #expect(confirmed >= confirmedBefore + 1, "\(body.prefix(2000))")
            #expect(refused >= refusedBefore + 1)
            #expect(try await client.send(.get, "/metrics").status == .forbidden, "no address, no credential")
            #expect(try await client.send(.get, "/metrics", token: shopper.token).status == .forbidden)
            let metrics = try await client.send(.get, "/metrics", token: try await serviceToken("prometheus"))
            #expect(metrics.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
            #expect(metrics.body.split(separator: "\n").contains { $0.hasPrefix("hb_requests{") && $0.contains(#"/api/checkout"#) })
        }
    }

    @Test func metricsAnswerLocalAndConfiguredScrapersJudgedOnTheClientAProxyForwards() async throws {
        _ = try await TestStores.prepare()
        let server = try await ServerProcess.start(environment: try ServerProcess.environment(["STOREFRONT_METRICS_SCRAPERS": "203.0.113.0/24"]))
        // A local scraper, and one in the configured network behind a local proxy, may read; a stranger behind it may not.
        let local = try await server.request("GET", "/metrics")
        #expect(local.status == 200)
        #expect(local.body.contains("# TYPE"))
        #expect(try await server.request("GET", "/metrics", headers: ["X-Forwarded-For": "203.0.113.7"]).status == 200)
        #expect(try await server.request("GET", "/metrics", headers: ["X-Forwarded-For": "198.51.100.7"]).status == 403)
        #expect(try await server.stop() == 0)
        #expect(ProcessMetrics.isLocal("127.0.0.1") && ProcessMetrics.isLocal("::1") && ProcessMetrics.isLocal("::ffff:127.0.0.1"))
        #expect(!ProcessMetrics.isLocal("203.0.113.7") && !ProcessMetrics.isLocal("10.0.0.8"))
    }
}
