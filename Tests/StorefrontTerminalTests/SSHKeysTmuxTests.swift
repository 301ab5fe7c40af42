import Foundation
import MarketplaceAPI
import StorefrontCore
import StorefrontHTTP
import Testing

/// A key made by OpenSSH's ssh-keygen, with the fingerprint it prints.
func generatedKey(comment: String) throws -> (line: String, fingerprint: String) {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("keys-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let path = directory.appendingPathComponent("key").path
    func keygen(_ arguments: [String]) throws -> String {
        let output = directory.appendingPathComponent("out-\(UUID().uuidString.prefix(8))").path
        let pid = try spawn("/usr/bin/ssh-keygen", arguments, stdoutPath: output)
        guard let status = wait(pid, timeout: 30), status == 0 else { throw HarnessError("ssh-keygen \(arguments.joined(separator: " ")) failed") }
        return FileManager.default.contents(atPath: output).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }
    _ = try keygen(["-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", path])
    let line = try String(contentsOfFile: path + ".pub", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    return (line, String(try keygen(["-lf", path + ".pub"]).split(separator: " ")[1]))
}

/// SSH keys as accounts, in the real client against the real server: the
/// sessions the marketplace's SSH service starts (`--kiosk` with its variables).
@Suite("SSH keys in tmux", .serialized)
struct SSHKeysTmuxTests {
    static func signIn(_ server: MarketplaceServer, name: String) throws -> (email: String, token: String, client: MarketplaceClient) {
        let email = uniqueEmail("keys")
        try server.register(name: name, email: email, password: "secret1")
        let client = MarketplaceClient(baseURL: server.url)
        guard case .success(let login) = client.perform(.call(Endpoints.login, body: LoginRequest(email: email, password: "secret1")), token: nil)
        else { throw HarnessError("signing in \(email) failed") }
        return (email, login.token, client)
    }

    static func keys(_ client: MarketplaceClient, token: String) throws -> [SSHKey] {
        try client.perform(.data(Endpoints.sshKeys), token: token).get()
    }

    @Test func aKeyAddedThroughTheAPIIsListedInTheProfileAndRemovedInTheTerminal() throws {
        let server = try MarketplaceServer()
        let account = try Self.signIn(server, name: "Kim Key")
        let key = try generatedKey(comment: "kim@tmux")
        _ = try account.client.perform(.data(Endpoints.addSSHKey, body: AddSSHKeyRequest(publicKey: key.line)), token: account.token).get()

        // A session the SSH service signed in by this key: in memory only, named by its key.
        let shop = try TmuxSession(server: server.url, arguments: ["--kiosk"], environment: [
            "STOREFRONT_SESSION_TOKEN": account.token, "STOREFRONT_SSH_PUBLIC_KEY": key.line,
            "STOREFRONT_SSH_FINGERPRINT": key.fingerprint, "STOREFRONT_CLIENT_ADDRESS": "203.0.113.7:52011",
        ])
        try shop.waitFor("kiosk  key " + String(key.fingerprint.prefix(11)) + "…", " Storefront › Browse")
        try shop.press("u")
        try shop.waitFor("Newsletter", "Theme")
        try shop.press("Tab", "Tab", "K")
        try shop.waitFor(" Storefront › SSH keys", "ssh-ed25519  kim@tmux", key.fingerprint, "never used")
        try shop.press("d")
        try shop.waitFor("Remove the key kim@tmux? y removes")
        try shop.press("y")
        try shop.waitFor("Key removed.", "None yet.")
        #expect(try Self.keys(account.client, token: account.token).isEmpty)
        // Nothing of the session was written to disk.
        #expect(!FileManager.default.fileExists(atPath: shop.home.appendingPathComponent("state/storefront/session.json").path))
    }

    @Test func aKeyThatSignsInNobodyIsOfferedOnceAfterSigningIn() throws {
        let server = try MarketplaceServer()
        let account = try Self.signIn(server, name: "Lee Lock")
        let key = try generatedKey(comment: "lee@tmux")
        let shop = try TmuxSession(server: server.url, arguments: ["--kiosk"], environment: ["STOREFRONT_SSH_PUBLIC_KEY": key.line])
        try shop.waitFor("kiosk  guest", " Storefront › Browse")
        try shop.press("i")
        try shop.waitFor("Sign in to Storefront")
        try shop.typeFields(account.email, "secret1")
        try shop.press("Enter")
        try shop.waitFor("Remember this key for \(account.email)? y/n")
        try shop.press("y")
        try shop.waitFor("Key remembered for SSH sign-in.")
        #expect(try Self.keys(account.client, token: account.token).map(\.fingerprint) == [key.fingerprint])
    }
}
