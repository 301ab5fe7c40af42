import Foundation

// SSH public keys as accounts: a shopper keeps keys on their account, and the
// marketplace's SSH service signs in whoever connects with one of them. The
// contract of the key routes and the one rule that reads a key line, run by the
// user service on every key added and by the terminal client before it sends one.

/// The key types the SSH service can verify a signature with (swift-nio-ssh's).
public enum SSHKeyType: String, Codable, Sendable, CaseIterable {
    case ed25519 = "ssh-ed25519"
    case ecdsaP256 = "ecdsa-sha2-nistp256"
    case ecdsaP384 = "ecdsa-sha2-nistp384"
    case ecdsaP521 = "ecdsa-sha2-nistp521"

    /// The curve an ECDSA key's blob names after its type, and the length of
    /// its public point (uncompressed: 0x04, then X and Y); for Ed25519 the key's length.
    var curve: (name: String?, keyLength: Int) {
        switch self {
        case .ed25519: (nil, 32)
        case .ecdsaP256: ("nistp256", 65)
        case .ecdsaP384: ("nistp384", 97)
        case .ecdsaP521: ("nistp521", 133)
        }
    }

    /// How messages name the types that work: "ssh-ed25519, ecdsa-sha2-nistp256, ...".
    public static let listed = allCases.map(\.rawValue).joined(separator: ", ")
}

/// `POST /api/users/ssh-keys`: one OpenSSH public key line (`ssh-ed25519 AAAA... comment`).
public struct AddSSHKeyRequest: Codable, Sendable, Equatable {
    public var publicKey: String?

    public init(publicKey: String?) {
        self.publicKey = publicKey
    }
}

/// A key on an account, as the key routes answer it.
public struct SSHKey: Codable, Sendable, Equatable {
    /// `SHA256:` and the unpadded base64 of the SHA-256 of the key blob, as `ssh-keygen -l` prints it.
    public var fingerprint: String
    /// The key's type as its line names it (`ssh-ed25519`, `ecdsa-sha2-nistp256`, ...).
    public var type: String
    /// The line's comment (often `user@host`); nil when it had none.
    public var comment: String?
    public var addedAt: Date
    /// When the SSH service last signed someone in with it; nil if never.
    public var lastUsedAt: Date?

    public init(fingerprint: String, type: String, comment: String?, addedAt: Date, lastUsedAt: Date?) {
        self.fingerprint = fingerprint
        self.type = type
        self.comment = comment
        self.addedAt = addedAt
        self.lastUsedAt = lastUsedAt
    }
}

/// `GET /api/users/ssh-keys/account?fingerprint=` (the SSH service): whose key it is.
public struct SSHKeyAccount: Codable, Sendable, Equatable {
    public var userId: String
    public var fingerprint: String

    public init(userId: String, fingerprint: String) {
        self.userId = userId
        self.fingerprint = fingerprint
    }
}

/// `POST /api/auth/ssh-session` (the SSH service): a token for the account a key belongs to.
public struct SSHSessionRequest: Codable, Sendable, Equatable {
    public var userId: String?

    public init(userId: String?) {
        self.userId = userId
    }
}

/// A public key line read and checked by `InputRules.sshPublicKey`.
public struct SSHPublicKey: Sendable, Equatable {
    public let type: SSHKeyType
    /// The decoded key blob (SSH wire format), what the fingerprint is taken of.
    public let blob: [UInt8]
    /// The line's comment, normalised; nil when it had none.
    public let comment: String?

    /// `SHA256:...`, as `ssh-keygen -lf` prints it.
    public var fingerprint: String { SSHFingerprint.of(blob: blob) }

    /// The key without its comment: `type base64`, as an `authorized_keys` line starts.
    public var keyText: String { type.rawValue + " " + Data(blob).base64EncodedString() }
}

/// Why a key line was refused. The server answers `code` (400) and `message`.
public enum SSHKeyProblem: Error, Sendable, Equatable {
    /// Not a readable OpenSSH public key line, or a key whose blob does not hold together.
    case malformed(String)
    /// A well-formed key of a type the SSH service cannot verify (RSA among them).
    case unsupportedType(String)

    public var code: ErrorCode {
        switch self {
        case .malformed: .sshKeyInvalid
        case .unsupportedType: .sshKeyTypeUnsupported
        }
    }

    public var message: String {
        switch self {
        case .malformed(let reason): "Public key is not a valid OpenSSH public key line: \(reason)"
        case .unsupportedType(let type):
            "\(type) keys cannot sign in here; add a key of one of these types: \(SSHKeyType.listed) (ssh-keygen -t ed25519 makes one)"
        }
    }
}

/// SHA-256 fingerprints of keys, and the spellings a path may carry.
public enum SSHFingerprint {
    public static let prefix = "SHA256:"
    /// Unpadded base64 of 32 bytes.
    static let digestLength = 43

    public static func of(blob: [UInt8]) -> String {
        var text = Data(SHA256Digest.hash(blob)).base64EncodedString()
        while text.hasSuffix("=") { text.removeLast() }
        return prefix + text
    }

    /// The standard spelling (`SHA256:` and unpadded base64) of a fingerprint as a
    /// caller may send it: percent-encoded or not (`%2F` for `/`, `%2B` for `+`,
    /// `%3A` for `:`), or in the URL-safe alphabet (`-` for `+`, `_` for `/`),
    /// which needs no encoding in a path. nil when it is no fingerprint.
    public static func normalized(_ text: String) -> String? {
        let decoded = text.removingPercentEncoding ?? text
        guard decoded.hasPrefix(prefix) else { return nil }
        let digest = decoded.dropFirst(prefix.count).map { character -> Character in
            switch character {
            case "-", " ": "+"  // a space: a `+` that form-decoding turned into one
            case "_": "/"
            default: character
            }
        }
        guard digest.count == digestLength, digest.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "+" || $0 == "/") }),
              let bytes = Data(base64Encoded: String(digest) + "="), bytes.count == 32
        else { return nil }
        return prefix + String(digest)
    }

    /// The URL-safe spelling, which a path carries without percent-encoding but `:`.
    public static func urlSafe(_ fingerprint: String) -> String {
        String(fingerprint.map { $0 == "+" ? "-" : $0 == "/" ? "_" : $0 })
    }
}

extension InputRules {
    /// How many keys one account may keep.
    public static let maximumSSHKeys = 20
    /// A public key line's length in bytes; the longest supported key (P-521) takes about 300.
    public static let maximumSSHKeyLineBytes = 8192
    public static let sshKeyComment = TextRule("Comment", maximum: 255, required: false)
    /// Key types OpenSSH writes that the SSH service cannot verify: refused as such, not as malformed.
    static let unsupportedSSHKeyTypes: Set<String> = [
        "ssh-rsa", "ssh-dss", "sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com",
        "rsa-sha2-256", "rsa-sha2-512", "ssh-ed448",
    ]

    /// Reads an OpenSSH public key line: `type base64 [comment]`. The blob is
    /// read as SSH wire-format strings (a 32-bit big-endian length, then the
    /// bytes): its own type must be the line's, then for Ed25519 a 32-byte key,
    /// for ECDSA the curve the type names and an uncompressed point of that
    /// curve's length; nothing may follow. Certificates and `authorized_keys`
    /// options are not keys and are refused.
    public static func sshPublicKey(_ line: String?) -> Result<SSHPublicKey, SSHKeyProblem> {
        let line = trimmed(line ?? "")
        if line.isEmpty { return .failure(.malformed("it is empty")) }
        if line.utf8.count > maximumSSHKeyLineBytes { return .failure(.malformed("it is longer than \(maximumSSHKeyLineBytes) bytes")) }
        if line.contains(where: { $0 == "\n" || $0 == "\r" }) { return .failure(.malformed("it spans more than one line")) }
        let parts = line.split(maxSplits: 2, omittingEmptySubsequences: true, whereSeparator: { $0 == " " || $0 == "\t" })
        let typeName = String(parts[0])
        if unsupportedSSHKeyTypes.contains(typeName) || typeName.contains("-cert-v01@openssh.com") {
            return .failure(.unsupportedType(typeName))
        }
        guard let type = SSHKeyType(rawValue: typeName) else {
            return .failure(.malformed("\"\(typeName.prefix(40))\" is not a key type (\(SSHKeyType.listed))"))
        }
        guard parts.count >= 2, let data = Data(base64Encoded: String(parts[1])) else {
            return .failure(.malformed("the key after the type is not base64"))
        }
        let blob = [UInt8](data)
        var reader = WireReader(bytes: blob)
        guard let inner = reader.string(), let innerType = String(bytes: inner, encoding: .utf8) else {
            return .failure(.malformed("the key data is cut short"))
        }
        guard innerType == type.rawValue else {
            return .failure(.malformed("the line says \(type.rawValue) but the key is \(innerType.prefix(40))"))
        }
        let (curve, keyLength) = type.curve
        if let curve {
            guard let named = reader.string(), String(bytes: named, encoding: .utf8) == curve else {
                return .failure(.malformed("the key does not name the curve \(curve)"))
            }
        }
        guard let key = reader.string() else { return .failure(.malformed("the key data is cut short")) }
        guard key.count == keyLength, curve == nil || key.first == 0x04 else {
            return .failure(.malformed("a \(type.rawValue) key is \(keyLength) bytes\(curve == nil ? "" : " starting with 4"), this one is \(key.count)"))
        }
        guard reader.atEnd else { return .failure(.malformed("the key data has bytes after the key")) }
        var comment: String?
        if parts.count == 3 {
            let text = String(parts[2])
            if let problem = sshKeyComment.problem(text) { return .failure(.malformed(problem)) }
            comment = normalized(text)
        }
        return .success(SSHPublicKey(type: type, blob: blob, comment: comment))
    }

    /// SSH wire-format strings, read one after the other.
    struct WireReader {
        let bytes: [UInt8]
        var offset = 0

        var atEnd: Bool { offset == bytes.count }

        mutating func string() -> ArraySlice<UInt8>? {
            guard bytes.count - offset >= 4 else { return nil }
            let length = bytes[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) }
            offset += 4
            guard length <= bytes.count - offset else { return nil }
            defer { offset += length }
            return bytes[offset..<offset + length]
        }
    }
}
