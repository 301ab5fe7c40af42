import Foundation
import Glibc
import MarketplaceAPI
import StorefrontCore
import StorefrontHTTP
import Testing

/// Twenty shoppers through the marketplace's own SSH door at once, each signed
/// in by a key of their own: how long `ssh` takes to show the catalogue, what a
/// session's shop costs in memory, and every page on screen within 500 ms of
/// its key with no refusal. Run apart from the other client suites (the
/// Makefile's CLIENT_ALONE): it times pages.
@Suite("many shoppers over the SSH door", .serialized)
struct ManySSHShoppersTests {
    /// The catalogue on screen, polled every `poll` seconds: seconds since `start`.
    static func firstFrame(_ shop: TmuxSession, since start: Date, poll: TimeInterval, timeout: TimeInterval = 60) throws -> Double {
        let deadline = start.addingTimeInterval(timeout)
        while Date() < deadline {
            if let screen = try? shop.capture(), screen.contains("of 300 products") { return Date().timeIntervalSince(start) }
            usleep(useconds_t(poll * 1_000_000))
        }
        throw HarnessError("no catalogue within \(Int(timeout)) s: \((try? shop.capture()) ?? "")")
    }

    /// Proportional and private memory of a process, in KiB (`/proc/PID/smaps_rollup`).
    static func memory(of pid: pid_t) -> (pss: Int, private: Int)? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/smaps_rollup", encoding: .utf8) else { return nil }
        func field(_ name: String) -> Int {
            text.split(separator: "\n").first { $0.hasPrefix(name + ":") }.flatMap { line in
                line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap { Int($0) }
            } ?? 0
        }
        return (field("Pss"), field("Private_Clean") + field("Private_Dirty"))
    }

    @Test func twentySessionsEachSignedInByItsOwnKeyPageWithoutRefusals() throws {
        let sessions = Int(ProcessInfo.processInfo.environment["STOREFRONT_SSH_BENCH_SESSIONS"] ?? "") ?? 20
        let traces = URL(fileURLWithPath: "/tmp").appendingPathComponent("storefront-ssh-traces-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: traces, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: traces) }
        // The shipped limits but for the ones twenty sessions from one test address would meet.
        let door = try SSHDoor(databaseSuffix: "_ssh_load_test", overrides: [
            "STOREFRONT_SSH_TRACE": traces.path,
            "STOREFRONT_SSH_SESSIONS_PER_ADDRESS": String(sessions),
            "STOREFRONT_SSH_CONNECT_RATE": String(sessions),
            "LOG_LEVEL": "warning",
        ])
        try door.server.seed(products: 300)
        var keys: [String] = []
        for index in 0..<sessions {
            let account = try SSHKeysTmuxTests.signIn(door.server, name: "SSH Shopper \(index)")
            let key = try door.makeKey("shopper\(index)")
            let line = try String(contentsOfFile: key + ".pub", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            _ = try account.client.perform(.data(Endpoints.addSSHKey, body: AddSSHKeyRequest(publicKey: line)), token: account.token).get()
            keys.append(key)
        }

        // From `ssh` to the catalogue on screen, one session at a time, read every 10 ms.
        var alone: [Double] = []
        for key in keys.prefix(5) {
            let start = Date()
            let shop = try TmuxSession(command: door.sshCommand(key: key), width: 100, height: 30)
            alone.append(try Self.firstFrame(shop, since: start, poll: 0.01))
            try shop.press("q")
            try shop.waitUntilEnded()
        }

        // Twenty at once.
        let start = Date()
        let shops = try keys.map { try TmuxSession(command: door.sshCommand(key: $0), width: 100, height: 30) }
        for shop in shops { shop.pollInterval = 0.3 }
        var together: [Double] = []
        for shop in shops { together.append(try Self.firstFrame(shop, since: start, poll: 0.1)) }
        for shop in shops { try shop.waitFor("signed in by key", timeout: 30) }
        let clients = door.clientProcesses()
        #expect(clients.count == sessions, "\(clients.count) shops for \(sessions) sessions")
        let memory = clients.compactMap(Self.memory(of:))

        let failures = Failures()
        let group = DispatchGroup()
        for (index, session) in shops.enumerated() {
            nonisolated(unsafe) let shop = session
            DispatchQueue.global().async(group: group) {
                do {
                    // End: the next page of the catalogue, from the server; two a second.
                    for _ in 0..<10 {
                        try shop.press("End")
                        usleep(500_000)
                    }
                    try shop.waitFor("200 of 300 products", timeout: 30)
                    let screen = try shop.capture()
                    if screen.contains("Too many requests") || screen.contains("busy") { failures.add("session \(index) was refused:\n\(screen)") }
                } catch {
                    failures.add("session \(index): \(error)")
                }
            }
        }
        group.wait()
        #expect(failures.all.isEmpty, "\(failures.all.joined(separator: "\n\n"))")
        // Every End asked for the next page; the trace holds one line per page on screen.
        let deadline = Date().addingTimeInterval(30)
        var pages: [ClientTrace.Page] = []
        repeat {
            let files = (try? FileManager.default.contentsOfDirectory(atPath: traces.path)) ?? []
            pages = files.flatMap { ClientTrace(path: traces.path + "/" + $0).pages }.filter { $0.key == "end" }
            if pages.count >= sessions * 10 { break }
            usleep(100_000)
        } while Date() < deadline
        for shop in shops { try shop.press("q") }
        for shop in shops { try shop.waitUntilEnded(timeout: 30) }

        let times = pages.map(\.milliseconds)
        func figures(_ values: [Double], unit: String = "ms", scale: Double = 1) -> String {
            "p50 \(Int(ClientTrace.percentile(values, 0.5) * scale)) \(unit), p99 \(Int(ClientTrace.percentile(values, 0.99) * scale)) \(unit), max \(Int((values.max() ?? 0) * scale)) \(unit)"
        }
        print("ssh door: from ssh to the catalogue, one session at a time: \(figures(alone, scale: 1000)); \(sessions) at once: \(figures(together, scale: 1000))")
        print("ssh door: \(sessions) sessions, \(pages.count) catalogue pages: \(figures(times))")
        if !memory.isEmpty {
            let pss = memory.map { Double($0.pss) }, own = memory.map { Double($0.private) }
            print("ssh door: memory per session's shop: PSS mean \(Int(pss.reduce(0, +) / Double(pss.count))) KiB (max \(Int(pss.max() ?? 0))), private mean \(Int(own.reduce(0, +) / Double(own.count))) KiB (max \(Int(own.max() ?? 0)))")
        }
        #expect(pages.count == sessions * 10, "\(pages.count) catalogue pages for \(sessions * 10) keys")
        let slow = pages.filter { $0.milliseconds > 500 }
        #expect(slow.isEmpty, "pages past 500 ms: \(slow.map { "\($0.key) \(Int($0.milliseconds)) ms" })")
    }
}
