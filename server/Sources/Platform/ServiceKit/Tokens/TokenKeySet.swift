import Crypto
import Foundation
import JWTKit

/// The keys of one kind of token, each in a collection of its own: which key
/// verifies a token is decided here, by the token's `kid`, never by JWTKit's
/// fallback to a default key.
struct TokenKeySet: Sendable {
    struct Key: Sendable {
        let id: String
        let keys: JWTKeyCollection
    }

    let current: Key
    /// Current first: a token without a kid most likely comes from the current key.
    let all: [Key]

    init(_ secrets: TokenSecrets) async {
        var keys: [Key] = []
        for secret in [secrets.current] + secrets.previous {
            let collection = JWTKeyCollection()
            await collection.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
            keys.append(Key(id: TokenSecrets.keyID(of: secret), keys: collection))
        }
        self.current = keys[0]
        self.all = keys
    }

    func sign(_ claims: AccessClaims) async throws -> String {
        try await current.keys.sign(claims, kid: JWKIdentifier(string: current.id))
    }

    /// The claims when one of these keys signed the token, nil when none did;
    /// throws `expired` when the signature matches but the token has expired.
    /// A token naming a key id checks against that key alone (and an unknown id
    /// against none); a token without one, issued before tokens carried ids,
    /// against every key.
    func claims(_ token: String, keyID: String?) async throws -> AccessClaims? {
        let candidates = keyID.map { id in all.filter { $0.id == id } } ?? all
        for key in candidates {
            do {
                return try await key.keys.verify(token, as: AccessClaims.self)
            } catch let error as JWTError where error.errorType == .claimVerificationFailure {
                throw TokenError.expired
            } catch {
                continue
            }
        }
        return nil
    }

    /// The header's `kid`; throws `invalid` when the header is not base64url JSON
    /// or its kid is not a string.
    static func keyID(of token: String) throws -> String? {
        struct Header: Decodable { let kid: String? }
        var text = String(token.prefix { $0 != "." })
            .replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while text.count % 4 != 0 { text += "=" }
        guard let data = Data(base64Encoded: text), let header = try? JSONDecoder().decode(Header.self, from: data) else {
            throw TokenError.invalid
        }
        return header.kid
    }
}
