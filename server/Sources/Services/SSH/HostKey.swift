import Crypto
import Foundation
import MarketplaceAPI
import NIOCore
import NIOSSH
import ServiceKit

/// The server's ed25519 host key, in OpenSSH's own private key file format
/// (`ssh-keygen -lf` reads it): made on first start with mode 0600, the same
/// file, and so the same fingerprint, at every start after.
public struct SSHHostKey: Sendable {
    public let privateKey: Curve25519.Signing.PrivateKey

    public var sshKey: NIOSSHPrivateKey { NIOSSHPrivateKey(ed25519Key: privateKey) }
    public var fingerprint: String { KeyFingerprint.of(sshKey.publicKey) }

    /// Reads `path`, or writes a new key there when it does not exist.
    public static func loadOrCreate(at path: String) throws -> (key: SSHHostKey, created: Bool) {
        let files = FileManager.default
        if files.fileExists(atPath: path) {
            guard let data = files.contents(atPath: path) else { throw ConfigurationError("the SSH host key \(path) cannot be read") }
            return (try SSHHostKey(openSSHFile: String(decoding: data, as: UTF8.self), path: path), false)
        }
        let key = SSHHostKey(privateKey: Curve25519.Signing.PrivateKey())
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try files.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        // Created 0600 from the first byte, and only if nobody made it meanwhile.
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if fd < 0 && errno == EEXIST {
            // Another process of this installation made it just now: read it once it is whole.
            let deadline = ContinuousClock.now + .seconds(5)
            while true {
                if let data = files.contents(atPath: path), let key = try? SSHHostKey(openSSHFile: String(decoding: data, as: UTF8.self), path: path) {
                    return (key, false)
                }
                if ContinuousClock.now > deadline { break }
                usleep(20_000)
            }
        }
        guard fd >= 0 else { throw ConfigurationError("the SSH host key \(path) cannot be created: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let bytes = Array(key.openSSHFile().utf8)
        guard bytes.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) == bytes.count, fsync(fd) == 0 else {
            throw ConfigurationError("the SSH host key \(path) cannot be written")
        }
        return (key, true)
    }

    init(privateKey: Curve25519.Signing.PrivateKey) {
        self.privateKey = privateKey
    }

    /// An unencrypted `openssh-key-v1` file holding one ed25519 key.
    init(openSSHFile text: String, path: String) throws {
        func bad(_ why: String) -> ConfigurationError {
            ConfigurationError("the SSH host key \(path) is not an unencrypted OpenSSH ed25519 private key (ssh-keygen -t ed25519 -N ''): \(why)")
        }
        let body = text.split(whereSeparator: \.isNewline).filter { !$0.hasPrefix("-----") }.joined()
        guard text.contains("-----BEGIN OPENSSH PRIVATE KEY-----"), let data = Data(base64Encoded: body) else { throw bad("no OpenSSH key block") }
        var buffer = ByteBuffer(bytes: data)
        let magic = Array("openssh-key-v1\0".utf8)
        guard buffer.readBytes(length: magic.count) == magic else { throw bad("unknown format") }
        guard buffer.readSSHString() == "none", buffer.readSSHString() == "none" else { throw bad("the key is encrypted") }
        _ = buffer.readSSHBytes()
        guard buffer.readInteger(as: UInt32.self) == 1 else { throw bad("one key expected") }
        _ = buffer.readSSHBytes()
        guard let privateBytes = buffer.readSSHBytes() else { throw bad("truncated") }
        var section = ByteBuffer(bytes: privateBytes)
        guard let check1 = section.readInteger(as: UInt32.self), check1 == section.readInteger(as: UInt32.self) else { throw bad("corrupt") }
        guard section.readSSHString() == "ssh-ed25519" else { throw bad("not an ed25519 key") }
        _ = section.readSSHBytes()
        guard let secret = section.readSSHBytes(), secret.count == 64 else { throw bad("corrupt ed25519 secret") }
        do {
            self.privateKey = try Curve25519.Signing.PrivateKey(rawRepresentation: secret.prefix(32))
        } catch {
            throw bad("\(error)")
        }
    }

    /// The key as `ssh-keygen` writes it.
    func openSSHFile() -> String {
        let publicBytes = Array(privateKey.publicKey.rawRepresentation)
        var publicBlob = ByteBuffer()
        publicBlob.writeSSHString("ssh-ed25519")
        publicBlob.writeSSHBytes(publicBytes)
        var section = ByteBuffer()
        let check = UInt32.random(in: .min ... .max)
        section.writeInteger(check)
        section.writeInteger(check)
        section.writeSSHString("ssh-ed25519")
        section.writeSSHBytes(publicBytes)
        section.writeSSHBytes(Array(privateKey.rawRepresentation) + publicBytes)
        section.writeSSHString("storefront-marketplace")
        var pad: UInt8 = 1
        while section.readableBytes % 8 != 0 {
            section.writeInteger(pad)
            pad += 1
        }
        var file = ByteBuffer()
        file.writeBytes(Array("openssh-key-v1\0".utf8))
        file.writeSSHString("none")
        file.writeSSHString("none")
        file.writeSSHString("")
        file.writeInteger(UInt32(1))
        file.writeSSHBytes(Array(publicBlob.readableBytesView))
        file.writeSSHBytes(Array(section.readableBytesView))
        let encoded = Data(file.readableBytesView).base64EncodedString()
        var lines = ["-----BEGIN OPENSSH PRIVATE KEY-----"]
        var rest = Substring(encoded)
        while !rest.isEmpty {
            lines.append(String(rest.prefix(70)))
            rest = rest.dropFirst(70)
        }
        lines.append("-----END OPENSSH PRIVATE KEY-----")
        return lines.joined(separator: "\n") + "\n"
    }
}

/// A key's fingerprint as `ssh-keygen -l` prints it (`MarketplaceAPI`'s one rule).
enum KeyFingerprint {
    static func of(_ key: NIOSSHPublicKey) -> String {
        let line = String(openSSHPublicKey: key)
        let parts = line.split(separator: " ")
        let blob = parts.count >= 2 ? Data(base64Encoded: String(parts[1])) ?? Data() : Data()
        return SSHFingerprint.of(blob: Array(blob))
    }
}

extension ByteBuffer {
    mutating func writeSSHString(_ text: String) {
        writeSSHBytes(Array(text.utf8))
    }

    mutating func writeSSHBytes(_ bytes: [UInt8]) {
        writeInteger(UInt32(bytes.count))
        writeBytes(bytes)
    }

    mutating func readSSHBytes() -> [UInt8]? {
        guard let length = readInteger(as: UInt32.self) else { return nil }
        return readBytes(length: Int(length))
    }

    mutating func readSSHString() -> String? {
        readSSHBytes().map { String(decoding: $0, as: UTF8.self) }
    }
}
