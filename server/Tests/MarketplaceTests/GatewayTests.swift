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
            #expect(health["status"] as? String == "ok")
            let ready = try await client.send(.get, "/ready")
            #expect(ready.status == .ok, "\(ready.body)")
            #expect((ready["checks"] as? [String: String])?["auth_service"] == "up")
        }
    }

    @Test func unknownRoutesAnswer404InTheEnvelope() async throws {
        try await withTestApp { client in
            let result = try await client.send(.get, "/api/does-not-exist")
            #expect(result.status == .notFound)
            #expect(result.success == false)
            #expect(result.message == "No route for GET /api/does-not-exist")
            #expect(result.object["errors"] as? [Any] != nil)
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
    @Test func metricsCountRequestsAndCheckoutOutcomesInPrometheusTextFormat() async throws {
        try await withTestApp { client in
            let lamp = try await InventoryServiceTests.stockedProduct(client, quantity: 1)
            let shopper = try await client.signUp()
            try await CheckoutTests.addToCart(client, token: shopper.token, lamp.productID, 1)
            #expect(try await CheckoutTests.checkout(client, token: shopper.token).status == .ok)
            try await CheckoutTests.addToCart(client, token: shopper.token, lamp.productID, 1)
            #expect(try await CheckoutTests.checkout(client, token: shopper.token).status == .conflict)

            let metrics = try await client.exchange(.get, "/metrics", headers: [:], body: nil)
            #expect(metrics.status == .ok)
            #expect(metrics.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
            let lines = metrics.body.split(separator: "\n")
            func value(_ prefix: String) -> Double? {
                lines.first { $0.hasPrefix(prefix) }.flatMap { Double($0.split(separator: " ").last ?? "") }
            }
            #expect((value(#"storefront_checkouts_total{status="200"}"#) ?? 0) >= 1, "\(metrics.body.prefix(2000))")
            #expect((value(#"storefront_checkouts_total{status="409"}"#) ?? 0) >= 1)
            #expect(lines.contains { $0.hasPrefix("hb_requests{") && $0.contains(#"/api/checkout"#) })
        }
    }
}
