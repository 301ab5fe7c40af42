@testable import Composition
import Foundation
import ServiceKit
import SSHService
import Testing

/// The SSH door's settings as the other settings are read: defaults, every
/// variable, and a bad value refused with its name. Its host key file is
/// OpenSSH's own format, made once with mode 0600 and read back the same.
@Suite("SSH door settings") struct SSHDoorSettingsTests {
    static let required = [
        "STOREFRONT_POSTGRES_URL": "postgres://u:p@127.0.0.1:5432", "STOREFRONT_MONGO_URL": "mongodb://127.0.0.1:27017",
        "STOREFRONT_JWT_SECRET": String(repeating: "j", count: 32), "STOREFRONT_SERVICE_SECRET": String(repeating: "s", count: 32),
    ]

    @Test func defaultsAndEveryVariable() throws {
        let defaults = try AppConfiguration.fromEnvironment(Self.required).ssh
        #expect(defaults.enabled && !defaults.required && defaults.host == "127.0.0.1" && defaults.port == 2222)
        #expect(defaults.maxSessions == 200 && defaults.sessionsPerAddress == 10 && defaults.authenticationAttempts == 10)
        #expect(defaults.authenticationTimeout == .seconds(30) && defaults.connectionsPerSecond == 5 && defaults.drain == .seconds(5))
        #expect(defaults.hostKeyFile == FileManager.default.currentDirectoryPath + "/.data/ssh_host_ed25519_key")

        var env = Self.required
        env.merge([
            "STOREFRONT_SSH": "off", "STOREFRONT_SSH_HOST": "0.0.0.0", "STOREFRONT_SSH_PORT": "2022", "STOREFRONT_DATA_DIR": "/var/lib/shop",
            "STOREFRONT_SSH_CLIENT": "/opt/storefront", "STOREFRONT_SSH_SHOP_URL": "http://gateway:8080", "STOREFRONT_SSH_SESSIONS": "50",
            "STOREFRONT_SSH_SESSIONS_PER_ADDRESS": "3", "STOREFRONT_SSH_AUTH_TIMEOUT": "12", "STOREFRONT_SSH_AUTH_ATTEMPTS": "4",
            "STOREFRONT_SSH_CONNECT_RATE": "0.5", "STOREFRONT_SSH_DRAIN": "9", "STOREFRONT_SSH_TRACE": "/tmp/traces",
        ]) { $1 }
        let ssh = try AppConfiguration.fromEnvironment(env).ssh
        #expect(!ssh.enabled && ssh.host == "0.0.0.0" && ssh.port == 2022 && ssh.required)
        #expect(ssh.hostKeyFile == "/var/lib/shop/ssh_host_ed25519_key" && ssh.clientPath == "/opt/storefront" && ssh.shopURL == "http://gateway:8080")
        #expect(ssh.maxSessions == 50 && ssh.sessionsPerAddress == 3 && ssh.authenticationTimeout == .seconds(12) && ssh.authenticationAttempts == 4)
        #expect(ssh.connectionsPerSecond == 0.5 && ssh.drain == .seconds(9) && ssh.traceDirectory == "/tmp/traces")
        env["STOREFRONT_SSH_HOST_KEY"] = "/etc/shop/key"
        #expect(try AppConfiguration.fromEnvironment(env).ssh.hostKeyFile == "/etc/shop/key")
    }

    @Test func aBadValueIsRefusedWithItsName() {
        for (key, value) in [("STOREFRONT_SSH", "maybe"), ("STOREFRONT_SSH_PORT", "70000"), ("STOREFRONT_SSH_SESSIONS", "0"),
                             ("STOREFRONT_SSH_SESSIONS_PER_ADDRESS", "many"), ("STOREFRONT_SSH_AUTH_TIMEOUT", "-1"),
                             ("STOREFRONT_SSH_AUTH_ATTEMPTS", "1000"), ("STOREFRONT_SSH_CONNECT_RATE", "0"),
                             ("STOREFRONT_SSH_SHOP_URL", "gateway:8080"), ("STOREFRONT_SSH_DRAIN", "x")] {
            var env = Self.required
            env[key] = value
            do {
                _ = try AppConfiguration.fromEnvironment(env)
                Issue.record("\(key)=\(value) was accepted")
            } catch {
                #expect("\(error)".contains(key), "\(error)")
            }
        }
    }

    @Test func theHostKeyIsOpenSSHsFormatMadeOnceReadOnlyByItsOwner() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ssh-host-key-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("data/ssh_host_ed25519_key").path
        let (made, created) = try SSHHostKey.loadOrCreate(at: path)
        #expect(created)
        #expect((try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) == 0o600)
        let (again, createdAgain) = try SSHHostKey.loadOrCreate(at: path)
        #expect(!createdAgain && again.fingerprint == made.fingerprint && made.fingerprint.hasPrefix("SHA256:"))
        // ssh-keygen reads it and prints the same fingerprint.
        let output = folder.appendingPathComponent("keygen.txt").path
        let status = try await exitCode(of: try spawnProcess("/usr/bin/ssh-keygen", ["-l", "-f", path], environment: [:], output: output))
        let printed = FileManager.default.contents(atPath: output).map { String(decoding: $0, as: UTF8.self) } ?? ""
        #expect(status == 0 && printed.contains(made.fingerprint), "\(printed)")
        // A file that is no key stops the start with the path named.
        let junk = folder.appendingPathComponent("junk").path
        try "not a key\n".write(toFile: junk, atomically: true, encoding: .utf8)
        #expect(throws: (any Error).self) { try SSHHostKey.loadOrCreate(at: junk) }
    }
}
