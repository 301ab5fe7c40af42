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
