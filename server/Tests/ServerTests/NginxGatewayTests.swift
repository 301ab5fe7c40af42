import Foundation
import HTTPTypes
import MarketplaceAPI
import NIOCore
import Testing

/// The real nginx gateway rendered from server/deploy/nginx, in front of the
/// real server: what it answers by itself and what it passes on.
@Suite("nginx gateway") struct NginxGatewayTests {
    @Test func theGatewayLimitsRefusesAndTracesRequestsWithTheAPIsEnvelope() async throws {
        _ = try await TestStores.prepare()
        let server = try await ServerProcess.start(environment: try ServerProcess.environment())
        let gateway = try await SplitDeployment.gateway(upstreamPort: server.port, [
            // One request a second beyond a burst of ten: the checks below fit in the
            // burst, and the forty at the end overflow it however slowly they arrive.
            "STOREFRONT_SPLIT_RATE": "1r/s",
            "STOREFRONT_SPLIT_BURST": "10",
            "STOREFRONT_CORS_ORIGIN_REGEX": #"https://shop\.example"#,
        ])
        defer { gateway.stop() }
        let client = gateway.client
        let pause = Duration.milliseconds(250)

        // Request ids: a sane one is kept end to end, exactly once; anything else is replaced.
        let traced = try await client.send(.post, "/api/auth/login", json: LoginRequest(email: "nobody@example.com", password: "whatever"),
                                           headers: [.requestID: "trace-gateway-1"])
        #expect(traced.status == .unauthorized)
        #expect(traced.headers[values: .requestID] == ["trace-gateway-1"])
        #expect(await server.logLine { $0["request_id"] as? String == "trace-gateway-1" && $0["path"] as? String == "/api/auth/login" } != nil)
        try await Task.sleep(for: pause)
        let replaced = try await client.send(.get, "/api/products?limit=1", headers: [.requestID: "no spaces allowed here"])
        #expect(replaced.status == .ok)
        let id = try #require(replaced.headers[.requestID])
        #expect(id != "no spaces allowed here" && !id.isEmpty && id.allSatisfy { $0.isHexDigit })

        // Bodies over 1 MiB are refused at the gate, in the envelope.
        try await Task.sleep(for: pause)
        let large = try await client.exchange(.post, "/api/auth/register", headers: [.contentType: "application/json"],
                                              body: ByteBuffer(repeating: UInt8(ascii: "a"), count: 2 << 20))
        #expect(large.status == .contentTooLarge)
        #expect(large.success == false)
        #expect(large.message?.contains("larger than") == true)

        // Bodies under the limit but past nginx's usual in-memory buffer reach the
        // service, though the gateway's run directory is private (0700, as under
        // server/.data): the service answers, the gateway never 500s.
        try await Task.sleep(for: pause)
        let sizeable = try await client.exchange(.post, "/api/auth/register", headers: [.contentType: "application/json"],
                                                 body: ByteBuffer(repeating: UInt8(ascii: "a"), count: 512 << 10))
        #expect(sizeable.status == .badRequest, "\(sizeable.status) \(sizeable.body)")
        #expect(sizeable.success == false)

        // Unknown paths answer 404 in the envelope without reaching a service.
        try await Task.sleep(for: pause)
        let unknown = try await client.send(.get, "/api/nowhere")
        #expect(unknown.status == .notFound)
        #expect(unknown.success == false)

        // CORS: the configured origin gets a preflight answer; any other gets no CORS header.
        try await Task.sleep(for: pause)
        let allowed = try await client.send(.options, "/api/checkout", headers: [
            HTTPField.Name("Origin")!: "https://shop.example", HTTPField.Name("Access-Control-Request-Method")!: "POST"])
        #expect(allowed.status == .noContent)
        #expect(allowed.headers[HTTPField.Name("Access-Control-Allow-Origin")!] == "https://shop.example")
        #expect(allowed.headers[HTTPField.Name("Access-Control-Allow-Headers")!]?.contains("Idempotency-Key") == true)
        let refused = try await client.send(.options, "/api/checkout", headers: [
            HTTPField.Name("Origin")!: "https://evil.example", HTTPField.Name("Access-Control-Request-Method")!: "POST"])
        #expect(refused.headers[HTTPField.Name("Access-Control-Allow-Origin")!] == nil)

        // A burst past the limit: 429 in the envelope, with Retry-After.
        let burst = try await withThrowingTaskGroup(of: JSONResult.self) { group in
            for _ in 0..<40 { group.addTask { try await client.send(.get, "/api/products?limit=1") } }
            return try await group.reduce(into: [JSONResult]()) { $0.append($1) }
        }
        let limited = burst.filter { $0.status == .tooManyRequests }
        #expect(burst.contains { $0.status == .ok })
        #expect(limited.count >= 20, "statuses: \(burst.map(\.status.code))")
        for answer in limited.prefix(3) {
            #expect(answer.headers[HTTPField.Name("Retry-After")!] == "1")
            #expect(answer.success == false)
            #expect(answer.message?.isEmpty == false)
        }

        // The service behind it stops: a clear 503 in the envelope, not nginx's HTML page.
        #expect(try await server.stop() == 0)
        try await Task.sleep(for: .seconds(1.5))
        let down = try await client.send(.get, "/api/products?limit=1")
        #expect(down.status == .serviceUnavailable || down.status == .badGateway, "\(down.status) \(down.body)")
        #expect(down.success == false)
        #expect(down.message == "The products service is unavailable; try again shortly", "\(down.body)")
    }

    /// A method a path does not take answers 405 with the same `Allow` through the
    /// gateway as from the server: for TRACE, which nginx refuses itself from its
    /// own table, and for any other method, which the service refuses. `/health`
    /// (answered by the gateway) takes GET and HEAD only; `/ready` and `/metrics`
    /// are each process's own and answer 404 there.
    @Test func methodsAPathDoesNotTakeAnswer405WithTheServersAllowThroughTheGateway() async throws {
        _ = try await TestStores.prepare()
        let server = try await ServerProcess.start(environment: try ServerProcess.environment())
        let gateway = try await SplitDeployment.gateway(upstreamPort: server.port)
        defer { gateway.stop() }
        let paths = Set(Endpoints.all.map { route in
            route.template.split(separator: "/", omittingEmptySubsequences: false)
                .map { $0.hasPrefix(":") ? "some-id" : String($0) }.joined(separator: "/")
        })
        #expect(paths.count > 25)
        for path in paths.sorted() {
            let direct = try await server.request("TRACE", path)
            #expect(direct.status == 405, "\(path): \(direct.body)")
            let expected = try #require(direct.headers["allow"], "\(path) answered 405 without Allow")
            for method in ["TRACE", "PATCH"] {
                let through = try await gateway.client.send(HTTPRequest.Method(method)!, path)
                if path == "/ready" || path == "/metrics" {
                    #expect(through.status == .methodNotAllowed && through.headers[.allow] == "GET, HEAD", "\(method) \(path)")
                    continue
                }
                #expect(through.status == .methodNotAllowed, "\(method) \(path): \(through.status) \(through.body)")
                #expect(through.headers[values: .allow] == [expected], "\(method) \(path)")
                #expect(through.code == .methodNotAllowed)
            }
        }
        #expect(try await gateway.client.send(.get, "/ready").code == .noRoute)
        #expect(try await gateway.client.send(.get, "/metrics").code == .noRoute)
        #expect(try await gateway.client.send(.head, "/health").status == .ok)
        #expect(try await server.stop() == 0)
    }
}
