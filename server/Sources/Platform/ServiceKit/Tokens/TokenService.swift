import Foundation
import JWTKit
import MarketplaceAPI

/// The claims of every token: `sub` (account id or service name), `role`, `iat`, `exp`.
public struct AccessClaims: JWTPayload, Equatable {
    public var sub: SubjectClaim
    public var role: String
    public var iat: IssuedAtClaim
    public var exp: ExpirationClaim

    public init(subject: String, role: String, issuedAt: Date, expiresAt: Date) {
        self.sub = SubjectClaim(value: subject)
        self.role = role
        self.iat = IssuedAtClaim(value: issuedAt)
        self.exp = ExpirationClaim(value: expiresAt)
    }

    public func verify(using algorithm: some JWTAlgorithm) async throws {
        try exp.verifyNotExpired()
    }
}

public enum TokenError: Error, Equatable {
    case invalid
    case expired
}

/// Signs and verifies tokens. Shoppers' tokens and service credentials are signed
/// with different keys, so no shopper token can ever pass as a service credential,
/// whatever claims it carries. Each kind has a current key, which signs, and may
/// have previous ones, which still verify: a secret is rotated without signing
/// anyone out (see `TokenSecrets`).
public struct TokenService: Sendable {
    public static let serviceRole = "service"

    private let userKeys: TokenKeySet
    private let serviceKeys: TokenKeySet
    public let lifetime: Duration

    public init(userSecrets: TokenSecrets, serviceSecrets: TokenSecrets, lifetime: Duration = .seconds(3600)) async throws {
        try TokenSecrets.validate(user: userSecrets, service: serviceSecrets)
        self.userKeys = await TokenKeySet(userSecrets)
        self.serviceKeys = await TokenKeySet(serviceSecrets)
        self.lifetime = lifetime
    }

    /// One key of each kind, nothing being rotated.
    public init(userSecret: String, serviceSecret: String, lifetime: Duration = .seconds(3600)) async throws {
        try await self.init(
            userSecrets: TokenSecrets(current: userSecret), serviceSecrets: TokenSecrets(current: serviceSecret), lifetime: lifetime)
    }

    public func issueUserToken(userID: UserID, role: Role, now: Date = Date()) async throws -> String {
        let now = Self.wholeSeconds(now)
        let claims = AccessClaims(
            subject: userID.description, role: role.rawValue,
            issuedAt: now, expiresAt: now.addingTimeInterval(lifetime.timeInterval))
        return try await userKeys.sign(claims)
    }

    public func issueServiceToken(service: String, now: Date = Date()) async throws -> String {
        let now = Self.wholeSeconds(now)
        let claims = AccessClaims(
            subject: service, role: Self.serviceRole,
            issuedAt: now, expiresAt: now.addingTimeInterval(lifetime.timeInterval))
        return try await serviceKeys.sign(claims)
    }

    /// Verifies signature, algorithm and expiry, then reads the caller. A token
    /// whose key id names no key of ours is invalid like any other bad token.
    public func verify(_ token: String) async throws -> Caller {
        let keyID = try TokenKeySet.keyID(of: token)
        if let claims = try await userKeys.claims(token, keyID: keyID) {
            guard let role = Role(rawValue: claims.role), let id = UserID(claims.sub.value) else {
                throw TokenError.invalid
            }
            return .user(SignedInUser(id: id, role: role))
        }
        if let claims = try await serviceKeys.claims(token, keyID: keyID) {
            guard claims.role == Self.serviceRole else { throw TokenError.invalid }
            return .service(name: claims.sub.value)
        }
        throw TokenError.invalid
    }

    /// `iat` and `exp` are whole seconds, as RFC 7519's NumericDate is usually read.
    private static func wholeSeconds(_ date: Date) -> Date {
        Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down))
    }
}
