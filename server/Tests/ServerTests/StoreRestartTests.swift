import Foundation
import HTTPTypes
import MarketplaceAPI
import PostgresNIO
import ServiceKit
@testable import Composition
import Testing

/// PostgreSQL restarted as after a crash and the document store killed and
/// started again, in the middle of shoppers checking out and browsing. Every
/// request answers (an error is fine, silence is not), nothing answers 500, and
/// once recovery has run the stores agree: every Completed payment has its
/// Confirmed order, stock was taken once per Confirmed unit and is back for the
/// rest, no order stays Pending. Then SIGTERM still stops the server in time.
///
/// It restarts stores of its own (`server/dev/stores` in a private folder, on
/// ports of its own), so the other suites never notice.
@Suite("Store restarts", .serialized) struct StoreRestartTests {
    static var stores: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("dev/stores").path
    }

    /// `server/dev/stores` for the private stores: their folder and ports, the
    /// shared SecantusDB installation.
    struct PrivateStores {
        let folder: URL
        let environment: [String: String]

        init() throws {
            folder = FileManager.default.temporaryDirectory.appendingPathComponent("sf-restart-\(UUID().uuidString.prefix(8))")
            // Open to the postgres user, so the cluster can live inside it.
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
            let shared = URL(fileURLWithPath: StoreRestartTests.stores).deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent(".data/venv")
            try FileManager.default.createSymbolicLink(at: folder.appendingPathComponent("venv"), withDestinationURL: shared)
            var environment = ProcessInfo.processInfo.environment
            environment["STOREFRONT_DATA_DIR"] = folder.path
            environment["STOREFRONT_PG_PORT"] = String(try Loopback.freePort())
            environment["STOREFRONT_MONGO_PORT"] = String(try Loopback.freePort())
            self.environment = environment
        }

        /// Runs `server/dev/stores ARGUMENTS` on a thread of its own (waiting for it must
        /// not hold one of the few threads the shoppers' requests run on); its output.
        @discardableResult
        func run(_ arguments: String...) async throws -> String {
            let output = folder.appendingPathComponent("stores-\(arguments.joined(separator: "-")).out").path
            let environment = self.environment
            let status: Int32? = await withCheckedContinuation { done in
                Thread.detachNewThread {
                    let pid = try? spawnScript([StoreRestartTests.stores] + arguments, environment: environment, output: output)
                    var status: Int32 = -1
                    if let pid { waitpid(pid, &status, 0) }
                    done.resume(returning: pid == nil ? nil : status)
                }
            }
            let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
            try #require(status == 0, "server/dev/stores \(arguments.joined(separator: " ")) failed: \(text.suffix(800))")
            return text
        }

        /// The `export NAME='value'` lines of `stores env`.
        func exports() async throws -> [String: String] {
            var values: [String: String] = [:]
            for line in try await run("env").split(separator: "\n") where line.hasPrefix("export ") {
                let pair = line.dropFirst("export ".count).split(separator: "=", maxSplits: 1)
                guard pair.count == 2 else { continue }
                values[String(pair[0])] = String(pair[1]).trimmingCharacters(in: CharacterSet(charactersIn: "'"))
            }
            return values
        }

        func remove() async {
            _ = try? await run("down")
            try? FileManager.default.removeItem(at: folder)
        }
    }

    struct Answer: Sendable {
        var kind: String
        var status: Int?
        var took: Duration
    }

    @Test(arguments: Topology.allCases) func restartingBothStoresMidStreamLosesNothingAndLeavesNothingHanging(_ topology: Topology) async throws {
        let stores = try PrivateStores()
        do {
            try await restartBothStoresMidStream(stores, topology)
        } catch {
            await stores.remove()
            throw error
        }
        await stores.remove()
    }

    func restartBothStoresMidStream(_ stores: PrivateStores, _ topology: Topology) async throws {
        try await stores.run("up")
        let urls = try await stores.exports()
        var configuration = try TestStores.configuration()
        configuration.postgresURL = try #require(urls["STOREFRONT_POSTGRES_URL"])
        configuration.mongoURL = try #require(urls["STOREFRONT_MONGO_URL"])
        _ = try await migrateAll(configuration, logger: TestStores.logger)
        let deadline = 5
        let overrides: [String: String?] = [
            "STOREFRONT_POSTGRES_URL": configuration.postgresURL, "STOREFRONT_MONGO_URL": configuration.mongoURL,
            "STOREFRONT_DB_SUFFIX": configuration.databaseSuffix, "STOREFRONT_REQUEST_TIMEOUT": String(deadline),
            "STOREFRONT_CHECKOUT_STALE_AFTER": "6", "STOREFRONT_RATE_LIMIT": "off",
        ]
        let server: ServerProcess?
        let split: SplitDeployment?
        switch topology {
        case .allInOne:
            server = try await ServerProcess.start(environment: try ServerProcess.environment(overrides))
            split = nil
        case .split:
            server = nil
            split = try await SplitDeployment.start(overrides)
        }
        defer { split?.runBlocking(["down"]) }
        let client = server?.client ?? split!.client
        var stocked: [String] = []
        for _ in 0..<3 { stocked.append(try await InventoryServiceTests.stockedProduct(client, quantity: 40).productID) }
        var signedUp: [(token: String, id: String, email: String)] = []
        for _ in 0..<8 { signedUp.append(try await client.signUp()) }
        let products = stocked, shoppers = signedUp
        let stockBefore = 40

        // Eight shoppers add to their carts, check out and browse for 18 s; PostgreSQL
        // restarts at 5 s, the document store at 10 s.
        let start = ContinuousClock.now
        let end = start + .seconds(18)
        let answers = try await withThrowingTaskGroup(of: [Answer].self) { group in
            for (index, shopper) in shoppers.enumerated() {
                group.addTask {
                    var seen: [Answer] = []
                    var round = 0
                    while ContinuousClock.now < end {
                        round += 1
                        let product = products[(index + round) % products.count]
                        func timed(_ kind: String, _ send: () async throws -> JSONResult) async {
                            let sent = ContinuousClock.now
                            let status = try? await send().status.code
                            seen.append(Answer(kind: kind, status: status, took: ContinuousClock.now - sent))
                        }
                        await timed("add") {
                            try await client.send(.post, "/api/orders/cart/add", token: shopper.token, json: AddToCartRequest(productId: product, quantity: 1))
                        }
                        await timed("checkout") { try await CheckoutTests.checkout(client, token: shopper.token, key: "restart-\(index)-\(round)") }
                        await timed("browse") { try await client.send(.get, "/api/products?page=\(round % 5 + 1)&limit=5") }
                    }
                    return seen
                }
            }
            group.addTask {
                try await Task.sleep(until: start + .seconds(5))
                try await stores.run("restart", "postgres")
                try await Task.sleep(until: start + .seconds(10))
                try await stores.run("restart", "mongo")
                return []
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }

        #expect(answers.count > 24, "\(answers.count) requests")
        // Every request answers, within its deadline and the backstop's two seconds (a
        // service's answer through the gateway may add its own call's deadline in the split form).
        let silent = answers.filter { $0.status == nil }
        #expect(silent.isEmpty, "no answer: \(silent.map { "\($0.kind) after \($0.took)" })")
        let slow = answers.filter { $0.took > .seconds(deadline + 10) }
        #expect(slow.isEmpty, "past the deadline: \(slow.map { "\($0.kind) \($0.status ?? 0) after \($0.took)" })")
        #expect(!answers.contains { $0.status == 500 }, "a 500: \(answers.filter { $0.status == 500 }.map(\.kind))")
        #expect(answers.contains { $0.kind == "checkout" && $0.status == 200 }, "some checkouts went through")

        // Recovery settles what the restarts interrupted; then the stores agree.
        let ids = shoppers.map(\.id)
        let settled = ContinuousClock.now + .seconds(120)
        var pending: [String] = ["?"]
        while !pending.isEmpty, ContinuousClock.now < settled {
            pending = try await CheckoutFaultTests.texts(configuration, .orders, "SELECT id::text FROM orders WHERE status = 'Pending' AND user_id = ANY(\(ids))")
            if !pending.isEmpty { try await Task.sleep(for: .milliseconds(500)) }
        }
        #expect(pending.isEmpty, "orders still Pending: \(pending)")
        let confirmed = try await CheckoutFaultTests.texts(configuration, .orders, "SELECT id::text FROM orders WHERE status = 'Confirmed' AND user_id = ANY(\(ids))")
        let paid = try await CheckoutFaultTests.texts(configuration, .payments, "SELECT order_id FROM transactions WHERE status = 'Completed' AND user_id = ANY(\(ids))")
        #expect(Set(paid) == Set(confirmed), "every Completed payment has its Confirmed order and the reverse")
        #expect(paid.count == Set(paid).count, "one Completed payment per order")
        #expect(try await CheckoutFaultTests.texts(configuration, .payments, "SELECT id::text FROM transactions WHERE status = 'Pending' AND user_id = ANY(\(ids))").isEmpty)
        for product in products {
            let sold = try await CheckoutFaultTests.texts(configuration, .orders, """
                SELECT COALESCE(SUM(i.quantity), 0)::text FROM order_items i JOIN orders o ON o.id = i.order_id
                WHERE o.status = 'Confirmed' AND i.product_id = \(product)
                """)
            let left = try await InventoryServiceTests.quantity(client, product)
            #expect(left.map { stockBefore - $0 } == sold.first.flatMap(Int.init), "\(product): \(left ?? -1) left, \(sold) sold")
        }

        // SIGTERM ends every process within the drain time (the request deadline, ten
        // seconds more, then five for what still hangs).
        if let server {
            let status = try await server.stop(timeout: .seconds(deadline + 10 + 5 + 5))
            #expect(status == 0)
        }
        if let split {
            // `split down` kills a service that has not stopped 15 s after SIGTERM; a clean
            // drain here (nothing in flight) takes a second or two.
            let began = ContinuousClock.now
            let (status, output) = try await split.run(["down"])
            #expect(status == 0, "\(output)")
            #expect(ContinuousClock.now - began < .seconds(14), "the services took \(ContinuousClock.now - began) to stop:\n\(split.logs())")
        }
    }
}
