import Foundation
import Glibc
import MarketplaceAPI
import StorefrontCore
import StorefrontHTTP
import Testing
import StorefrontTestSupport

/// The repository's root, found from this file so the tests run from any folder.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

struct HarnessError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Starts a program with posix_spawn. The test runner's threads block most
/// signals and children inherit that mask, so a server started naively would
/// ignore SIGTERM: the child's mask and signal actions are reset here.
func spawn(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
           stdoutPath: String = "/dev/null", outputPipe: Int32? = nil, errorsToo: Bool = false) throws -> pid_t {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    if let outputPipe {
        posix_spawn_file_actions_adddup2(&actions, outputPipe, 1)
        if errorsToo {
            posix_spawn_file_actions_adddup2(&actions, outputPipe, 2)
        } else {
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        }
    } else {
        posix_spawn_file_actions_addopen(&actions, 1, stdoutPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
    }
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var emptyMask = sigset_t()
    sigemptyset(&emptyMask)
    var defaults = sigset_t()
    sigemptyset(&defaults)
    for signalNumber in [SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGPIPE, SIGCHLD, SIGWINCH] { sigaddset(&defaults, signalNumber) }
    posix_spawnattr_setsigmask(&attributes, &emptyMask)
    posix_spawnattr_setsigdefault(&attributes, &defaults)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
    let argv = ([executable] + arguments).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    let envp = environment.map { $0.map { strdup("\($0.key)=\($0.value)") } + [nil] }
    defer { envp?.forEach { free($0) } }
    var pid: pid_t = 0
    let result = envp.map { envp in posix_spawn(&pid, executable, &actions, &attributes, argv, envp) }
        ?? posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
    guard result == 0 else { throw HarnessError("cannot start \(executable): error \(result)") }
    return pid
}

/// Waits for a child; nil if it is still running at the deadline.
func wait(_ pid: pid_t, timeout: TimeInterval) -> Int32? {
    let deadline = Date().addingTimeInterval(timeout)
    var status: Int32 = 0
    repeat {
        let done = waitpid(pid, &status, WNOHANG)
        if done == pid { return status }
        if done == -1 && errno != EINTR { return status }
        usleep(20_000)
    } while Date() < deadline
    return nil
}

/// Runs a program to completion and returns its standard output.
/// `captureOutput: false` sends output to /dev/null: tmux new-session leaves a
/// daemon behind that would hold a pipe open, so a read would never end.
@discardableResult
func shell(_ executable: String, _ arguments: [String], captureOutput: Bool = true) throws -> String {
    var ends: [Int32] = [-1, -1]
    if captureOutput { guard pipe(&ends) == 0 else { throw HarnessError("pipe() failed") } }
    let pid: pid_t
    do {
        pid = try spawn(executable, arguments, outputPipe: captureOutput ? ends[1] : nil)
    } catch {
        if captureOutput { close(ends[0]); close(ends[1]) }
        throw error
    }
    var output = Data()
    if captureOutput {
        close(ends[1])
        output = Loopback.readAll(ends[0])
        close(ends[0])
    }
    guard let status = wait(pid, timeout: 30) else {
        kill(pid, SIGKILL)
        throw HarnessError("\(executable) \(arguments.joined(separator: " ")) did not finish within 30 s")
    }
    guard status & 0x7f == 0, (status >> 8) & 0xff == 0 else {
        throw HarnessError("\(executable) \(arguments.joined(separator: " ")) failed (status \(status))")
    }
    return String(decoding: output, as: UTF8.self)
}

/// The real marketplace server (server/.build/debug/marketplace) on a free
/// port, with the local stores' settings (`TestDatabases.storesEnvironment`), on databases emptied once per run.
final class MarketplaceServer {
    static let binary = repositoryRoot.appendingPathComponent("server/.build/debug/marketplace").path
    static let databaseSuffix = "_tui_test"
    let port: Int
    let logFile: URL
    private var pid: pid_t?
    private let environment: [String: String]

    var url: String { "http://127.0.0.1:\(port)" }

    /// `databaseSuffix`: a suite that seeds its own catalogue while other suites
    /// run in parallel gives itself databases of its own.
    /// `overrides`: extra server environment (a short STOREFRONT_TOKEN_TTL, say).
    init(databaseSuffix: String = MarketplaceServer.databaseSuffix, overrides: [String: String] = [:]) throws {
        guard FileManager.default.isExecutableFile(atPath: Self.binary) else {
            throw HarnessError("the marketplace server is not built at \(Self.binary): build it first (cd server && swift build); these tests do not skip")
        }
        var environment = try TestDatabases.storesEnvironment()
        environment["LOG_LEVEL"] = "warning"
        // Databases of their own (user_service_tui_test, …), so these tests neither
        // see nor disturb the development data; emptied once per test run.
        let suffix = TestDatabases.suffix(databaseSuffix)
        try TestDatabases.resetOnce(suffix, environment: environment)
        environment["STOREFRONT_DB_SUFFIX"] = suffix
        // No SSH door on the shared port 2222 unless a suite asks for one on a port of its own.
        environment["STOREFRONT_SSH"] = "off"
        environment.merge(overrides) { $1 }
        self.environment = environment
        port = try Loopback.freePort()
        logFile = FileManager.default.temporaryDirectory.appendingPathComponent("storefront-tui-server-\(port).log")
        try start()
    }

    deinit { stop() }

    /// The running server's process id.
    var processID: pid_t? { pid }

    /// What the server has logged so far.
    var log: String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }

    /// The test has stopped and reaped the server itself.
    func forget() { pid = nil }

    func start() throws {
        let pid = try spawn(Self.binary, ["serve", "--migrate", "--port", String(port)], environment: environment, stdoutPath: logFile.path)
        self.pid = pid
        let client = MarketplaceClient(baseURL: url)
        let deadline = Date().addingTimeInterval(90)
        while Date() < deadline {
            if case .success = client.perform(.call(Endpoints.health), token: nil) { return }
            if wait(pid, timeout: 0) != nil {
                self.pid = nil
                let tail = (try? String(contentsOf: logFile, encoding: .utf8))?.suffix(2000) ?? ""
                throw HarnessError("the marketplace server exited during start-up:\n\(tail)")
            }
            usleep(200_000)
        }
        throw HarnessError("the marketplace server gave no /health answer on \(url) within 90 s")
    }

    /// `marketplace seed`: demo vendors, products and stock, replacing the test catalogue.
    func seed(products: Int) throws {
        var environment = environment
        environment["STOREFRONT_SEED_PASSWORD"] = "seed-password"
        let pid = try spawn(Self.binary, ["seed", "--products", String(products), "--fresh"], environment: environment, stdoutPath: logFile.path)
        guard let status = wait(pid, timeout: 120), status == 0 else { throw HarnessError("marketplace seed failed; see \(logFile.path)") }
    }

    /// SIGTERM, as an operator would; SIGKILL if it has not stopped within 5 s
    /// (today's server catches SIGTERM but can take longer than that to exit).
    func stop() {
        guard let pid else { return }
        self.pid = nil
        kill(pid, SIGTERM)
        if wait(pid, timeout: 5) == nil {
            kill(pid, SIGKILL)
            _ = wait(pid, timeout: 5)
        }
    }

    /// `marketplace admin create`, the only way to make an admin.
    func createAdmin(name: String, email: String, password: String) throws {
        var environment = environment
        environment["STOREFRONT_ADMIN_PASSWORD"] = password
        let pid = try spawn(Self.binary, ["admin", "create", "--email", email, "--name", name], environment: environment, stdoutPath: logFile.path)
        guard let status = wait(pid, timeout: 60), status == 0 else { throw HarnessError("marketplace admin create failed; see \(logFile.path)") }
    }

    /// Creates an account over HTTP (the server's own route, no shortcut into its store).
    func register(name: String, email: String, password: String, role: Role = .customer) throws {
        let account = RegisterRequest(name: name, email: email, password: password, role: role.rawValue)
        let reply = MarketplaceClient(baseURL: url).perform(.data(Endpoints.register, body: account, sendsToken: false), token: nil)
        guard case .success = reply else { throw HarnessError("registering \(email) failed: \(reply)") }
    }
}

/// The built `storefront` binary running inside a private tmux server.
final class TmuxSession {
    static var binary: String {
        let besideTests = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("storefront").path
        if FileManager.default.isExecutableFile(atPath: besideTests) { return besideTests }
        return repositoryRoot.appendingPathComponent(".build/debug/storefront").path
    }

    let socket = "storefront-test-\(getpid())-\(UUID().uuidString.prefix(8))"
    let tmux: String

    /// The client's own folders ($XDG_STATE_HOME, $XDG_CONFIG_HOME): private to the
    /// session unless a test shares them between two runs of the client.
    let home: URL

    /// `environment`: set for the client besides the usual (what the SSH service sets for a session, say).
    init(server: String, width: Int = 80, height: Int = 24, arguments: [String] = [], home: URL? = nil,
         environment: [String: String] = [:]) throws {
        guard let tmux = ["/usr/bin/tmux", "/usr/local/bin/tmux", "/bin/tmux"].first(where: FileManager.default.isExecutableFile(atPath:)) else {
            throw HarnessError("tmux is not installed (apt-get install tmux)")
        }
        self.tmux = tmux
        guard FileManager.default.isExecutableFile(atPath: Self.binary) else { throw HarnessError("storefront is not built at \(Self.binary)") }
        self.home = try home ?? Self.makeHome()
        let extra = environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        let command = (["env", "LANG=C.UTF-8", "LC_ALL=C.UTF-8", "STOREFRONT_SERVER=\(server)"] + Self.folders(self.home) + extra + [Self.binary] + arguments)
            .map { "'\($0)'" }.joined(separator: " ")
        try shell(tmux, ["-L", socket, "-f", "/dev/null", "new-session", "-d", "-x", String(width), "-y", String(height), "-s", "shop", command], captureOutput: false)
    }

    /// Any command (an `ssh -tt …`, say) instead of the client; the pane stays
    /// after the command exits so the test can read its last words.
    init(command: String, width: Int = 80, height: Int = 24) throws {
        guard let tmux = ["/usr/bin/tmux", "/usr/local/bin/tmux", "/bin/tmux"].first(where: FileManager.default.isExecutableFile(atPath:)) else {
            throw HarnessError("tmux is not installed (apt-get install tmux)")
        }
        self.tmux = tmux
        home = try Self.makeHome()
        try shell(tmux, ["-L", socket, "-f", "/dev/null", "start-server", ";", "set-option", "-g", "remain-on-exit", "on", ";",
                         "new-session", "-d", "-x", String(width), "-y", String(height), "-s", "shop",
                         "env LANG=C.UTF-8 LC_ALL=C.UTF-8 " + command], captureOutput: false)
    }

    deinit { _ = try? shell(tmux, ["-L", socket, "kill-server"]) }

    /// A fresh folder for the client's state and configuration, so no test reads or
    /// writes the real ~/.local/state/storefront or ~/.config/storefront.
    static func makeHome() throws -> URL {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("storefront-home-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        return home
    }

    static func folders(_ home: URL) -> [String] {
        ["XDG_STATE_HOME=\(home.appendingPathComponent("state").path)", "XDG_CONFIG_HOME=\(home.appendingPathComponent("config").path)"]
    }

    /// Whether the pane's command has exited (kept on screen by remain-on-exit).
    func paneIsDead() throws -> Bool {
        try shell(tmux, ["-L", socket, "display-message", "-p", "-t", "shop", "#{pane_dead}"]).trimmingCharacters(in: .whitespacesAndNewlines) == "1"
    }

    /// Named keys as tmux spells them: Tab, BTab, Enter, Escape, Up, C-c, F1…
    func press(_ keys: String...) throws {
        try shell(tmux, ["-L", socket, "send-keys", "-t", "shop"] + keys)
    }

    /// Literal text, typed as is.
    func type(_ text: String) throws {
        try shell(tmux, ["-L", socket, "send-keys", "-t", "shop", "-l", text])
    }

    /// Types into a form's fields from the focused one on, Tab between them,
    /// leaving the focus on the last.
    func typeFields(_ fields: String...) throws {
        for (index, field) in fields.enumerated() {
            if index > 0 { try press("Tab") }
            try type(field)
        }
    }

    /// Fills the checkout's address form (street, city, zip, country) from its first field.
    func typeAddress() throws {
        try typeFields("1 Rue Neuve", "Lyon", "69001", "France")
    }

    func capture() throws -> String {
        try shell(tmux, ["-L", socket, "capture-pane", "-p", "-t", "shop"])
    }

    /// Moves the list selection (the row marked ▶) down until it is on the row
    /// showing `text`. Other tests may add rows meanwhile, so the row is found on
    /// the screen rather than counted beforehand.
    func selectRow(containing text: String, moves: Int = 60) throws {
        var screen = try waitFor("▶")
        for _ in 0...moves {
            let marked = Self.markedRow(screen)
            if marked.contains(text) { return }
            try press("Down")
            // Wait for the frame that shows the moved selection; at the end of the list none comes.
            let deadline = Date().addingTimeInterval(5)
            repeat {
                usleep(20_000)
                screen = (try? capture()) ?? ""
            } while Self.markedRow(screen) == marked && Date() < deadline
            if Self.markedRow(screen) == marked { break }
        }
        throw HarnessError("no row showing \(text) could be selected; the screen shows:\n\(screen)")
    }

    /// The row marked ▶ and where it stands, so a scrolled list whose marked row keeps its place still shows a change.
    private static func markedRow(_ screen: String) -> String {
        let rows = screen.split(separator: "\n", omittingEmptySubsequences: false)
        guard let index = rows.firstIndex(where: { $0.contains("▶") }) else { return "" }
        return "\(index): \(rows[index])"
    }

    /// How often `waitFor` reads the screen. Each read runs a tmux client; a load
    /// test driving twenty sessions reads less often, so that the test's own polling
    /// is not what the shoppers' clients wait behind on two cores.
    var pollInterval: TimeInterval = 0.05

    /// Polls the screen until every text shows, or fails with what the screen showed.
    @discardableResult
    func waitFor(_ texts: String..., timeout: TimeInterval = 15) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var screen = ""
        while Date() < deadline {
            screen = (try? capture()) ?? ""
            if texts.allSatisfy(screen.contains) { return screen }
            usleep(useconds_t(pollInterval * 1_000_000))
        }
        throw HarnessError("waited \(Int(timeout)) s for \(texts) but the screen shows:\n\(screen)")
    }
}

func uniqueEmail(_ prefix: String) -> String {
    "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())@example.com"
}
