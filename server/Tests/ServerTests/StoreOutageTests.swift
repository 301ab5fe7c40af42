import Foundation
import MongoKit
import ServiceKit
@testable import Composition
import Testing

/// A document store that stops answering (frozen with SIGSTOP, a private one so
/// no other suite notices) costs each request a clear 503 within its deadline,
/// never silence, and SIGTERM still stops the server in time.
@Suite("Store outage") struct StoreOutageTests {
    static var secantus: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(".data/venv/bin/secantusd-py")
    }

    @Test func aFrozenDocumentStoreCostsEachRequestA503InTimeAndShutdownStillEnds() async throws {
        _ = try await TestStores.prepare()
        let executable = Self.secantus
        try #require(FileManager.default.isExecutableFile(atPath: executable.path), "SecantusDB is not installed at \(executable.path): run server/dev/stores up")
        let storage = FileManager.default.temporaryDirectory.appendingPathComponent("sf-outage-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: storage, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: storage) }
        let port = try Loopback.freePort()
        let store = Process()
        store.executableURL = executable
        store.arguments = ["--host", "127.0.0.1", "--port", String(port), "--storage-path", storage.path]
        store.standardOutput = FileHandle.nullDevice
        store.standardError = FileHandle.nullDevice
        try store.run()
        defer {
            // SecantusDB does not always end on SIGTERM: left running, every run of
            // this test would leave one behind. Killed when it has not ended in 5 s.
            kill(store.processIdentifier, SIGCONT)
            store.terminate()
            let deadline = Date().addingTimeInterval(5)
            while store.isRunning && Date() < deadline { usleep(50_000) }
            if store.isRunning { kill(store.processIdentifier, SIGKILL) }
        }
        let url = "mongodb://127.0.0.1:\(port)"
        let probe = try MongoClient.shared(url: url)
        let ready = ContinuousClock.now + .seconds(30)
        while !(await probe.ping(timeout: .seconds(1))) {
            try #require(ContinuousClock.now < ready, "SecantusDB did not start on port \(port)")
            try await Task.sleep(for: .milliseconds(100))
        }

        let timeout = 4
        let server = try await ServerProcess.start(environment: try ServerProcess.environment([
            "STOREFRONT_MONGO_URL": url, "STOREFRONT_REQUEST_TIMEOUT": String(timeout), "STOREFRONT_PRODUCT_CACHE_TTL": "0",
            "STOREFRONT_RATE_LIMIT": "off",
        ]))
        #expect(try await server.request("GET", "/api/products").status == 200)

        kill(store.processIdentifier, SIGSTOP)
        let started = ContinuousClock.now
        let answers = try await withThrowingTaskGroup(of: Int.self) { group in
            for path in ["/api/products", "/api/products?q=lamp", "/api/products/0123456789abcdef01234567"] {
                group.addTask { try await server.request("GET", path).status }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let took = ContinuousClock.now - started
        #expect(answers == [503, 503, 503], "\(answers)")
        #expect(took < .seconds(timeout + 5), "took \(took) with a \(timeout) s deadline")

        // One more request on the frozen store while the server is told to stop (whichever
        // reaches it first, the server must end within the drain time).
        let pending = Task { try? await server.request("GET", "/api/products?category=Home") }
        let stopping = ContinuousClock.now
        let status = try await server.stop(timeout: .seconds(timeout + 10 + 5 + 5))
        #expect(ContinuousClock.now - stopping < .seconds(timeout + 10 + 5 + 5))
        #expect(status == 0, "\(server.log.suffix(600))")
        _ = await pending.value
    }
}
