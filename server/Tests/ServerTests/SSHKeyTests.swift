import Foundation
import HTTPTypes
import MarketplaceAPI
import ServiceKit
import Testing

/// Real keys from OpenSSH's `ssh-keygen`, with the fingerprint it prints for each.
struct GeneratedKey {
    let line: String
    /// `ssh-keygen -lf`'s.
    let fingerprint: String

    /// `type`: `ed25519`, `ecdsa -b 256`, `rsa -b 2048`, ...
    static func make(_ type: String, comment: String = "shopper@example.com") async throws -> GeneratedKey {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("keys-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("key").path
        _ = try await run(["-q", "-t"] + type.split(separator: " ").map(String.init) + ["-N", "", "-C", comment, "-f", path], directory)
        let line = try String(contentsOfFile: path + ".pub", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let listed = try await run(["-lf", path + ".pub"], directory).split(separator: " ")
        return GeneratedKey(line: line, fingerprint: String(listed[1]))
    }

    /// An Ed25519 key whose fingerprint has a `/` (about every other key has one).
    static func withSlash() async throws -> GeneratedKey {
        for _ in 0..<64 {
            let key = try await make("ed25519")
            if key.fingerprint.contains("/") { return key }
        }
        throw ServerProcessError("64 keys without a / in their fingerprint")
    }

    /// ssh-keygen's output, spawned as the suite spawns every program (`spawnProcess`).
    private static func run(_ arguments: [String], _ directory: URL) async throws -> String {
        let output = directory.appendingPathComponent("out-\(UUID().uuidString.prefix(8))").path
        let status = try await exitCode(of: try spawnProcess("/usr/bin/ssh-keygen", arguments, environment: ProcessInfo.processInfo.environment, output: output))
        let text = FileManager.default.contents(atPath: output).map { String(decoding: $0, as: UTF8.self) } ?? ""
        guard status == 0 else { throw ServerProcessError("ssh-keygen \(arguments.joined(separator: " ")) failed (\(status)): \(text)") }
        return text
    }
}

/// The account side of signing in over SSH, against the real stores: keys added,
/// listed and removed by their owner, and the SSH service's two questions.
enum SSHKeyFlows {
    static func add(_ client: some APIClient, token: String, _ line: String?) async throws -> JSONResult {
        try await client.send(.post, Endpoints.addSSHKey.path(), token: token, json: AddSSHKeyRequest(publicKey: line))
    }

    static func account(_ client: some APIClient, token: String, _ fingerprint: String) async throws -> JSONResult {
        try await client.send(.get, Endpoints.sshKeyAccount.path() + "?fingerprint=" + Endpoints.encodeQueryValue(fingerprint), token: token)
    }

    static func list(_ client: some APIClient, token: String) async throws -> [SSHKey] {
        let answer = try await client.send(.get, Endpoints.sshKeys.path(), token: token)
        #expect(answer.status == .ok, "\(answer.body)")
        return try answer.reply(Endpoints.sshKeys).data
    }

    /// Every row of the contract, through `client` (in-process, all-in-one, or behind nginx).
    static func everyRow(_ client: some APIClient) async throws {
        let ann = try await client.signUp(name: "Ann")
        let bob = try await client.signUp(name: "Bob")
        let ssh = try await serviceToken("ssh")
        let key = try await GeneratedKey.withSlash()

        // Added: the fingerprint is ssh-keygen's, the comment the line's.
        let added = try await add(client, token: ann.token, key.line)
        #expect(added.status == .created, "\(added.body)")
        let stored = try added.reply(Endpoints.addSSHKey).data
        #expect(stored.fingerprint == key.fingerprint)
        #expect(stored.type == "ssh-ed25519" && stored.comment == "shopper@example.com" && stored.lastUsedAt == nil)
        #expect(try await list(client, token: ann.token).map(\.fingerprint) == [key.fingerprint])
        #expect(try await list(client, token: bob.token).isEmpty)

        // The same key again, on this account or another: 409 with its own code.
        for token in [ann.token, bob.token] {
            let again = try await add(client, token: token, key.line)
            #expect(again.status == .conflict && again.code == .sshKeyTaken, "\(again.body)")
        }

        // Whose key: only the SSH service may ask; asking marks the key used.
        let lookup = try await account(client, token: ssh, key.fingerprint)
        #expect(lookup.status == .ok, "\(lookup.body)")
        #expect(try lookup.reply(Endpoints.sshKeyAccount).data == SSHKeyAccount(userId: ann.id, fingerprint: key.fingerprint))
        #expect(try await list(client, token: ann.token).first?.lastUsedAt != nil)
        #expect(try await account(client, token: ann.token, key.fingerprint).status == .forbidden)
        let otherService = try await account(client, token: try await serviceToken("checkout"), key.fingerprint)
        #expect(otherService.status == .forbidden && otherService.code == .serviceNotAllowed)
        #expect(try await account(client, token: ssh, "SHA256:" + String(repeating: "A", count: 43)).status == .notFound)
        #expect(try await account(client, token: ssh, "not a fingerprint").status == .badRequest)

        // A session for the account: a login's answer, a token that works as one.
        let session = try await client.send(.post, Endpoints.sshSession.path(), token: ssh, json: SSHSessionRequest(userId: ann.id))
        #expect(session.status == .ok, "\(session.body)")
        let login = try session.reply(Endpoints.sshSession)
        #expect(login.user.id == ann.id && login.user.name == "Ann")
        let profile = try await client.send(.get, Endpoints.profile.path(), token: login.token)
        #expect(try profile.reply(Endpoints.profile).data.userId == ann.id)
        #expect(try await client.send(.post, Endpoints.sshSession.path(), token: ann.token, json: SSHSessionRequest(userId: ann.id)).status == .forbidden)
        #expect(try await client.send(.post, Endpoints.sshSession.path(), json: SSHSessionRequest(userId: ann.id)).status == .unauthorized)
        for unknown in [UUID().uuidString.lowercased(), "nobody"] {
            let refused = try await client.send(.post, Endpoints.sshSession.path(), token: ssh, json: SSHSessionRequest(userId: unknown))
            #expect(refused.status == .notFound && refused.code == .notFound, "\(unknown): \(refused.body)")
        }

        // Removed by its owner only, through a percent-encoded path (`/` is %2F); then nobody has it.
        let path = Endpoints.deleteSSHKey.path(key.fingerprint)
        #expect(path.contains("%2F"))
        let bobs = try await client.send(.delete, path, token: bob.token)
        #expect(bobs.status == .notFound, "\(bobs.body)")
        let removed = try await client.send(.delete, path, token: ann.token)
        #expect(removed.status == .ok, "\(removed.body)")
        #expect(removed.data?["id"] as? String == key.fingerprint)
        #expect(try await list(client, token: ann.token).isEmpty)
        #expect(try await account(client, token: ssh, key.fingerprint).status == .notFound)
        #expect(try await client.send(.delete, path, token: ann.token).status == .notFound)

        // Once removed, another account may add it; the URL-safe spelling removes it too.
        #expect(try await add(client, token: bob.token, key.line).status == .created)
        let urlSafe = try await client.send(.delete, Endpoints.deleteSSHKey.template.replacingOccurrences(of: ":fingerprint", with: SSHFingerprint.urlSafe(key.fingerprint)),
                                            token: bob.token)
        #expect(urlSafe.status == .ok, "\(urlSafe.body)")
    }
}

@Suite("SSH keys") struct SSHKeyServiceTests {
    /// What the terminal client of an SSH session sends (`STOREFRONT_CLIENT_ADDRESS`)
    /// names the shopper, from the loopback the SSH service's host calls from.
    @Test func anSSHSessionsShopperIsReadFromItsForwardingHeaders() {
        let loopback = TrustedProxies(IPNetwork.loopback)
        let shopper = ClientAddress(ip: "203.0.113.7", port: 52011)
        #expect(loopback.client(peer: "127.0.0.1", forwarded: #"for="203.0.113.7:52011""#, forwardedFor: "203.0.113.7:52011") == shopper)
        #expect(loopback.client(peer: "127.0.0.1", forwarded: nil, forwardedFor: "203.0.113.7:52011") == shopper)
        // Behind the gateway, which appends its own hop to Forwarded.
        #expect(loopback.client(peer: "127.0.0.1", forwarded: #"for="203.0.113.7:52011", for=127.0.0.1"#, forwardedFor: "203.0.113.7:52011, 127.0.0.1") == shopper)
        #expect(TrustedProxies([]).client(peer: "198.51.100.4", forwarded: nil, forwardedFor: "203.0.113.7:52011") == ClientAddress(ip: "198.51.100.4"))
    }

    @Test func everyRowOfTheContractInProcess() async throws {
        try await withTestApp { client in try await SSHKeyFlows.everyRow(client) }
    }

    @Test func everySupportedTypeIsAddedWithSSHKeygensFingerprint() async throws {
        try await withTestApp { client in
            let user = try await client.signUp()
            var expected: [String] = []
            for type in ["ed25519", "ecdsa -b 256", "ecdsa -b 384", "ecdsa -b 521"] {
                let key = try await GeneratedKey.make(type, comment: "laptop \(type)")
                let added = try await SSHKeyFlows.add(client, token: user.token, key.line)
                #expect(added.status == .created, "\(type): \(added.body)")
                let stored = try added.reply(Endpoints.addSSHKey).data
                #expect(stored.fingerprint == key.fingerprint, "\(type)")
                #expect(stored.type == String(key.line.split(separator: " ")[0]) && stored.comment == "laptop \(type)")
                expected.append(key.fingerprint)
            }
            #expect(try await SSHKeyFlows.list(client, token: user.token).map(\.fingerprint) == expected, "oldest first")
        }
    }

    @Test func rsaAndMalformedKeysAreRefusedWithDistinctCodes() async throws {
        try await withTestApp { client in
            let user = try await client.signUp()
            let rsa = try await GeneratedKey.make("rsa -b 2048")
            let refused = try await SSHKeyFlows.add(client, token: user.token, rsa.line)
            #expect(refused.status == .badRequest && refused.code == .sshKeyTypeUnsupported, "\(refused.body)")
            #expect(refused.message?.contains("ssh-ed25519") == true && refused.fieldErrors == ["publicKey"])

            let ed = try await GeneratedKey.make("ed25519").line.split(separator: " ").map(String.init)
            for line in [nil, "", "ssh-ed25519", "ssh-ed25519 AAAA", "ecdsa-sha2-nistp256 " + ed[1], ed[0] + " " + String(ed[1].dropLast(8)) + "AAA=", "hello world"] {
                let answer = try await SSHKeyFlows.add(client, token: user.token, line)
                #expect(answer.status == .badRequest && answer.code == .sshKeyInvalid, "\(String(describing: line)): \(answer.body)")
            }
            #expect(try await SSHKeyFlows.list(client, token: user.token).isEmpty)
            // A signed-in user only.
            #expect(try await client.send(.get, Endpoints.sshKeys.path()).status == .unauthorized)
            #expect(try await client.send(.get, Endpoints.sshKeys.path(), token: try await serviceToken("ssh")).status == .forbidden)
        }
    }
}

@Suite("SSH keys end to end", .deployments) struct SSHKeyDeploymentTests {
    /// All in one process, and split behind nginx: the user and auth services
    /// answer the new routes, a percent-encoded fingerprint reaches the handler.
    @Test(arguments: Topology.allCases) func everyRowOfTheContract(_ topology: Topology) async throws {
        try await SSHKeyFlows.everyRow(try Deployments.client(topology))
    }
}
