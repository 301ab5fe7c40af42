import Foundation
import Glibc
import MarketplaceAPI
import StorefrontCore
import StorefrontHTTP
import Testing
import StorefrontTestSupport

/// The real marketplace server with its own SSH door on a free port, a data
/// folder of its own (the host key) and the built `storefront` as the sessions'
/// shop; OpenSSH's own client connects to it.
final class SSHDoor {
    let server: MarketplaceServer
    let port: Int
    let data: URL
    let keys: URL

    init(databaseSuffix: String, overrides: [String: String] = [:]) throws {
        for tool in ["/usr/bin/ssh", "/usr/bin/ssh-keygen"] {
            guard FileManager.default.isExecutableFile(atPath: tool) else {
                throw HarnessError("\(tool) is missing: install openssh-client (server/dev/deps); this test does not skip")
            }
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("storefront-ssh-\(getpid())-\(UUID().uuidString.prefix(8))")
        data = folder.appendingPathComponent("data")
        keys = folder.appendingPathComponent("keys")
        try FileManager.default.createDirectory(at: keys, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        port = try Loopback.freePort()
        var environment = [
            "STOREFRONT_SSH": "on",
            "STOREFRONT_SSH_PORT": String(port),
            "STOREFRONT_DATA_DIR": data.path,
            "STOREFRONT_SSH_CLIENT": TmuxSession.binary,
            // The door's session lines are at info.
            "LOG_LEVEL": "info",
        ]
        environment.merge(overrides) { $1 }
        server = try MarketplaceServer(databaseSuffix: databaseSuffix, overrides: environment)
        try waitUntilListening()
    }

    deinit {
        server.stop()
        try? FileManager.default.removeItem(at: data.deletingLastPathComponent())
    }

    func waitUntilListening(timeout: TimeInterval = 30) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if Loopback.accepts(port: port) { return }
            usleep(50_000)
        }
        throw HarnessError("the SSH door did not listen on 127.0.0.1:\(port) within \(Int(timeout)) s:\n\(server.log.suffix(2000))")
    }

    /// A new key pair (`ssh-keygen -t TYPE`), its private key's path.
    func makeKey(_ name: String, type: String = "ed25519", bits: String? = nil) throws -> String {
        let path = keys.appendingPathComponent(name).path
        try shell("/usr/bin/ssh-keygen", ["-q", "-t", type, "-N", "", "-C", name, "-f", path] + (bits.map { ["-b", $0] } ?? []))
        return path
    }

    /// The arguments of `ssh` as a shopper would type them, with a test key and no known-hosts file.
    /// `quiet`: without ssh's own notices (the host key added, the connection closed).
    func sshArguments(key: String?, _ extra: [String] = [], quiet: Bool = true) -> [String] {
        var arguments = ["-p", String(port), "-F", "/dev/null", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                         "-o", "BatchMode=yes", "-o", "LogLevel=\(quiet ? "ERROR" : "INFO")"]
        if let key { arguments += ["-i", key, "-o", "IdentitiesOnly=yes"] } else { arguments += ["-o", "IdentityFile=\(keys.path)/none", "-o", "IdentitiesOnly=yes"] }
        return arguments + extra
    }

    /// The command tmux runs for an interactive session. The shell tmux runs it with
    /// prints ssh's exit status on the pane when ssh ends (`TmuxSession.exitStatus`).
    func sshCommand(key: String, _ extra: [String] = []) -> String {
        (["/usr/bin/ssh", "-tt"] + sshArguments(key: key, extra, quiet: false) + ["shopper@127.0.0.1"]).map { "'\($0)'" }.joined(separator: " ")
            + "; echo \"[ssh exited with status $?]\""
    }

    /// `ssh … <remote>` without a terminal, to completion: its exit status and what it printed.
    func run(key: String?, _ extra: [String] = [], remote: [String] = [], timeout: TimeInterval = 30) throws -> (status: Int32, output: String) {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { throw HarnessError("pipe() failed") }
        let pid = try spawn("/usr/bin/ssh", sshArguments(key: key, extra) + ["shopper@127.0.0.1"] + remote, outputPipe: ends[1], errorsToo: true)
        close(ends[1])
        let output = String(decoding: Loopback.readAll(ends[0]), as: UTF8.self)
        close(ends[0])
        guard let status = wait(pid, timeout: timeout) else {
            kill(pid, SIGKILL)
            throw HarnessError("ssh did not finish within \(Int(timeout)) s: \(output)")
        }
        return ((status >> 8) & 0xff, output)
    }

    /// The host key's fingerprint as OpenSSH's client sees it (`ssh-keyscan` then `ssh-keygen -l`).
    func scannedFingerprint() throws -> String {
        let scanned = try shell("/usr/bin/ssh-keyscan", ["-p", String(port), "-t", "ed25519", "127.0.0.1"])
        let file = keys.appendingPathComponent("scanned-\(UUID().uuidString.prefix(8))").path
        try scanned.write(toFile: file, atomically: true, encoding: .utf8)
        let line = try shell("/usr/bin/ssh-keygen", ["-l", "-f", file])
        guard let fingerprint = line.split(separator: " ").first(where: { $0.hasPrefix("SHA256:") }) else {
            throw HarnessError("no fingerprint in \(line)")
        }
        return String(fingerprint)
    }

    /// The shops this server runs now: its children.
    func clientProcesses() -> [pid_t] {
        guard let parent = server.processID else { return [] }
        return Self.children(of: parent)
    }

    static func children(of parent: pid_t) -> [pid_t] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry -> pid_t? in
            guard let pid = pid_t(entry), let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return nil }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 2 && pid_t(fields[1]) == parent ? pid : nil
        }
    }

    static func isRunning(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return false }
        // A zombie has ended; it is gone once reaped.
        return stat[stat.index(after: close)...].split(separator: " ").first != "Z"
    }
}

extension TmuxSession {
    /// The exit status of ssh once it has ended, as the shell that ran it printed it
    /// on the pane (`SSHDoor.sshCommand`): read until it shows (nil past the deadline).
    /// tmux's own `pane_dead_status` was not relied on: on a loaded machine it was
    /// seen empty long after the pane had ended.
    func exitStatus(timeout: TimeInterval = 15) throws -> Int? {
        let deadline = Date().addingTimeInterval(timeout)
        repeat {
            if let match = try capture().firstMatch(of: /\[ssh exited with status (\d+)\]/) { return Int(match.1) }
            usleep(20_000)
        } while Date() < deadline
        return nil
    }

    func resize(columns: Int, rows: Int) throws {
        try shell(tmux, ["-L", socket, "resize-window", "-t", "shop", "-x", String(columns), "-y", String(rows)])
    }

    func waitUntilEnded(timeout: TimeInterval = 15) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try paneIsDead() { return }
            usleep(50_000)
        }
        throw HarnessError("ssh still runs after \(Int(timeout)) s; the screen shows:\n\(try capture())")
    }
}

@Suite("the marketplace's own SSH door", .serialized)
struct MarketplaceSSHTests {
    @Test func aGuestKeyOpensTheCatalogueWhichPagesAndQuits() throws {
        let door = try SSHDoor(databaseSuffix: "_ssh_test")
        try door.server.seed(products: 45)
        let key = try door.makeKey("guest")
        let shop = try TmuxSession(command: door.sshCommand(key: key), width: 100, height: 30)
        do {
            try shop.waitFor("kiosk  guest", "1 of 45 products", timeout: 30)
            try shop.press("NPage")
            // A page further down the list: the selection has moved past the first screen.
            func position(_ screen: String) -> Int {
                screen.firstMatch(of: /(\d+) of 45 products/).flatMap { Int($0.1) } ?? 0
            }
            let deadline = Date().addingTimeInterval(15)
            var paged = try shop.capture()
            while position(paged) <= 1, Date() < deadline {
                usleep(50_000)
                paged = try shop.capture()
            }
            #expect(position(paged) > 1, "\(paged)")
            // The window grows: the shop is told (window-change, then SIGWINCH) and draws to the new width.
            try shop.resize(columns: 140, rows: 30)
            let wide = Date().addingTimeInterval(15)
            var widest = 0
            while widest <= 110, Date() < wide {
                widest = (try shop.capture()).split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces).isEmpty ? 0 : $0.count }.max() ?? 0
                if widest <= 110 { usleep(50_000) }
            }
            let wideScreen = try shop.capture()
            #expect(widest > 110, "the shop did not redraw to 140 columns: \(wideScreen)")
            // The server's log line for the session: its key, no account, the address.
            #expect(door.server.log.contains("ssh session started"))
            try shop.press("q")
            try shop.waitFor("Connection to 127.0.0.1 closed")
            try shop.waitUntilEnded()
            let status = try shop.exitStatus()
            #expect(status == 0, "ssh exited with \(String(describing: status)): \(door.server.log.split(separator: "\n").filter { $0.contains("ssh session") })")
        } catch {
            throw HarnessError("\(error)\n--- server log ---\n\(door.server.log.suffix(3000))")
        }
        let log = door.server.log
        #expect(log.contains("ssh session ended"))
        let started = log.split(separator: "\n").first { $0.contains("ssh session started") } ?? ""
        #expect(started.contains("\"account\":\"guest\"") && started.contains("\"address\":\"127.0.0.1\"") && started.contains("SHA256:"), "\(started)")
        // Its metrics: one session started and none open now, one guest authentication.
        let metrics = try Loopback.exchange(port: door.server.port, request: "GET /metrics HTTP/1.0\r\nHost: x\r\n\r\n")
        let lines = metrics.split(separator: "\n").map(String.init)
        #expect(lines.contains("storefront_ssh_sessions_started_total 1"), "\(lines.filter { $0.contains("ssh") })")
        #expect(lines.contains("storefront_ssh_sessions_open 0.0") || lines.contains("storefront_ssh_sessions_open 0"), "\(lines.filter { $0.contains("ssh") })")
        #expect(lines.contains("storefront_ssh_authentications_total{outcome=\"guest\"} 1"), "\(lines.filter { $0.contains("ssh") })")
        // Reaped: the server has no shop left running.
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline, !door.clientProcesses().isEmpty { usleep(50_000) }
        #expect(door.clientProcesses().isEmpty)
    }

    @Test func aKeyAddedThroughTheAPIOpensASignedInSession() throws {
        let door = try SSHDoor(databaseSuffix: "_ssh_test")
        try door.server.seed(products: 12)
        let account = try SSHKeysTmuxTests.signIn(door.server, name: "Sasha Shell")
        let key = try door.makeKey("sasha")
        let line = try String(contentsOfFile: key + ".pub", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let added = try account.client.perform(.data(Endpoints.addSSHKey, body: AddSSHKeyRequest(publicKey: line)), token: account.token).get()
        guard case .success(let profile) = account.client.perform(.data(Endpoints.profile), token: account.token) else {
            throw HarnessError("the profile could not be read")
        }

        let shop = try TmuxSession(command: door.sshCommand(key: key), width: 100, height: 30)
        do {
            // Signed in by the key: its fingerprint where a guest's session says "guest".
            try shop.waitFor("kiosk  signed in by key " + String(added.fingerprint.prefix(11)), "12 products", timeout: 30)
            // The account's own screens answer: its profile.
            try shop.press("u")
            try shop.waitFor("Newsletter", "Theme")
            try shop.press("Escape")
            try shop.press("q")
            try shop.waitUntilEnded()
            #expect(try shop.exitStatus() == 0)
        } catch {
            throw HarnessError("\(error)\n--- server log ---\n\(door.server.log.suffix(3000))")
        }
        let started = door.server.log.split(separator: "\n").first { $0.contains("ssh session started") } ?? ""
        #expect(started.contains("\"account\":\"\(profile.userId)\"") && started.contains(added.fingerprint), "\(started)")
        // The key's last use is recorded.
        let keys = try SSHKeysTmuxTests.keys(account.client, token: account.token)
        #expect(keys.first?.lastUsedAt != nil, "\(keys)")

        // Another key, registered nowhere, is still a guest's.
        let stranger = try TmuxSession(command: door.sshCommand(key: try door.makeKey("stranger")))
        try stranger.waitFor("kiosk  guest", "12 products", timeout: 30)
        try stranger.press("q")
        try stranger.waitUntilEnded()
    }

    @Test func aShopperRegistersOverSSHIsRememberedByTheirKeyAndForgottenWhenTheyRemoveIt() throws {
        let door = try SSHDoor(databaseSuffix: "_ssh_test")
        try door.server.seed(products: 12)
        let key = try door.makeKey("newcomer")
        let fingerprint = String(try shell("/usr/bin/ssh-keygen", ["-lf", key + ".pub"]).split(separator: " ")[1])
        let email = uniqueEmail("newcomer")
        do {
            // An unknown key: a guest, who creates an account inside the shop and lets it remember the key.
            let first = try TmuxSession(command: door.sshCommand(key: key), width: 100, height: 30)
            try first.waitFor("kiosk  guest", "12 products", timeout: 30)
            try first.press("i")
            try first.waitFor("Sign in to Storefront")
            try first.press("Tab", "Tab", "Tab", "Enter")
            try first.waitFor("Create a Storefront account")
            try first.typeFields("Nico Newcomer", email, "secret1")
            try first.press("Enter")
            try first.waitFor("Remember this key for \(email)? y/n", timeout: 30)
            try first.press("y")
            try first.waitFor("Key remembered for SSH sign-in.")
            try first.press("q")
            try first.waitUntilEnded()

            // The same ssh again: signed in by that key, no password typed.
            let second = try TmuxSession(command: door.sshCommand(key: key), width: 100, height: 30)
            try second.waitFor("kiosk  signed in by key " + String(fingerprint.prefix(11)), "12 products", timeout: 30)
            // The profile lists the key; removing it there forgets it.
            try second.press("u")
            try second.waitFor("Newsletter", "Theme")
            try second.press("Tab", "Tab", "K")
            // The door knows the key, not the comment the shopper's file gives it: the key is named by its fingerprint.
            try second.waitFor(" Storefront › SSH keys", "ssh-ed25519", fingerprint, "last used")
            try second.press("d")
            try second.waitFor("Remove the key " + String(fingerprint.prefix(20)))
            try second.press("y")
            try second.waitFor("Key removed.", "None yet.")
            try second.press("Escape", "Escape", "q")
            try second.waitUntilEnded()

            // And the next connection with that key is a guest's again.
            let third = try TmuxSession(command: door.sshCommand(key: key), width: 100, height: 30)
            try third.waitFor("kiosk  guest", "12 products", timeout: 30)
            try third.press("q")
            try third.waitUntilEnded()
            #expect(try third.exitStatus() == 0)
        } catch {
            throw HarnessError("\(error)\n--- server log ---\n\(door.server.log.suffix(3000))")
        }
    }

    @Test func commandsSubsystemsAndForwardingAreRefusedAndNothingRuns() throws {
        let door = try SSHDoor(databaseSuffix: "_ssh_test")
        let key = try door.makeKey("refused")

        let command = try door.run(key: key, remote: ["cat /etc/passwd"])
        #expect(command.status == 1, "\(command)")
        #expect(command.output.contains("runs no commands"), "\(command.output)")
        #expect(!command.output.contains("root:"), "\(command.output)")

        let sftp = try door.run(key: key, ["-s"], remote: ["sftp"])
        #expect(sftp.status == 1, "\(sftp)")
        #expect(sftp.output.contains("no sftp"), "\(sftp.output)")

        // No key: public keys are the only method offered (no password prompt); OpenSSH
        // itself says so. The library has no way to send a line before authentication fails.
        let keyless = try door.run(key: nil)
        #expect(keyless.status == 255 && keyless.output.contains("Permission denied (publickey)."), "\(keyless)")

        // ECDSA keys sign in as ed25519 ones do (the command is what is refused);
        // RSA keys are not verified by the SSH library: the client is told no.
        for bits in ["256", "384", "521"] {
            let ecdsa = try door.run(key: try door.makeKey("ecdsa\(bits)", type: "ecdsa", bits: bits), remote: ["true"])
            #expect(ecdsa.status == 1 && ecdsa.output.contains("runs no commands"), "P-\(bits): \(ecdsa)")
        }
        let rsa = try door.run(key: try door.makeKey("rsa", type: "rsa", bits: "2048"), remote: ["true"])
        #expect(rsa.status == 255 && rsa.output.contains("Permission denied (publickey)."), "\(rsa)")

        // -R: no port opens on the server for the client.
        let remote = try door.run(key: key, ["-N", "-o", "ExitOnForwardFailure=yes", "-R", "0:127.0.0.1:9"])
        #expect(remote.status == 255 && remote.output.contains("forwarding failed"), "\(remote)")

        // -L: the tunnel's far end is never opened; a connection through it gets nothing.
        let local = try Loopback.freePort()
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { throw HarnessError("pipe() failed") }
        let tunnel = try spawn("/usr/bin/ssh", door.sshArguments(key: key, ["-N", "-L", "\(local):127.0.0.1:\(door.server.port)"]) + ["shopper@127.0.0.1"],
                               outputPipe: ends[1], errorsToo: true)
        close(ends[1])
        defer {
            kill(tunnel, SIGTERM)
            _ = wait(tunnel, timeout: 5)
            close(ends[0])
        }
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline, !Loopback.accepts(port: local) { usleep(50_000) }
        let answer = try Loopback.exchange(port: local, request: "GET /health HTTP/1.0\r\nHost: x\r\n\r\n")
        #expect(answer.isEmpty, "the tunnel reached the shop's HTTP port: \(answer)")

        // Nothing ran: no session started, no shop process.
        #expect(!door.server.log.contains("ssh session started"))
        #expect(door.clientProcesses().isEmpty)
        #expect(door.server.log.contains("ssh command refused") && door.server.log.contains("ssh subsystem refused")
            && door.server.log.contains("ssh channel refused") && door.server.log.contains("ssh remote forwarding refused"),
                "\(door.server.log.suffix(3000))")
    }

    @Test func overALimitTheClientIsToldAndTheConnectionCloses() throws {
        // One session per address: a second from the same address is told and closed.
        let door = try SSHDoor(databaseSuffix: "_ssh_test", overrides: ["STOREFRONT_SSH_SESSIONS_PER_ADDRESS": "1", "STOREFRONT_SSH_AUTH_TIMEOUT": "1"])
        try door.server.seed(products: 12)
        let first = try TmuxSession(command: door.sshCommand(key: try door.makeKey("first")))
        try first.waitFor("kiosk  guest", "12 products", timeout: 30)
        let second = try door.run(key: try door.makeKey("second"), ["-tt"])
        #expect(second.status == 1 && second.output.contains("Too many sessions from your address"), "\(second)")
        #expect(door.clientProcesses().count == 1)
        try first.press("q")
        try first.waitUntilEnded()

        // A connection that never authenticates is closed after the authentication time.
        guard let idle = Loopback.connection(to: door.port) else { throw HarnessError("no connection to the SSH door") }
        var time = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(idle, SOL_SOCKET, SO_RCVTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
        let opened = Date()
        let greeting = String(decoding: Loopback.readAll(idle), as: UTF8.self)
        close(idle)
        #expect(greeting.hasPrefix("SSH-2.0-"), "\(greeting)")
        #expect(Date().timeIntervalSince(opened) < 5, "the idle connection stayed open \(Date().timeIntervalSince(opened)) s")

        // New connections per address per second: past the burst, a line and the close. One
        // every two seconds: the check that the door listens took the only one there was.
        let limited = try SSHDoor(databaseSuffix: "_ssh_test", overrides: ["STOREFRONT_SSH_CONNECT_RATE": "0.5"])
        var answers: [String] = []
        for _ in 0..<4 {
            guard let fd = Loopback.connection(to: limited.port) else { throw HarnessError("no connection to the SSH door") }
            var wait = timeval(tv_sec: 0, tv_usec: 300_000)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
            answers.append(String(decoding: Loopback.readAll(fd), as: UTF8.self))
            close(fd)
        }
        #expect(answers.filter { $0.contains("Too many new connections from your address") }.count >= 3, "\(answers)")
    }

    @Test func aShopGetsOnlyItsVariablesAndEndsWhenTheConnectionDrops() throws {
        let door = try SSHDoor(databaseSuffix: "_ssh_test")
        try door.server.seed(products: 12)
        let key = try door.makeKey("dropper")
        // The client sends a locale and a variable of its own; only the first is passed on.
        let shop = try TmuxSession(command: door.sshCommand(key: key, ["-o", "SetEnv=LC_TIME=C.UTF-8 SECRET_THING=42 COLORTERM=truecolor"]))
        try shop.waitFor("kiosk  guest", "12 products", timeout: 30)
        let clients = door.clientProcesses()
        #expect(clients.count == 1)
        guard let client = clients.first else { return }
        let environ = (FileManager.default.contents(atPath: "/proc/\(client)/environ") ?? Data())
            .split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        let names = Set(environ.compactMap { $0.split(separator: "=", maxSplits: 1).first.map(String.init) })
        let allowed: Set<String> = ["TERM", "LANG", "COLORTERM", "NO_COLOR", "STOREFRONT_SESSION_TOKEN", "STOREFRONT_SSH_PUBLIC_KEY",
                                    "STOREFRONT_SSH_FINGERPRINT", "STOREFRONT_CLIENT_ADDRESS"]
        #expect(names.allSatisfy { allowed.contains($0) || $0.hasPrefix("LC_") }, "\(names.sorted())")
        #expect(environ.contains("LC_TIME=C.UTF-8") && environ.contains("COLORTERM=truecolor") && !names.contains("SECRET_THING"), "\(environ)")
        #expect(environ.contains("STOREFRONT_CLIENT_ADDRESS=127.0.0.1") && environ.contains { $0.hasPrefix("STOREFRONT_SSH_FINGERPRINT=SHA256:") })
        #expect(environ.contains { $0.hasPrefix("TERM=") })

        // The connection drops (the client is killed, no goodbye): the shop is ended and reaped.
        let sshProcesses = try shell("/usr/bin/pgrep", ["-f", "-x", ".*\(key) .*"]).split(separator: "\n").compactMap { pid_t($0) }
        #expect(!sshProcesses.isEmpty)
        for pid in sshProcesses { kill(pid, SIGKILL) }
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline, SSHDoor.isRunning(client) || !door.clientProcesses().isEmpty { usleep(50_000) }
        #expect(!SSHDoor.isRunning(client), "the shop still runs after its connection dropped")
        #expect(door.clientProcesses().isEmpty, "the shop was not reaped")
    }

    @Test func theHostKeyIsMadeOnceAndKeptAcrossRestarts() throws {
        let door = try SSHDoor(databaseSuffix: "_ssh_test")
        let file = door.data.appendingPathComponent("ssh_host_ed25519_key").path
        let attributes = try FileManager.default.attributesOfItem(atPath: file)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        // OpenSSH reads the file, and the fingerprint it computes is the one logged and served.
        let local = try shell("/usr/bin/ssh-keygen", ["-l", "-f", file])
        let before = try door.scannedFingerprint()
        #expect(local.contains(before), "\(local) vs \(before)")
        #expect(door.server.log.contains(before))

        door.server.stop()
        try door.server.start()
        try door.waitUntilListening()
        #expect(try door.scannedFingerprint() == before)
    }

    @Test func aStoppingServerTellsItsSessionsAndLeavesNoShopRunning() throws {
        let door = try SSHDoor(databaseSuffix: "_ssh_test")
        try door.server.seed(products: 12)
        let shops = try (0..<3).map { index in try TmuxSession(command: door.sshCommand(key: try door.makeKey("drain\(index)"))) }
        for shop in shops { try shop.waitFor("kiosk  guest", "12 products", timeout: 30) }
        let clients = door.clientProcesses()
        #expect(clients.count == 3, "\(clients)")
        guard let pid = door.server.processID else { throw HarnessError("the server is not running") }

        let stopped = Date()
        kill(pid, SIGTERM)
        var phases: [String] = []
        for (index, shop) in shops.enumerated() {
            try shop.waitFor("The shop is restarting", "Connection to 127.0.0.1 closed", timeout: 15)
            phases.append(String(format: "shop %d told at %.1f s", index, Date().timeIntervalSince(stopped)))
            try shop.waitUntilEnded()
            phases.append(String(format: "shop %d ended at %.1f s", index, Date().timeIntervalSince(stopped)))
        }
        let status = wait(pid, timeout: 30)
        phases.append(String(format: "server exited at %.1f s", Date().timeIntervalSince(stopped)))
        door.server.forget()
        #expect(status.map { $0 & 0x7f == 0 && ($0 >> 8) & 0xff == 0 } ?? false, "the server did not exit cleanly: \(String(describing: status))")
        #expect(Date().timeIntervalSince(stopped) < 15, "\(phases)\n\(door.server.log.split(separator: "\n").suffix(30).joined(separator: "\n"))")
        for client in clients { #expect(!SSHDoor.isRunning(client), "shop \(client) still runs") }
    }
}

extension Loopback {
    /// Sends `request` on a new connection to `port` and reads until the far end closes (at most `timeout`).
    static func exchange(port: Int, request: String, timeout: TimeInterval = 10) throws -> String {
        guard let fd = connection(to: port) else { throw HarnessError("no connection to 127.0.0.1:\(port)") }
        defer { close(fd) }
        var time = timeval(tv_sec: Int(timeout), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
        _ = request.withCString { send(fd, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
        return String(decoding: readAll(fd), as: UTF8.self)
    }
}
