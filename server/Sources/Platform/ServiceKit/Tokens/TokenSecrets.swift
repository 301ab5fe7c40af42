import Crypto
import Foundation
import JWTKit

/// The secrets one kind of token is signed with: `current` signs every new token,
/// and every listed secret verifies. Rotating is moving the current secret to
/// `previous` and naming a new current one; a previous secret can be dropped once
/// every token it signed has expired (the token lifetime after it stopped signing).
public struct TokenSecrets: Sendable, Equatable {
    public var current: String
    public var previous: [String]

    public init(current: String, previous: [String] = []) {
        self.current = current
        self.previous = previous
    }

    /// The entries of a comma-separated list such as `STOREFRONT_JWT_PREVIOUS_SECRETS`:
    /// spaces and line breaks around an entry are dropped (a list written as
    /// "A, B" or read from a file ending in a newline), empty entries are skipped.
    public static func list(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
    }

    /// The key id a secret's tokens carry in their header (`kid`): the first 8 bytes
    /// of the secret's SHA-256 in hex, so an operator can tell which secret signed a
    /// token (`printf %s "$SECRET" | sha256sum | cut -c1-16`) while the id gives
    /// nothing of the secret away.
    public static func keyID(of secret: String) -> String {
        SHA256.hash(data: Data(secret.utf8)).prefix(8).map { String(format: "%02x", $0) }.joined()
    }

    public var currentKeyID: String { Self.keyID(of: current) }
    /// Every key id accepted, the current one first.
    public var keyIDs: [String] { ([current] + previous).map(Self.keyID(of:)) }

    public static let minimumLength = 32

    /// Checks the shoppers' and the services' secrets together: every secret long
    /// enough, none listed twice, none shared between the two kinds (a shopper's
    /// token must never pass as a service credential). The messages name the
    /// settings, never a secret.
    public static func validate(user: TokenSecrets, service: TokenSecrets) throws {
        let named = user.named(.user) + service.named(.service)
        for entry in named where entry.secret.utf8.count < minimumLength {
            throw ConfigurationError("\(entry.name) must be at least \(minimumLength) bytes long (it has \(entry.secret.utf8.count))")
        }
        var seen: [String: NamedSecret] = [:]
        for entry in named {
            // Keyed by key id: two different secrets with one id (a 2^-64 chance) would be as ambiguous as one secret twice.
            let id = keyID(of: entry.secret)
            if let first = seen[id] {
                throw ConfigurationError(first.kind == entry.kind
                    ? "\(entry.name) repeats \(first.name); list each secret once, and the current one only as current"
                    : "\(entry.name) is also \(first.name); shoppers' tokens and service credentials need different secrets")
            }
            seen[id] = entry
        }
    }

    enum Kind {
        case user, service

        var current: String { self == .user ? "STOREFRONT_JWT_SECRET" : "STOREFRONT_SERVICE_SECRET" }
        var previous: String { self == .user ? "STOREFRONT_JWT_PREVIOUS_SECRETS" : "STOREFRONT_SERVICE_PREVIOUS_SECRETS" }
    }

    struct NamedSecret {
        let kind: Kind
        let name: String
        let secret: String
    }

    private func named(_ kind: Kind) -> [NamedSecret] {
        [NamedSecret(kind: kind, name: kind.current, secret: current)]
            + previous.enumerated().map { NamedSecret(kind: kind, name: "\(kind.previous) entry \($0.offset + 1)", secret: $0.element) }
    }
}
