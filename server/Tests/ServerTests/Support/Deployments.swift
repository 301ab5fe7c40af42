import AsyncHTTPClient
import Foundation
import HTTPTypes
import NIOCore
import NIOHTTP1
import Testing

/// The two ways the marketplace runs, each reached over real HTTP.
enum Topology: String, CaseIterable, CustomTestStringConvertible, Sendable {
    /// `marketplace serve`: the real executable, every service in one process.
    case allInOne = "all-in-one"
    /// `server/dev/split up`: every service its own process, behind a real nginx.
    case split

    var testDescription: String { rawValue }
}

/// A client for a marketplace answering at `baseURL`.
struct RemoteClient: APIClient {
    let baseURL: String

    /// One pool for every remote test call, wide enough for 100 shoppers at once.
    static let http: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: 128)
        configuration.redirectConfiguration = .disallow
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    func exchange(_ method: HTTPRequest.Method, _ uri: String, headers: HTTPFields, body: ByteBuffer?) async throws -> JSONResult {
        var request = HTTPClientRequest(url: baseURL + uri)
        request.method = HTTPMethod(rawValue: method.rawValue)
        for field in headers { request.headers.add(name: field.name.rawName, value: field.value) }
        if let body { request.body = .bytes(body) }
        let response = try await Self.http.execute(request, timeout: .seconds(30))
        let text = String(buffer: try await response.body.collect(upTo: 1 << 22))
        var fields = HTTPFields()
        for header in response.headers {
            if let name = HTTPField.Name(header.name) { fields.append(HTTPField(name: name, value: header.value)) }
        }
        return JSONResult(status: HTTPResponse.Status(code: Int(response.status.code)), headers: fields, body: text)
    }
}

/// `server/dev/split` run for a test: its own directory and ports, the test
/// databases and secrets, the binary of this build.
final class SplitDeployment: Sendable {
    let directory: String
    let gatewayPort: Int
    let environment: [String: String]

    static var script: String {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("dev/split").path
    }

    var client: RemoteClient { RemoteClient(baseURL: "http://127.0.0.1:\(gatewayPort)") }

    private init(directory: String, gatewayPort: Int, environment: [String: String]) {
        self.directory = directory
        self.gatewayPort = gatewayPort
        self.environment = environment
    }

    /// Starts every service and the gateway; `overrides` tune the services (payment latency, ...).
    static func start(_ overrides: [String: String?] = [:]) async throws -> SplitDeployment {
        try await launch("up", overrides)
    }

    /// The gateway alone, every route sent to one `marketplace serve` on `upstreamPort`.
    static func gateway(upstreamPort: Int, _ overrides: [String: String?] = [:]) async throws -> SplitDeployment {
        try await launch("gateway", overrides.merging(["STOREFRONT_SPLIT_UPSTREAM": "127.0.0.1:\(upstreamPort)"]) { $1 })
    }

    private static func launch(_ command: String, _ overrides: [String: String?]) async throws -> SplitDeployment {
        _ = try await TestStores.prepare()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("split-\(UUID().uuidString.prefix(8))").path
        // Private, as server/.data is: the gateway must work from a folder only its owner can enter.
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        var environment = try ServerProcess.environment(overrides)
        environment["STOREFRONT_SPLIT_DIR"] = directory
        environment["MARKETPLACE_BIN"] = ServerProcess.executable.path
        environment["STOREFRONT_SPLIT_RATE"] = environment["STOREFRONT_SPLIT_RATE"] ?? "10000r/s"
        environment["STOREFRONT_SPLIT_BURST"] = environment["STOREFRONT_SPLIT_BURST"] ?? "10000"
        // The ssh service's host key in the deployment's own folder, its SSH door on
        // any free port (the log names it).
        environment["STOREFRONT_DATA_DIR"] = directory
        environment["STOREFRONT_SPLIT_SSH_PORT"] = environment["STOREFRONT_SPLIT_SSH_PORT"] ?? "0"
        // Nine consecutive free ports: the gateway's and the eight services'. Suites
        // start deployments at once, so a range may be taken: the script says so
        // and stops, what it had started is stopped, and another range is tried.
        for attempt in 1...5 {
            let gatewayPort = Int.random(in: 2_000...2_900) * 10
            environment["STOREFRONT_GATEWAY_PORT"] = String(gatewayPort)
            let deployment = SplitDeployment(directory: directory, gatewayPort: gatewayPort, environment: environment)
            let (status, output) = try await deployment.run([command])
            if status == 0 { return deployment }
            deployment.runBlocking(["down"])
            // A range taken meanwhile says so; a start that failed without a word (seen once
            // in CI, every service healthy) is tried again on another range too, at most five times.
            if attempt < 5 { continue }
            throw ServerProcessError("server/dev/split \(command) failed (\(status)):\n\(output)\n\(deployment.logs())")
        }
        preconditionFailure("unreachable: the last attempt returns or throws")
    }

    /// Runs `server/dev/split <arguments>` with this deployment's settings, `overrides`
    /// changing some for what this run starts.
    ///
    /// Spawned by hand rather than with Foundation's `Process`, which learns that
    /// a child ended only when every holder of an inherited descriptor has closed
    /// it, and the services and nginx the script leaves running would hold it forever.
    @discardableResult
    func run(_ arguments: [String], overrides: [String: String] = [:]) async throws -> (status: Int32, output: String) {
        let outputPath = FileManager.default.temporaryDirectory.appendingPathComponent("split-run-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        let status = try await exitCode(of: try spawnScript([Self.script] + arguments, environment: environment.merging(overrides) { $1 }, output: outputPath))
        let output = FileManager.default.contents(atPath: outputPath).map { String(decoding: $0, as: UTF8.self) } ?? ""
        return (status, output)
    }

    /// For tear-down, where there is nothing left to wait for but the script.
    func runBlocking(_ arguments: [String]) {
        guard let pid = try? spawn(arguments, output: "/dev/null") else { return }
        var status: Int32 = 0
        waitpid(pid, &status, 0)
    }

    private func spawn(_ arguments: [String], output: String) throws -> pid_t {
        try spawnScript([Self.script] + arguments, environment: environment, output: output)
    }

    /// The last lines of every service's log, for failure messages.
    func logs(lines: Int = 15) -> String {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasSuffix(".log") }.sorted().map { name in
            let text = (try? String(contentsOfFile: directory + "/" + name, encoding: .utf8)) ?? ""
            return "== \(name)\n" + text.split(separator: "\n").suffix(lines).joined(separator: "\n")
        }.joined(separator: "\n")
    }

    func stop() {
        runBlocking(["down"])
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// The deployments the end-to-end suites run against, started once for the
/// suite that asks for them (`.deployments`) and stopped after it.
struct Deployments: Sendable {
    let allInOne: ServerProcess
    let split: SplitDeployment

    @TaskLocal static var current: Deployments?

    static func client(_ topology: Topology) throws -> RemoteClient {
        guard let current else { throw ServerProcessError("no deployment: the suite needs the .deployments trait") }
        switch topology {
        case .allInOne: return RemoteClient(baseURL: "http://127.0.0.1:\(current.allInOne.port)")
        case .split: return current.split.client
        }
    }
}

struct DeploymentsTrait: SuiteTrait, TestScoping {
    var isRecursive: Bool { false }

    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        _ = try await TestStores.prepare()
        let allInOne = try await ServerProcess.start(environment: try ServerProcess.environment())
        let split: SplitDeployment
        do {
            split = try await SplitDeployment.start()
        } catch {
            _ = try? await allInOne.stop()
            throw error
        }
        defer { split.stop() }
        do {
            try await Deployments.$current.withValue(Deployments(allInOne: allInOne, split: split)) { try await function() }
        } catch {
            _ = try? await allInOne.stop()
            throw error
        }
        _ = try await allInOne.stop()
    }
}

/// Runs a bash script with `arguments`, as `spawnProcess` runs a program.
func spawnScript(_ arguments: [String], environment: [String: String], output: String) throws -> pid_t {
    try spawnProcess("/bin/bash", arguments, environment: environment, output: output)
}

/// Runs `executable` with `arguments`, stdout and stderr into the file `output`,
/// stdin from the file `input`, and none of this process's other descriptors:
/// Foundation's `Process` learns that a child ended only when every holder of an
/// inherited descriptor closed it, and the daemons scripts leave running (nginx,
/// services, a restarted store) would hold one for ever. Wait with `exitCode(of:)`.
func spawnProcess(_ executable: String, _ arguments: [String], environment: [String: String], output: String,
                  input: String = "/dev/null") throws -> pid_t {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, input, O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    posix_spawn_file_actions_adddup2(&actions, 1, 2)
    let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
    for fd in open.compactMap(Int32.init) where fd > 2 {
        posix_spawn_file_actions_addclose(&actions, fd)
    }
    let argv = [executable] + arguments
    let envp = environment.map { "\($0.key)=\($0.value)" }
    var pid: pid_t = 0
    let result = withCStrings(argv) { argv in
        withCStrings(envp) { envp in posix_spawn(&pid, executable, &actions, nil, argv, envp) }
    }
    guard result == 0 else { throw ServerProcessError("cannot start \(executable) \(arguments.first ?? ""): errno \(result)") }
    return pid
}

/// Runs a script as `spawnScript` does and waits for it; its exit status.
func runScript(_ arguments: [String], environment: [String: String] = ProcessInfo.processInfo.environment) async throws -> Int32 {
    try await exitCode(of: try spawnScript(arguments, environment: environment, output: "/dev/null"))
}

/// Waits for the child `pid` to end; its exit code (128 + the signal when one ended it).
/// Polled rather than waited for: a blocked thread is half of this machine's concurrency pool.
func exitCode(of pid: pid_t) async throws -> Int32 {
    var status: Int32 = 0
    while waitpid(pid, &status, WNOHANG) == 0 {
        try await Task.sleep(for: .milliseconds(50))
    }
    return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
}

/// NUL-terminated C strings for `posix_spawn`, alive for the call.
func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
    let pointers = strings.map { strdup($0) } + [nil]
    defer { pointers.forEach { free($0) } }
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}

extension Trait where Self == DeploymentsTrait {
    /// Starts the all-in-one server and the split deployment around the suite.
    static var deployments: Self { DeploymentsTrait() }
}
