import Foundation
import HTTPTypes
import NIOCore
import StorefrontTestSupport

/// The real `marketplace` executable, started as a child process on a loopback
/// port, with its log lines captured for the test to read. Its output goes to a
/// file, not a pipe: a pipe read through `FileHandle.readabilityHandler` is a
/// dispatch source, and one was seen to crash the test process in
/// libdispatch's event loop (`_dispatch_event_loop_drain`) while suites opened
/// and closed hundreds of sockets.
final class ServerProcess: Sendable {
    let port: Int
    // Process is not Sendable, but the test only starts, signals and reads it.
    nonisolated(unsafe) private let process: Process
    private let logPath: String

    static var executable: URL {
        // The test bundle sits next to the products of the same build.
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("marketplace")
    }

    /// The test process's environment with the test databases and secrets.
    static func environment(_ overrides: [String: String?] = [:]) throws -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["STOREFRONT_POSTGRES_URL"] = try TestStores.postgresURL()
        env["STOREFRONT_MONGO_URL"] = try TestStores.mongoURL()
        env["STOREFRONT_JWT_SECRET"] = TestStores.secrets.user
        env["STOREFRONT_SERVICE_SECRET"] = TestStores.secrets.service
        env["STOREFRONT_DB_SUFFIX"] = TestStores.suffix
        // The lowest cost, for suites not about hashing; TheDoorTests sets the shipped one.
        env["STOREFRONT_BCRYPT_COST"] = "4"
        env["STOREFRONT_RATE_LIMIT"] = "off"
        env["STOREFRONT_SIGNUP_LIMIT"] = "off"
        // Test clients all call from loopback: one client's share of the hashing
        // queue would be every suite's. TheDoorTests sets the shipped share.
        env["STOREFRONT_HASHING_PER_CLIENT"] = "1000"
        // No SSH door on the shared port 2222 for every server a suite starts; the
        // SSH suites turn it on, on a port of their own.
        env["STOREFRONT_SSH"] = "off"
        for (key, value) in overrides { env[key] = value }
        return env
    }

    private init(port: Int, process: Process, logPath: String) {
        self.port = port
        self.process = process
        self.logPath = logPath
    }

    /// Runs `marketplace <arguments>` to completion, feeding `stdin`.
    /// Waited for off the cooperative threads (`exitCode(of:)`): blocking one of this
    /// machine's two once starved an in-process server's requests past their deadline.
    /// The server package's folder (server/).
    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// Runs `executable` (the marketplace unless named) to completion: its exit status and its output and errors.
    static func run(_ arguments: [String], stdin: String = "", environment: [String: String],
                    executable: String? = nil) async throws -> (status: Int32, output: String) {
        let files = FileManager.default.temporaryDirectory.appendingPathComponent("marketplace-run-\(UUID().uuidString)")
        let input = files.appendingPathExtension("in").path, output = files.appendingPathExtension("out").path
        defer { for path in [input, output] { try? FileManager.default.removeItem(atPath: path) } }
        try Data(stdin.utf8).write(to: URL(fileURLWithPath: input))
        let status = try await exitCode(of: try spawnProcess(executable ?? Self.executable.path, arguments, environment: environment, output: output, input: input))
        return (status, FileManager.default.contents(atPath: output).map { String(decoding: $0, as: UTF8.self) } ?? "")
    }

    /// Starts `marketplace serve` and waits until `/health` answers.
    /// `isReady`: how to tell the server answers (plain `GET /health` by default).
    static func start(environment: [String: String], isReady: ((ServerProcess) async -> Bool)? = nil) async throws -> ServerProcess {
        // 30000-40000; split deployments in tests take 20000-29007.
        let port = try Loopback.freePort()
        let process = Process()
        process.executableURL = executable
        process.arguments = ["serve", "--host", "127.0.0.1", "--port", String(port)]
        process.environment = environment
        let logPath = FileManager.default.temporaryDirectory.appendingPathComponent("marketplace-\(port)-\(UUID().uuidString).log").path
        guard FileManager.default.createFile(atPath: logPath, contents: nil), let log = FileHandle(forWritingAtPath: logPath) else {
            throw ServerProcessError("could not create \(logPath) for the server's output")
        }
        process.standardOutput = log
        process.standardError = log
        try process.run()
        try log.close() // the child holds its own copy
        let server = ServerProcess(port: port, process: process, logPath: logPath)
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if !process.isRunning { throw ServerProcessError("marketplace exited during start-up:\n\(server.log)") }
            if let isReady {
                if await isReady(server) { return server }
            } else if let response = try? await server.request("GET", "/health"), response.status == 200 {
                return server
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        server.process.terminate()
        throw ServerProcessError("marketplace did not answer /health within 30 s:\n\(server.log)")
    }

    var log: String {
        FileManager.default.contents(atPath: logPath).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

    var logLines: [[String: Any]] {
        log.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    /// The first log line that matches, waited for with a deadline: the server
    /// writes a request's line after answering it, and its output arrives here later still.
    func logLine(within timeout: Duration = .seconds(10), where matches: ([String: Any]) -> Bool) async -> [String: Any]? {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let line = logLines.first(where: matches) { return line }
            if ContinuousClock.now > deadline { return nil }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    struct Reply: @unchecked Sendable {
        let status: Int
        let headers: [String: String]
        let object: [String: Any]
        let body: String
    }

    /// This server over real HTTP, as the end-to-end suites reach it.
    var client: RemoteClient { RemoteClient(baseURL: "http://127.0.0.1:\(port)") }

    /// One request by name and raw JSON, with headers keyed lower-case in the reply.
    func request(_ method: String, _ path: String, json: String? = nil, headers: [String: String] = [:]) async throws -> Reply {
        var fields = HTTPFields()
        for (name, value) in headers { fields[HTTPField.Name(name)!] = value }
        if json != nil { fields[.contentType] = "application/json" }
        let result = try await client.exchange(HTTPRequest.Method(method)!, path, headers: fields, body: json.map { ByteBuffer(string: $0) })
        var named: [String: String] = [:]
        for field in result.headers { named[field.name.canonicalName] = field.value }
        return Reply(status: Int(result.status.code), headers: named, object: result.object, body: result.body)
    }

    /// Sends `signal` and waits for the process to end; returns its exit status.
    /// The default wait is the server's own limit and a little more: in-flight
    /// requests may drain for their 10 s deadline and 10 s beyond, and its watchdog
    /// ends the process 5 s after that. A stop slower than 5 s is printed, so a
    /// slow drain shows in the log before it becomes a failure.
    func stop(signal: Int32 = SIGTERM, timeout: Duration = .seconds(30)) async throws -> Int32 {
        kill(process.processIdentifier, signal)
        let sent = ContinuousClock.now
        defer {
            let took = ContinuousClock.now - sent
            if took > .seconds(5) { print("marketplace on port \(port) took \(took) to stop after signal \(signal)") }
        }
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            if ContinuousClock.now > deadline {
                process.terminate()
                kill(process.processIdentifier, SIGKILL)
                let tail = log.split(separator: "\n").suffix(12).joined(separator: "\n")
                throw ServerProcessError("marketplace did not stop within \(timeout) of signal \(signal); its last lines:\n\(tail)")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        return process.terminationStatus
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(atPath: logPath)
    }
}

struct ServerProcessError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
