import Foundation
import JWTKit
import MarketplaceAPI

/// Who is calling: a signed-in account, or another service of the marketplace.
public enum Caller: Sendable, Equatable {
    case user(SignedInUser)
    case service(name: String)

    public var user: SignedInUser? {
        if case .user(let user) = self { return user }
        return nil
    }

    public var role: Role? { user?.role }
}

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
/// whatever claims it carries.
public struct TokenService: Sendable {
    public static let serviceRole = "service"

    private let userKeys: JWTKeyCollection
    private let serviceKeys: JWTKeyCollection
    public let lifetime: Duration

    public init(userSecret: String, serviceSecret: String, lifetime: Duration = .seconds(3600)) async throws {
        guard userSecret.utf8.count >= 32, serviceSecret.utf8.count >= 32 else {
            throw ConfigurationError("JWT secrets must be at least 32 bytes long")
        }
        guard userSecret != serviceSecret else {
            throw ConfigurationError("the user token secret and the service secret must differ")
        }
        self.userKeys = JWTKeyCollection()
        await self.userKeys.add(hmac: HMACKey(from: userSecret), digestAlgorithm: .sha256)
        self.serviceKeys = JWTKeyCollection()
        await self.serviceKeys.add(hmac: HMACKey(from: serviceSecret), digestAlgorithm: .sha256)
        self.lifetime = lifetime
    }

    public func issueUserToken(userID: UserID, role: Role, now: Date = Date()) async throws -> String {
        let now = Self.wholeSeconds(now)
        let claims = AccessClaims(
            subject: userID.description, role: role.rawValue,
            issuedAt: now, expiresAt: now.addingTimeInterval(Self.seconds(lifetime)))
        return try await userKeys.sign(claims)
    }

    public func issueServiceToken(service: String, now: Date = Date()) async throws -> String {
        let now = Self.wholeSeconds(now)
        let claims = AccessClaims(
            subject: service, role: Self.serviceRole,
            issuedAt: now, expiresAt: now.addingTimeInterval(Self.seconds(lifetime)))
        return try await serviceKeys.sign(claims)
    }

    /// Verifies signature, algorithm and expiry, then reads the caller.
    public func verify(_ token: String) async throws -> Caller {
        if let claims = try await Self.claims(token, keys: userKeys) {
            guard let role = Role(rawValue: claims.role), let id = UserID(claims.sub.value) else {
                throw TokenError.invalid
            }
            return .user(SignedInUser(id: id, role: role))
        }
        if let claims = try await Self.claims(token, keys: serviceKeys) {
            guard claims.role == Self.serviceRole else { throw TokenError.invalid }
            return .service(name: claims.sub.value)
        }
        throw TokenError.invalid
    }

    /// nil when the signature does not match these keys; throws when it matches but the token has expired.
    private static func claims(_ token: String, keys: JWTKeyCollection) async throws -> AccessClaims? {
        do {
            return try await keys.verify(token, as: AccessClaims.self)
        } catch let error as JWTError where error.errorType == .claimVerificationFailure {
            throw TokenError.expired
        } catch {
            return nil
        }
    }

    /// `iat` and `exp` are whole seconds, as RFC 7519's NumericDate is usually read.
    private static func wholeSeconds(_ date: Date) -> Date {
        Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down))
    }

    private static func seconds(_ duration: Duration) -> TimeInterval {
        TimeInterval(duration.components.seconds) + TimeInterval(duration.components.attoseconds) / 1e18
    }
}

public struct ConfigurationError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
