import Foundation
import Glibc
import MarketplaceAPI
import StorefrontCore
import StorefrontHTTP
import Testing
import StorefrontTestSupport

/// A real OpenSSH server (Debian openssh-server) on a loopback port whose test
/// kiosk user is forced into the built `storefront --kiosk`, as
/// server/deploy/kiosk/sshd_config.kiosk sets it up. Needs root (useradd, sshd).
final class KioskSSHServer {
    static let sshd = "/usr/sbin/sshd"
    static let user = "sfkiosk"
    let directory: URL
    let home: URL
    let port: Int
    let logFile: URL
    let clientKey: String
    private var pid: pid_t?

    /// `environment`: set for every kiosk session by sshd (`SetEnv`), as an operator would.
    init(shopURL: String, idleSeconds: Int, environment: [String: String] = [:]) throws {
        for tool in [Self.sshd, "/usr/bin/ssh", "/usr/bin/ssh-keygen", "/usr/sbin/useradd", "/usr/sbin/usermod"] {
            guard FileManager.default.isExecutableFile(atPath: tool) else {
                throw HarnessError("\(tool) is missing: install openssh-server, openssh-client and passwd (server/dev/deps); this test does not skip")
            }
        }
        guard getuid() == 0 else { throw HarnessError("the kiosk SSH test runs as root (it creates a user and starts sshd)") }
        // /tmp itself rather than $TMPDIR, which may sit where the kiosk user cannot reach.
        directory = URL(fileURLWithPath: "/tmp").appendingPathComponent("storefront-kiosk-ssh-\(getpid())-\(UUID().uuidString.prefix(8))")
        let fm = FileManager.default
        // World-readable: the kiosk user runs the copied client from here.
        try fm.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        home = directory.appendingPathComponent("home")
        logFile = directory.appendingPathComponent("sshd.log")
        clientKey = directory.appendingPathComponent("client_key").path

        // The built client and its themes, copied where the kiosk user can read them
        // whatever the permissions of the checkout.
        let bin = directory.appendingPathComponent("bin")
        try fm.createDirectory(at: bin, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        let client = bin.appendingPathComponent("storefront").path
        guard fm.isExecutableFile(atPath: TmuxSession.binary) else { throw HarnessError("storefront is not built at \(TmuxSession.binary)") }
        try fm.copyItem(atPath: TmuxSession.binary, toPath: client)
        try fm.copyItem(at: repositoryRoot.appendingPathComponent("themes"), to: directory.appendingPathComponent("themes"))
        try shell("/bin/chmod", ["-R", "a+rX", directory.path])

        // The kiosk's home: owned by root and read-only, as the deploy guide says.
        try fm.createDirectory(at: home, withIntermediateDirectories: true)
        try shell("/bin/chmod", ["0555", home.path])

        if (try? shell("/usr/bin/id", ["-u", Self.user])) == nil {
            try shell("/usr/sbin/useradd", ["--no-create-home", "--home-dir", home.path, "--shell", "/bin/sh", Self.user])
        }
        // "*" rather than useradd's "!": sshd without PAM refuses locked accounts.
        try shell("/usr/sbin/usermod", ["--home", home.path, "--shell", "/bin/sh", "--password", "*", Self.user])

        let hostKey = directory.appendingPathComponent("host_ed25519").path
        try shell("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", hostKey])
        try shell("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", clientKey])
        let authorizedKeys = directory.appendingPathComponent("authorized_keys").path
        try fm.copyItem(atPath: clientKey + ".pub", toPath: authorizedKeys)
        try shell("/bin/chmod", ["0644", authorizedKeys])
        // sshd's privilege separation directory, missing on a machine that never ran sshd.
        try fm.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])

        port = try Loopback.freePort()
        let config = """
        Port \(port)
        ListenAddress 127.0.0.1
        HostKey \(hostKey)
        PidFile \(directory.appendingPathComponent("sshd.pid").path)
        UsePAM no
        StrictModes no
        PasswordAuthentication no
        KbdInteractiveAuthentication no
        PubkeyAuthentication yes
        AuthorizedKeysFile \(authorizedKeys)
        AllowUsers \(Self.user)
        PrintMotd no
        PrintLastLog no
        MaxStartups 100:30:200
        Subsystem sftp internal-sftp
        LogLevel VERBOSE

        Match User \(Self.user)
            ForceCommand \(client) --kiosk --idle-timeout \(idleSeconds) --server \(shopURL)
        \(environment.isEmpty ? "" : "    SetEnv " + environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
            PermitTTY yes
            AllowTcpForwarding no
            X11Forwarding no
            AllowAgentForwarding no
            PermitTunnel no
            AuthenticationMethods publickey
        """
        let configPath = directory.appendingPathComponent("sshd_config").path
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        try shell(Self.sshd, ["-t", "-f", configPath])
        let pid = try spawn(Self.sshd, ["-D", "-e", "-f", configPath], stdoutPath: logFile.path)
        self.pid = pid
        // Ready when the port accepts a connection.
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline {
            if Loopback.accepts(port: port) { return }
            if wait(pid, timeout: 0) != nil {
                self.pid = nil
                throw HarnessError("sshd exited during start-up:\n\(log)")
            }
            usleep(50_000)
        }
        throw HarnessError("sshd did not listen on 127.0.0.1:\(port) within 15 s:\n\(log)")
    }

    var log: String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }

    /// The ssh command a shopper types, for tmux to run.
    var sshCommand: String {
        ["/usr/bin/ssh", "-tt", "-i", clientKey, "-p", String(port), "-F", "/dev/null",
         "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "IdentitiesOnly=yes",
         "-o", "BatchMode=yes", "\(Self.user)@127.0.0.1"].map { "'\($0)'" }.joined(separator: " ")
    }

    func stop() {
        if let pid {
            self.pid = nil
            kill(pid, SIGTERM)
            if wait(pid, timeout: 5) == nil {
                kill(pid, SIGKILL)
                _ = wait(pid, timeout: 5)
            }
        }
        // Per-connection sshd children of this server, if a session outlived the test.
        if let children = try? shell("/usr/bin/pgrep", ["-u", Self.user]) {
            for line in children.split(separator: "\n") { if let child = pid_t(line) { kill(child, SIGKILL) } }
        }
    }

    deinit {
        stop()
        try? shell("/bin/chmod", ["-R", "u+w", directory.path])
        try? FileManager.default.removeItem(at: directory)
    }
}

@Suite("kiosk over ssh", .serialized)
struct KioskSSHTests {
    @Test func aKioskSessionOverRealSSH() throws {
        // Databases of its own: the tmux suite seeds a different catalogue in parallel.
        let server = try MarketplaceServer(databaseSuffix: "_kiosk_test")
        try server.seed(products: 12)
        // The catalogue's first product (newest first, as the browse screen lists it), with stock.
        let client = MarketplaceClient(baseURL: server.url)
        guard case .success(let page) = client.perform(BrowseScreen.page(ProductQuery()), token: nil),
              let product = page.data.first,
              case .success(let levels) = client.perform(.stock([product.id]), token: nil) else {
            throw HarnessError("the seeded catalogue could not be read")
        }
        #expect((levels[product.id] ?? nil).map { $0.quantity >= 1 } ?? false)
        // The client under sshd has no UTF-8 locale: it draws other text as "?".
        let shownName = String(product.name.map { $0.isASCII ? $0 : "?" }.prefix(20))
        // Long enough that typing a form and waiting for the server never trips it.
        let idle = 6
        let hint = "This session resets after \(idle) s idle."
        let sshd = try KioskSSHServer(shopURL: server.url, idleSeconds: idle)
        defer { sshd.stop() }
        let homeBefore = try FileManager.default.contentsOfDirectory(atPath: sshd.home.path)

        let first = try TmuxSession(command: sshd.sshCommand)
        let second = try TmuxSession(command: sshd.sshCommand)
        do {
            // Both land on the catalogue as guests, with the idle hint on show.
            for shop in [first, second] {
                try shop.waitFor("kiosk  guest", hint, "12 products", timeout: 30)
            }

            // The first shopper creates an account through the kiosk's own screens
            // (the status line is shortened by the hint, so the top bar is the proof).
            let name = "Kiosk Kim"
            try first.press("i")
            try first.waitFor("Sign in to Storefront")
            try first.press("Tab", "Tab", "Tab", "Enter")
            try first.waitFor("Create a Storefront account")
            try first.typeFields(name, uniqueEmail("kiosk"), "secret1")
            try first.press("Enter")
            try first.waitFor("kiosk  \(name) (customer)", "12 products")

            // Opens the first product, adds it to the cart, then sees it there.
            try first.press("Enter")
            try first.waitFor("Quantity  [-] 1 [+]", "[ Add to cart ]", shownName)
            try first.press("Enter")
            try first.waitFor("Added 1 ")
            try first.press("c")
            let cartLine = "1 item   Total"
            let cart = try first.waitFor(cartLine, "Subtotal", shownName)
            #expect(cart.contains(product.price.display), "\(cart)")

            // Isolation: the second connection is still an anonymous guest on the list.
            let other = try second.capture()
            #expect(other.contains("kiosk  guest") && other.contains("12 products"))
            #expect(!other.contains(name) && !other.contains(cartLine))

            // Idle for the timeout: the first is signed out and back at the guest
            // start with a notice; the account and its cart are gone from the screen.
            let reset = try first.waitFor("Session reset: \(idle) s without a key.", "kiosk  guest", "12 products", timeout: Double(idle) + 10)
            #expect(!reset.contains(name))
            #expect(!reset.contains(cartLine) && !reset.contains("Quantity  [-] 1 [+]"))
            #expect(!(try second.capture().contains("Session reset")))
            // No way back to the old account's cart: the cart key is not offered to a guest.
            try first.press("c")
            let guestScreen = try first.waitFor("kiosk  guest", "12 products")
            #expect(!guestScreen.contains(cartLine) && !guestScreen.contains(name))

            // Ctrl-C, Ctrl-Z and Ctrl-\ neither end nor suspend the storefront.
            try first.press("Enter")
            try first.waitFor("Quantity  [-] 1 [+]")
            try first.press("C-c")
            try first.press("C-z")
            try first.press("C-\\")
            #expect(try !first.paneIsDead())
            #expect(try first.capture().contains("Quantity  [-] 1 [+]"))
            try first.press("Escape")
            let back = try first.waitFor("12 products", hint)
            #expect(!back.contains("Connection to 127.0.0.1 closed"))
            #expect(try !first.paneIsDead())

            // q ends the storefront and with it the SSH connection: no shell prompt.
            for shop in [first, second] {
                try shop.press("q")
                let closed = try shop.waitFor("Connection to 127.0.0.1 closed", timeout: 15)
                // ssh itself has exited (tmux keeps the dead pane to read), and
                // nothing after the closing line looks like a shell prompt.
                #expect(try shop.paneIsDead())
                let after = closed.components(separatedBy: "Connection to 127.0.0.1 closed").last ?? ""
                let prompts = after.split(separator: "\n").filter { line in
                    let text = line.trimmingCharacters(in: .whitespaces)
                    return !text.isEmpty && !text.hasPrefix(".") && !text.hasPrefix("Pane is dead")
                }
                #expect(prompts.isEmpty, "after the connection closed the pane shows: \(prompts)")
            }
        } catch {
            throw HarnessError("\(error)\n--- sshd log ---\n\(sshd.log.suffix(3000))")
        }
        // Nothing was written under the kiosk user's home.
        #expect(try FileManager.default.contentsOfDirectory(atPath: sshd.home.path) == homeBefore)
    }
}
