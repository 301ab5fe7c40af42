import Foundation
import HTTPTypes
import MarketplaceAPI
import ServiceKit
import Testing

/// One answer per screen: product lists and single products carry each
/// product's stock, composed on the server from one inventory call per answer,
/// all in one process and split behind the gateway.
@Suite("One answer per screen", .deployments) struct OneAnswerPerScreenTests {
    @Test(arguments: Topology.allCases) func productAnswersCarryTheirStock(_ topology: Topology) async throws {
        let client = try Deployments.client(topology)
        let category = ProductServiceTests.uniqueCategory()
        let vendor = try await client.signUp(role: .vendor)
        var ids: [String: Int?] = [:]
        for (name, quantity) in [("Plenty", 40), ("Few", 3), ("Never stocked", nil)] as [(String, Int?)] {
            let id = try await ProductServiceTests.create(client, token: vendor.token, ProductServiceTests.input(name, category: category)).id
            if let quantity {
                let added = try await client.send(.post, "/api/inventory/add", token: vendor.token, json: AddStockRequest(productId: id, quantity: quantity))
                #expect(added.status == .ok, "\(added.body)")
            }
            ids[id] = quantity
        }

        let page = try await client.send(.get, "/api/products?category=\(category)&limit=10")
        let listed = try page.reply(Endpoints.products).data
        #expect(listed.count == 3, "\(page.body)")
        for product in listed {
            let expected = ids[product.id] ?? nil
            let stock = try #require(product.stock, "\(product.id) has no stock: \(product)")
            #expect(stock.quantity == expected ?? 0, "\(product)")
            // The default threshold is 10: 3 units and none at all are low; 40 is not.
            #expect(stock.isLowStock == ((expected ?? 0) < 10), "\(product)")
        }
        let plenty = try #require(ids.first { $0.value == 40 }?.key)
        let single = try await client.send(.get, "/api/products/\(plenty)")
        #expect(try single.reply(Endpoints.product).data.stock?.quantity == 40, "\(single.body)")

        // Products named by id (the low-stock list's names) and a vendor's own: one request each.
        let named = try await client.send(.get, "/api/products?limit=100&ids=\(ids.keys.sorted().joined(separator: ",")),0123456789abcdef01234567,not-an-id")
        #expect(Set(try named.reply(Endpoints.products).data.map(\.id)) == Set(ids.keys), "\(named.body)")
        let own = try await client.send(.get, "/api/products?limit=100&userId=\(vendor.id)")
        #expect(Set(try own.reply(Endpoints.products).data.map(\.id)) == Set(ids.keys), "\(own.body)")

        // The batch the product service asks, public too: only stocked products are listed.
        let levels = try await client.send(.get, "/api/inventory?productIds=\(ids.keys.sorted().joined(separator: ","))")
        #expect(levels.status == .ok)
        #expect(Set(try levels.reply(Endpoints.stockLevels).data.map(\.productId)) == Set(ids.filter { $0.value != nil }.keys))
        let tooMany = try await client.send(.get, "/api/inventory?productIds=" + (0...InputRules.maximumStockBatch).map { "id\($0)" }.joined(separator: ","))
        #expect(tooMany.status == .badRequest && tooMany.fieldErrors == ["productIds"], "\(tooMany.body)")
        #expect(try await client.send(.get, "/api/inventory").fieldErrors == ["productIds"])

        // A sale shows in the page within the cache's staleness (2 × 5 s here).
        let shopper = try await client.signUp()
        try await CheckoutTests.addToCart(client, token: shopper.token, plenty, 2)
        #expect(try await CheckoutTests.checkout(client, token: shopper.token).status == .ok)
        let deadline = ContinuousClock.now + .seconds(15)
        var seen: Int?
        repeat {
            let again = try await client.send(.get, "/api/products?category=\(category)&limit=10")
            seen = try again.reply(Endpoints.products).data.first { $0.id == plenty }?.stock?.quantity
            if seen == 38 { break }
            try await Task.sleep(for: .milliseconds(250))
        } while ContinuousClock.now < deadline
        #expect(seen == 38, "the sale did not show within 15 s")
    }
}

/// Limits count callers, not connections: per account when signed in, per
/// client when not, where a trusted proxy (a kiosk host, the gateway) may name
/// the client, address and port; nobody else may.
@Suite("Rate limits by identity") struct RateLimitIdentityTests {
    @Test func forwardedClientsAreReadOnlyFromTrustedProxies() {
        let loopback = TrustedProxies(IPNetwork.loopback)
        // A kiosk on this host names each session.
        #expect(loopback.client(peer: "127.0.0.1", forwarded: #"for="203.0.113.7:52011""#, forwardedFor: nil) == ClientAddress(ip: "203.0.113.7", port: 52011))
        #expect(loopback.client(peer: "::1", forwarded: #"for="[2001:db8::7]:4711""#, forwardedFor: nil) == ClientAddress(ip: "2001:db8::7", port: 4711))
        // Behind the gateway: the client's claim, then the gateway's hop; the claim of an untrusted hop is not read.
        #expect(loopback.client(peer: "127.0.0.1", forwarded: "for=10.9.9.9, for=198.51.100.4", forwardedFor: nil) == ClientAddress(ip: "198.51.100.4"))
        #expect(loopback.client(peer: "127.0.0.1", forwarded: nil, forwardedFor: "10.9.9.9, 198.51.100.4") == ClientAddress(ip: "198.51.100.4"))
        // From an untrusted peer nothing forwarded counts.
        #expect(loopback.client(peer: "198.51.100.4", forwarded: "for=127.0.0.1", forwardedFor: "127.0.0.1") == ClientAddress(ip: "198.51.100.4"))
        // An unreadable hop stops the walk at the last trusted one.
        #expect(loopback.client(peer: "127.0.0.1", forwarded: "for=unknown", forwardedFor: nil) == ClientAddress(ip: "127.0.0.1"))
        let office = TrustedProxies([IPNetwork("10.0.0.0/8")!] + IPNetwork.loopback)
        #expect(office.client(peer: "127.0.0.1", forwarded: #"for="198.51.100.4:1234", for=10.1.2.3"#, forwardedFor: nil) == ClientAddress(ip: "198.51.100.4", port: 1234))
        #expect(IPNetwork("10.0.0.0/33") == nil && IPNetwork("nonsense") == nil)
        #expect(IPNetwork("::ffff:10.1.2.3") .map { $0.contains("10.1.2.3") } == true)
    }

    /// The real server, limited to 1 request a second beyond a burst of 3.
    @Test func kioskSessionsAccountsAndGuestsEachHaveTheirOwnBudget() async throws {
        _ = try await TestStores.prepare()
        let server = try await ServerProcess.start(environment: try ServerProcess.environment(["STOREFRONT_RATE_LIMIT": "1/3"]))
        let tokens = try await TestStores.tokens()
        let first = try await tokens.issueUserToken(userID: UserID(UUID()), role: .customer)
        let second = try await tokens.issueUserToken(userID: UserID(UUID()), role: .customer)
        func statuses(_ count: Int, _ headers: [String: String]) async throws -> [Int] {
            var seen: [Int] = []
            for _ in 0..<count { seen.append(try await server.request("GET", "/api/products?limit=1", headers: headers).status) }
            return seen
        }
        // Two kiosk sessions on this host: one runs out (told when to come back), the other is untouched.
        let session = ["Forwarded": #"for="203.0.113.7:50001""#]
        var refusal: ServerProcess.Reply?
        for _ in 0..<8 where refusal == nil {
            let reply = try await server.request("GET", "/api/products?limit=1", headers: session)
            if reply.status == 429 { refusal = reply }
        }
        #expect(refusal?.headers["retry-after"] != nil, "no 429 with Retry-After in 8 requests")
        #expect(try await statuses(3, ["Forwarded": #"for="203.0.113.7:50002""#]) == [200, 200, 200])
        // Signed in, the account counts, wherever it calls from.
        #expect(try await statuses(6, ["Authorization": "Bearer \(first)"] .merging(session) { $1 }).contains(429))
        #expect(try await statuses(3, ["Authorization": "Bearer \(second)"].merging(session) { $1 }) == [200, 200, 200])

        // /metrics: this host's scrapers, not a remote client its proxy forwards.
        #expect(try await server.request("GET", "/metrics").status == 200)
        #expect(try await server.request("GET", "/metrics", headers: ["Forwarded": "for=198.51.100.4"]).status == 403)
        #expect(try await server.stop() == 0)

        // Trusting no proxy, the same header is a stranger's claim: everyone here is one client.
        let strict = try await ServerProcess.start(environment: try ServerProcess.environment(["STOREFRONT_RATE_LIMIT": "1/3", "STOREFRONT_TRUSTED_PROXIES": ""]))
        #expect(try await strict.request("GET", "/metrics", headers: ["Forwarded": "for=198.51.100.4"]).status == 200, "the header is not read")
        var shared: [Int] = []
        for port in 50010..<50016 {
            shared.append(try await strict.request("GET", "/api/products?limit=1", headers: ["Forwarded": "for=\"203.0.113.7:\(port)\""]).status)
        }
        #expect(shared.contains(429), "\(shared)")
        #expect(try await strict.stop() == 0)
    }

    /// The gateway counts clients as the server does (a trusted peer may name
    /// them), never tokens, which it cannot verify: its own limit of 1 a second
    /// beyond a burst of 3 per client, whatever Authorization header comes along.
    @Test func theGatewayCountsCallersAsTheServerDoes() async throws {
        _ = try await TestStores.prepare()
        let server = try await ServerProcess.start(environment: try ServerProcess.environment())
        let gateway = try await SplitDeployment.gateway(upstreamPort: server.port, ["STOREFRONT_SPLIT_RATE": "1r/s", "STOREFRONT_SPLIT_BURST": "3"])
        defer { gateway.stop() }
        let tokens = try await TestStores.tokens()
        let first = try await tokens.issueUserToken(userID: UserID(UUID()), role: .customer)
        let second = try await tokens.issueUserToken(userID: UserID(UUID()), role: .customer)
        func statuses(_ count: Int, _ headers: HTTPFields) async throws -> [Int] {
            var seen: [Int] = []
            for _ in 0..<count { seen.append(Int(try await gateway.client.send(.get, "/api/products?limit=1", headers: headers).status.code)) }
            return seen
        }
        #expect(try await statuses(6, [.forwarded: #"for="203.0.113.7:50001""#]).contains(429))
        #expect(try await statuses(3, [.forwarded: #"for="203.0.113.7:50002""#]) == [200, 200, 200])
        // A different made-up token on every request buys nothing, nor does a real one.
        var junk: [Int] = []
        for index in 0..<6 {
            junk.append(Int(try await gateway.client.send(.get, "/api/products?limit=1", headers: [
                .forwarded: #"for="203.0.113.7:50004""#, .authorization: "Bearer junk\(index)"]).status.code))
        }
        #expect(junk.contains(429), "\(junk)")
        #expect(try await statuses(6, [.forwarded: #"for="203.0.113.7:50005""#, .authorization: "Bearer \(first)"]).contains(429))
        #expect(try await statuses(3, [.forwarded: #"for="203.0.113.7:50006""#, .authorization: "Bearer \(second)"]) == [200, 200, 200])
        // The service behind it hears of the client, not of the gateway.
        let traced = try await gateway.client.send(.get, "/api/products?limit=1", headers: [.forwarded: #"for="203.0.113.7:50003""#, .requestID: "who-is-calling-1"])
        #expect(traced.status == .ok)
        #expect(await server.logLine { $0["request_id"] as? String == "who-is-calling-1" && $0["client"] as? String == "203.0.113.7#50003" } != nil)
        #expect(try await server.stop() == 0)
    }
}
