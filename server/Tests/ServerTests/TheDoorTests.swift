import Foundation
import HTTPTypes
import MarketplaceAPI
import NIOConcurrencyHelpers
import NIOCore
import ServiceKit
import StorefrontTestSupport
import AuthService
@testable import Composition
import Testing

/// The doors an attacker tries first, against the real server (and the real
/// nginx gateway where the form matters), with the limits it ships with:
/// nobody's flood of sign-ups keeps others from signing in, made-up tokens buy
/// no budget, half-sent requests and idle connections are closed, one address
/// holds a bounded number of connections, and a service's credential opens
/// only the internal routes that service needs.
@Suite("The door") struct TheDoorTests {
    /// The shipped limits (no test overrides) at the shipped bcrypt cost.
    static func shippedEnvironment(_ overrides: [String: String?] = [:]) throws -> [String: String] {
        try ServerProcess.environment([
            "STOREFRONT_RATE_LIMIT": nil, "STOREFRONT_SIGNUP_LIMIT": nil, "STOREFRONT_HASHING_PER_CLIENT": nil, "STOREFRONT_BCRYPT_COST": "12",
        ].merging(overrides) { $1 })
    }

    static func from(_ address: String) -> HTTPFields { [.forwarded: "for=\(address)"] }

    @Test func aSignUpFloodFromOneAddressLeavesSignInsFromOthersAlone() async throws {
        _ = try await TestStores.prepare()
        let server = try await ServerProcess.start(environment: try Self.shippedEnvironment())
        let client = server.client
        let email = "owner-\(UUID().uuidString.prefix(8).lowercased())@example.com"
        let created = try await client.send(.post, "/api/auth/register", json: RegisterRequest(name: "Owner", email: email, password: "correct horse"),
                                            headers: Self.from("198.51.100.7"))
        #expect(created.status == .created, "\(created.body)")
        func signIn() async throws -> Duration {
            let start = ContinuousClock.now
            let login = try await client.send(.post, "/api/auth/login", json: LoginRequest(email: email, password: "correct horse"),
                                              headers: Self.from("198.51.100.7"))
            #expect(login.status == .ok, "a sign-in: \(login.status.code) \(login.body)")
            return ContinuousClock.now - start
        }
        // The usual time of a sign-in on this machine now, whatever else it runs.
        let usual = max(try await signIn(), try await signIn())

        // 24 workers create accounts from one address for 12 s.
        let flooding = ContinuousClock.now + .seconds(12)
        let answered = NIOLockedValueBox<[Int]>([])
        let flood = Task {
            try await withThrowingTaskGroup(of: [Int].self) { group in
                for worker in 0..<24 {
                    group.addTask {
                        var statuses: [Int] = []
                        var index = 0
                        while ContinuousClock.now < flooding {
                            index += 1
                            let body = RegisterRequest(name: "Flood", email: "flood-\(worker)-\(index)-\(UUID().uuidString.prefix(6).lowercased())@example.com",
                                                       password: "correct horse")
                            let status = Int(try await client.send(.post, "/api/auth/register", json: body, headers: Self.from("203.0.113.66")).status.code)
                            statuses.append(status)
                            answered.withLockedValue { $0.append(status) }
                        }
                        return statuses
                    }
                }
                return try await group.reduce(into: [Int]()) { $0 += $1 }
            }
        }
        // Meanwhile, once the flood is refused (its burst spent, the queue its to fill),
        // the owner signs in eight times from elsewhere.
        let started = ContinuousClock.now
        while !answered.withLockedValue({ $0.contains(429) }) {
            #expect(ContinuousClock.now - started < .seconds(10), "the flood saw no 429 within 10 s: \(answered.withLockedValue { $0 })")
            guard ContinuousClock.now - started < .seconds(10) else { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        var latencies: [Duration] = []
        for _ in 0..<8 { latencies.append(try await signIn()) }
        let floodStatuses = try await flood.value
        let accepted = floodStatuses.filter { $0 == 201 }.count, limited = floodStatuses.filter { $0 == 429 }.count
        let slowest = latencies.max() ?? .zero
        print("the door: a sign-in alone took up to \(usual); sign-up flood \(floodStatuses.count) requests, \(accepted) accepted, \(limited) answered 429, others \(floodStatuses.filter { $0 != 201 && $0 != 429 }); sign-ins \(latencies.map { "\($0.components.seconds * 1000 + $0.components.attoseconds / 1_000_000_000_000_000) ms" })")
        // A sign-in waits at most for the hashes already running (sign-ins go first), so
        // a few usual sign-in times, and well inside the 10 s request deadline. The
        // flood is slowed: 20 at once, then one every 3 s.
        #expect(slowest < max(.seconds(5), usual * 4), "slowest sign-in \(slowest), usually \(usual)")
        #expect(slowest < .seconds(9), "slowest sign-in \(slowest)")
        #expect(accepted <= 20 + 5 + 1, "\(accepted) accounts from one address in 12 s")
        #expect(limited > 0)
        #expect(try await server.stop() == 0)
    }

    @Test func theOwnerSignsInSoonAfterSomeoneElsesFailures() async throws {
        _ = try await TestStores.prepare()
        let server = try await ServerProcess.start(environment: try Self.shippedEnvironment(["STOREFRONT_BCRYPT_COST": "10"]))
        let client = server.client
        let email = "owner-\(UUID().uuidString.prefix(8).lowercased())@example.com"
        let created = try await client.send(.post, "/api/auth/register", json: RegisterRequest(name: "Owner", email: email, password: "correct horse"),
                                            headers: Self.from("198.51.100.8"))
        #expect(created.status == .created, "\(created.body)")
        var attacker: [Int] = []
        for _ in 0..<15 {
            attacker.append(Int(try await client.send(.post, "/api/auth/login", json: LoginRequest(email: email, password: "wrong guess"),
                                                      headers: Self.from("203.0.113.99")).status.code))
        }
        #expect(attacker.contains(429), "\(attacker)")
        let start = ContinuousClock.now
        var answer = 0
        while ContinuousClock.now - start < .seconds(10) {
            answer = Int(try await client.send(.post, "/api/auth/login", json: LoginRequest(email: email, password: "correct horse"),
                                               headers: Self.from("198.51.100.8")).status.code)
            if answer == 200 { break }
            try await Task.sleep(for: .milliseconds(250))
        }
        let waited = ContinuousClock.now - start
        print("the door: owner signed in \(waited) after 15 failures from another address (\(attacker))")
        #expect(answer == 200)
        #expect(waited < .seconds(5))

        // Held as long as the attacker keeps at it: the email's delay stops at 4 s, the address's does not.
        let throttle = LoginThrottle(limits: .init())
        var now = ContinuousClock.now
        for _ in 0..<15 {
            now = now + (throttle.wait(email: email, address: "203.0.113.99", now: now) ?? .zero)
            throttle.failed(email: email, address: "203.0.113.99", now: now)
        }
        #expect(throttle.wait(email: email, address: "198.51.100.8", now: now) == .seconds(4))
        #expect(try await server.stop() == 0)
    }

    /// Through the real gateway in front of the seven services: a different
    /// made-up token on each request is limited like no token at all, from its
    /// address; a verified account has a budget of its own.
    @Test func madeUpTokensBuyNothingVerifiedOnesHaveTheirOwnBudget() async throws {
        let split = try await SplitDeployment.start(["STOREFRONT_RATE_LIMIT": "5/20"])
        defer { split.stop() }
        let client = split.client
        func burst(_ count: Int, from address: String, token: @escaping @Sendable (Int) -> String?) async throws -> [Int] {
            try await withThrowingTaskGroup(of: [Int].self) { group in
                for lane in 0..<16 {
                    group.addTask {
                        var statuses: [Int] = []
                        for index in stride(from: lane, to: count, by: 16) {
                            var headers = Self.from(address)
                            if let token = token(index) { headers[.authorization] = "Bearer \(token)" }
                            statuses.append(Int(try await client.send(.get, "/api/products?limit=1", headers: headers).status.code))
                        }
                        return statuses
                    }
                }
                return try await group.reduce(into: [Int]()) { $0 += $1 }
            }
        }
        let plain = try await burst(150, from: "198.51.100.21") { _ in nil }
        let junk = try await burst(150, from: "198.51.100.22") { "junk\($0)" }
        let account = try await TestStores.tokens().issueUserToken(userID: UserID(UUID()), role: .customer)
        let verified = try await burst(20, from: "198.51.100.22") { _ in account }
        let refused = (plain: plain.filter { $0 == 429 }.count, junk: junk.filter { $0 == 429 }.count)
        print("the door: 150 reads without a token: \(refused.plain) refused; 150 with made-up tokens: \(refused.junk) refused; then 20 with a verified token from the same address: \(verified.filter { $0 == 200 }.count) served")
        #expect(refused.plain >= 90 && refused.junk >= 90, "\(refused)")
        #expect(Set(plain + junk).isSubset(of: [200, 429]))
        #expect(verified == Array(repeating: 200, count: 20), "\(verified)")
    }

    @Test func halfSentRequestsAndIdleConnectionsAreClosedWithinTheirBounds() async throws {
        _ = try await TestStores.prepare()
        let server = try await ServerProcess.start(environment: try ServerProcess.environment())
        let half = try RawConnections.open(200, port: server.port)
        defer { half.closeAll() }
        half.sendAll("GET /health HTTP/1.1\r\nHost: x\r\n")
        let sent = ContinuousClock.now
        // Everybody else is served meanwhile.
        #expect(try await server.request("GET", "/api/products?limit=1").status == 200)
        // The shipped header bound is 10 s; all 200 must be closed, each with a 408.
        let closed = await half.waitUntilClosed(within: .seconds(20))
        let took = ContinuousClock.now - sent
        print("the door: \(closed.count) of 200 half-sent requests closed after \(took); answers: \(Set(closed.values.map { $0.split(separator: "\r\n").first.map(String.init) ?? "(none)" }))")
        #expect(closed.count == 200)
        #expect(took >= .seconds(9) && took < .seconds(15), "\(took)")
        #expect(closed.values.allSatisfy { $0.hasPrefix("HTTP/1.1 408") && $0.contains(#""success":false"#) })

        // On a kept-alive connection the bound counts from the half-sent request's own
        // first byte, not from the connection's first request.
        let kept = try RawConnections.open(1, port: server.port)
        defer { kept.closeAll() }
        kept.sendAll("GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(await kept.waitForAnswers(within: .seconds(10)) == 1)
        try await Task.sleep(for: .seconds(2)) // spacing between the two requests, not a wait for anything
        kept.sendAll("GET /health HTTP/1.1\r\nHost: x\r\n")
        let halfSent = ContinuousClock.now
        let second = await kept.waitUntilClosed(within: .seconds(20))
        let heldFor = ContinuousClock.now - halfSent
        #expect(second.values.first?.contains("HTTP/1.1 408") == true, "\(second)")
        #expect(heldFor >= .milliseconds(9_500) && heldFor < .seconds(15), "\(heldFor)")
        #expect(try await server.stop() == 0)

        // A kept-alive connection left idle is closed after its own bound (3 s here).
        let idling = try await ServerProcess.start(environment: try ServerProcess.environment(["STOREFRONT_IDLE_TIMEOUT": "3"]))
        let idle = try RawConnections.open(1, port: idling.port)
        defer { idle.closeAll() }
        idle.sendAll("GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        let asked = ContinuousClock.now
        let answered = await idle.waitUntilClosed(within: .seconds(10))
        #expect(answered.values.first?.hasPrefix("HTTP/1.1 200") == true)
        let idleFor = ContinuousClock.now - asked
        #expect(idleFor >= .seconds(2) && idleFor < .seconds(6), "\(idleFor)")
        #expect(try await idling.stop() == 0)
    }

    @Test func oneAddressHoldsABoundedNumberOfConnections() async throws {
        _ = try await TestStores.prepare()
        // Trusting no proxy, this test's loopback connections are one client's. Ready when
        // a raw request is answered, so no pooled client connection holds one of the places.
        let server = try await ServerProcess.start(environment: try ServerProcess.environment([
            "STOREFRONT_TRUSTED_PROXIES": "", "STOREFRONT_CONNECTIONS_PER_ADDRESS": "20"])) { server in
            guard let probe = try? RawConnections.open(1, port: server.port) else { return false }
            defer { probe.closeAll() }
            probe.sendAll("GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            return await probe.waitUntilClosed(within: .seconds(2)).values.first?.hasPrefix("HTTP/1.1 200") == true
        }
        let held = try RawConnections.open(20, port: server.port)
        defer { held.closeAll() }
        // The server has taken all twenty (an answered request on each).
        held.sendAll("GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(await held.waitForAnswers(within: .seconds(10)) == 20)
        let extra = try RawConnections.open(1, port: server.port)
        defer { extra.closeAll() }
        extra.sendAll("GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        let refused = await extra.waitUntilClosed(within: .seconds(10))
        #expect(refused.values.first?.hasPrefix("HTTP/1.1 429") == true, "\(refused)")
        #expect(refused.values.first?.contains(#""code":"rate_limited""#) == true)
        // Closing some makes room again.
        held.closeAll()
        let deadline = ContinuousClock.now + .seconds(10)
        var status = 0
        while ContinuousClock.now < deadline {
            status = try await server.request("GET", "/health").status
            if status == 200 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(status == 200)
        #expect(try await server.stop() == 0)
    }

    /// Least privilege between services: each internal route names the services it accepts.
    @Test func aServiceCredentialOpensOnlyTheRoutesItsServiceNeeds() async throws {
        let configuration = try await TestStores.prepare()
        let app = try await buildApplication(configuration, logger: TestStores.logger)
        let tokens = try await TestStores.tokens()
        let users = try await tokens.issueServiceToken(service: "users")
        let auth = try await tokens.issueServiceToken(service: "auth")
        let checkout = try await tokens.issueServiceToken(service: "checkout")
        let payments = try await tokens.issueServiceToken(service: "payments")
        let order = UUID().uuidString.lowercased()
        try await app.test(.router) { base in
            let client = TestAppClient(base: base)
            func attempt(_ token: String) async throws -> [JSONResult] {
                [
                    try await client.send(.post, "/api/payments/refund", token: token, json: RefundRequest(orderId: order, reason: "test")),
                    try await client.send(.post, "/api/inventory/reserve", token: token, raw: #"{"orderId":"\#(order)","items":[]}"#),
                    try await client.send(.post, "/api/inventory/release", token: token, json: ReleaseStockRequest(orderId: order)),
                    try await client.send(.put, "/api/orders/\(order)/status", token: token, json: UpdateOrderStatusRequest(status: "Cancelled")),
                    try await client.send(.post, "/api/orders/\(order)/restore-cart", token: token),
                ]
            }
            for token in [users, auth, payments] {
                for answer in try await attempt(token) {
                    #expect(answer.status == .forbidden && answer.code == .serviceNotAllowed, "\(answer.status) \(answer.body)")
                }
            }
            for answer in try await attempt(checkout) {
                // Past the door: the route's own answer (400 for no items, 404 for no such order, ...).
                #expect(answer.status != .forbidden && answer.status != .unauthorized && answer.status.code < 500, "checkout refused: \(answer.status) \(answer.body)")
            }
            // Reading an order: checkout and payments may, users may not.
            #expect(try await client.send(.get, "/api/orders/\(order)", token: payments).status == .notFound)
            #expect(try await client.send(.get, "/api/orders/\(order)", token: users).code == .serviceNotAllowed)
        }
    }
}

/// Plain TCP connections to the server, for requests a real HTTP client will not
/// send (half a request) and for holding connections open. Read on a thread of
/// their own, never on the cooperative ones.
final class RawConnections: @unchecked Sendable {
    private var sockets: [Int32]

    private init(_ sockets: [Int32]) { self.sockets = sockets }

    static func open(_ count: Int, port: Int) throws -> RawConnections {
        var sockets: [Int32] = []
        for _ in 0..<count {
            guard let fd = Loopback.connection(to: port) else {
                let failure = errno
                sockets.forEach { close($0) }
                throw ServerProcessError("could not connect to 127.0.0.1:\(port) (errno \(failure))")
            }
            sockets.append(fd)
        }
        return RawConnections(sockets)
    }

    func sendAll(_ text: String) {
        let bytes = Array(text.utf8)
        for fd in sockets { _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } }
    }

    /// Reads every connection until the server closes it or `within` passes:
    /// what each closed one received, by index.
    func waitUntilClosed(within limit: Duration) async -> [Int: String] {
        await onThread { self.read(until: limit, stopWhen: { _, closed in closed }) }.filter { $0.value.closed }.mapValues(\.text)
    }

    /// How many connections received an answer's headers within `within`.
    func waitForAnswers(within limit: Duration) async -> Int {
        await onThread { self.read(until: limit, stopWhen: { text, closed in closed || text.contains("\r\n\r\n") }) }
            .values.filter { $0.text.contains("\r\n\r\n") }.count
    }

    func closeAll() {
        sockets.forEach { close($0) }
        sockets = []
    }

    private func onThread<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: work()) }.start()
        }
    }

    private func read(until limit: Duration, stopWhen done: (String, Bool) -> Bool) -> [Int: (text: String, closed: Bool)] {
        var state = Dictionary(uniqueKeysWithValues: sockets.indices.map { ($0, (text: "", closed: false)) })
        let deadline = ContinuousClock.now + limit
        var buffer = [UInt8](repeating: 0, count: 4096)
        while ContinuousClock.now < deadline {
            let open = state.filter { !done($0.value.text, $0.value.closed) }.keys.sorted()
            if open.isEmpty { break }
            var polls = open.map { pollfd(fd: sockets[$0], events: Int16(POLLIN), revents: 0) }
            let ready = poll(&polls, nfds_t(polls.count), 100)
            guard ready > 0 else { continue }
            for (slot, index) in open.enumerated() where polls[slot].revents != 0 {
                let count = recv(sockets[index], &buffer, buffer.count, 0)
                if count > 0 {
                    state[index]!.text += String(decoding: buffer[0..<count], as: UTF8.self)
                } else {
                    state[index]!.closed = true
                }
            }
        }
        return state
    }
}
