import Composition
import Foundation
import JWTKit
import MarketplaceAPI
import ServiceKit
import Testing
import NIOCore
@testable import AuthService

/// Rotating the signing secrets: tokens name their key (`kid`), the current key
/// signs, every listed key verifies, and a key dropped from the list takes its
/// tokens with it.
@Suite("Token key rotation") struct TokenRotationTests {
    static func header(_ token: String) throws -> [String: Any] {
        let data = try #require(Data(base64Encoded: TokenTests.padded(String(token.split(separator: ".")[0]))))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    static func keyID(_ token: String) throws -> String? { try header(token)["kid"] as? String }

    /// A token as the server signed it before tokens carried a key id.
    static func tokenWithoutKeyID(secret: String, subject: String, role: String, issuedAt: Date = Date()) async throws -> String {
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
        return try await keys.sign(AccessClaims(subject: subject, role: role, issuedAt: issuedAt, expiresAt: issuedAt.addingTimeInterval(600)))
    }

    /// A token signed with `secret` whose header names `kid`, whatever key that is.
    static func token(secret: String, kid: String, subject: String, role: String) async throws -> String {
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
        return try await keys.sign(AccessClaims(subject: subject, role: role, issuedAt: Date(), expiresAt: Date().addingTimeInterval(600)),
                                   kid: JWKIdentifier(string: kid))
    }

    // MARK: The key set

    @Test func theKeyIDIsTheFirstEightBytesOfTheSecretsSHA256() {
        // printf %s storefront-rotation-example-secret-0123456789 | sha256sum | cut -c1-16
        let secret = "storefront-rotation-example-secret-0123456789"
        #expect(TokenSecrets.keyID(of: secret) == "305fc35953be8597")
        #expect(TokenSecrets(current: secret, previous: [String(repeating: "x", count: 32)]).keyIDs.first == "305fc35953be8597")
    }

    @Test func tokensCarryTheCurrentKeysID() async throws {
        let user = TestStores.randomSecret(), service = TestStores.randomSecret()
        let tokens = try await TokenService(userSecret: user, serviceSecret: service)
        let shopper = try await tokens.issueUserToken(userID: UserID(UUID()), role: .customer)
        let credential = try await tokens.issueServiceToken(service: "checkout")
        #expect(try Self.header(shopper)["alg"] as? String == "HS256")
        #expect(try Self.keyID(shopper) == TokenSecrets.keyID(of: user))
        #expect(try Self.keyID(credential) == TokenSecrets.keyID(of: service))
        #expect(try Self.keyID(shopper)?.contains(user.prefix(8)) == false)
    }

    @Test func previousKeysVerifyButOnlyTheCurrentOneSigns() async throws {
        let a = TestStores.randomSecret(), b = TestStores.randomSecret()
        let serviceA = TestStores.randomSecret(), serviceB = TestStores.randomSecret()
        let before = try await TokenService(userSecret: a, serviceSecret: serviceA)
        let during = try await TokenService(userSecrets: TokenSecrets(current: b, previous: [a]),
                                            serviceSecrets: TokenSecrets(current: serviceB, previous: [serviceA]))
        let after = try await TokenService(userSecret: b, serviceSecret: serviceB)
        let id = UserID(UUID())

        let old = try await before.issueUserToken(userID: id, role: .vendor)
        let oldCredential = try await before.issueServiceToken(service: "orders")
        #expect(try await during.verify(old) == .user(SignedInUser(id: id, role: .vendor)))
        #expect(try await during.verify(oldCredential) == .service(name: "orders"))

        let new = try await during.issueUserToken(userID: id, role: .vendor)
        let newCredential = try await during.issueServiceToken(service: "orders")
        #expect(try Self.keyID(new) == TokenSecrets.keyID(of: b))
        #expect(try Self.keyID(newCredential) == TokenSecrets.keyID(of: serviceB))
        #expect(try await after.verify(new) == .user(SignedInUser(id: id, role: .vendor)))
        #expect(try await after.verify(newCredential) == .service(name: "orders"))

        // Dropped: the old key's tokens are refused as invalid, not as expired.
        await #expect(throws: TokenError.invalid) { try await after.verify(old) }
        await #expect(throws: TokenError.invalid) { try await after.verify(oldCredential) }
        // A process not yet told of the new key refuses its tokens: hence the rollout order in the guide.
        await #expect(throws: TokenError.invalid) { try await before.verify(new) }
    }

    @Test func tokensWithoutAKeyIDAreCheckedAgainstEveryKey() async throws {
        let a = TestStores.randomSecret(), b = TestStores.randomSecret()
        let serviceA = TestStores.randomSecret(), serviceB = TestStores.randomSecret()
        let tokens = try await TokenService(userSecrets: TokenSecrets(current: b, previous: [a]),
                                            serviceSecrets: TokenSecrets(current: serviceB, previous: [serviceA]))
        let id = UserID(UUID())
        for secret in [a, b] {
            let legacy = try await Self.tokenWithoutKeyID(secret: secret, subject: id.description, role: "customer")
            #expect(try Self.keyID(legacy) == nil)
            #expect(try await tokens.verify(legacy) == .user(SignedInUser(id: id, role: .customer)))
        }
        for secret in [serviceA, serviceB] {
            let legacy = try await Self.tokenWithoutKeyID(secret: secret, subject: "checkout", role: "service")
            #expect(try await tokens.verify(legacy) == .service(name: "checkout"))
        }
        let foreign = try await Self.tokenWithoutKeyID(secret: TestStores.randomSecret(), subject: id.description, role: "customer")
        await #expect(throws: TokenError.invalid) { try await tokens.verify(foreign) }
        // Signed with a previous key long ago: expired, as a token of the current key would be.
        let stale = try await Self.tokenWithoutKeyID(secret: a, subject: id.description, role: "customer", issuedAt: Date().addingTimeInterval(-7200))
        await #expect(throws: TokenError.expired) { try await tokens.verify(stale) }
    }

    @Test func aKeyIDPinsTheKeyAndAnUnknownOneIsInvalid() async throws {
        let a = TestStores.randomSecret(), b = TestStores.randomSecret(), service = TestStores.randomSecret()
        let tokens = try await TokenService(userSecrets: TokenSecrets(current: b, previous: [a]), serviceSecrets: TokenSecrets(current: service))
        let id = UUID().uuidString.lowercased()
        // Signed with a key we hold, but naming another: no falling back to the key that would match.
        let misnamed = try await Self.token(secret: a, kid: TokenSecrets.keyID(of: b), subject: id, role: "customer")
        await #expect(throws: TokenError.invalid) { try await tokens.verify(misnamed) }
        // Naming a key we do not hold, whatever signed it.
        for secret in [a, b, TestStores.randomSecret()] {
            let unknown = try await Self.token(secret: secret, kid: TokenSecrets.keyID(of: TestStores.randomSecret()), subject: id, role: "customer")
            await #expect(throws: TokenError.invalid) { try await tokens.verify(unknown) }
        }
        // A shopper's key named on a token claiming to be a service is a shopper's token, and not a valid one.
        let posing = try await Self.token(secret: b, kid: TokenSecrets.keyID(of: b), subject: "checkout", role: "service")
        await #expect(throws: TokenError.invalid) { try await tokens.verify(posing) }
        // The service key's id on a shopper's claims signed with the shoppers' key.
        let crossed = try await Self.token(secret: b, kid: TokenSecrets.keyID(of: service), subject: id, role: "admin")
        await #expect(throws: TokenError.invalid) { try await tokens.verify(crossed) }
        // A kid that is not a string, or a header that is not JSON.
        let body = try await Self.token(secret: b, kid: "x", subject: id, role: "customer").split(separator: ".").dropFirst().joined(separator: ".")
        for header in [#"{"alg":"HS256","typ":"JWT","kid":7}"#, "not json"] {
            await #expect(throws: TokenError.invalid) { try await tokens.verify(TokenTests.base64URL(Data(header.utf8)) + "." + body) }
        }
    }

    // MARK: Configuration

    static func configuration(_ settings: [String: String]) throws -> AppConfiguration {
        var environment = ["STOREFRONT_POSTGRES_URL": "postgres://u@h", "STOREFRONT_MONGO_URL": "mongodb://h:1"]
        environment["STOREFRONT_JWT_SECRET"] = String(repeating: "j", count: 32)
        environment["STOREFRONT_SERVICE_SECRET"] = String(repeating: "s", count: 32)
        environment.merge(settings) { $1 }
        return try AppConfiguration.fromEnvironment(environment)
    }

    static func refusal(_ settings: [String: String]) -> String? {
        do {
            _ = try configuration(settings)
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test func previousSecretsAreReadAsACommaSeparatedList() throws {
        let a = String(repeating: "a", count: 32), b = String(repeating: "b", count: 40)
        let c = String(repeating: "c", count: 32)
        let configuration = try Self.configuration([
            "STOREFRONT_JWT_PREVIOUS_SECRETS": " \(a) ,\(b),,\n", "STOREFRONT_SERVICE_PREVIOUS_SECRETS": c])
        #expect(configuration.previousTokenSecrets == [a, b])
        #expect(configuration.userTokenSecrets == TokenSecrets(current: String(repeating: "j", count: 32), previous: [a, b]))
        #expect(configuration.serviceTokenSecrets.previous == [c])
        let none = try Self.configuration(["STOREFRONT_JWT_PREVIOUS_SECRETS": "", "STOREFRONT_SERVICE_PREVIOUS_SECRETS": " "])
        #expect(none.previousTokenSecrets.isEmpty && none.previousServiceSecrets.isEmpty)
        #expect(try Self.configuration([:]).previousTokenSecrets.isEmpty)
    }

    @Test func badKeySetsAreRefusedWithAMessageNamingTheSettingAndNeverTheSecret() async throws {
        let good = TestStores.randomSecret(), short = "too-short-\(UUID().uuidString.prefix(8))"
        let jwt = String(repeating: "j", count: 32), service = String(repeating: "s", count: 32)
        let cases: [([String: String], String)] = [
            (["STOREFRONT_JWT_PREVIOUS_SECRETS": "\(good),\(short)"], "STOREFRONT_JWT_PREVIOUS_SECRETS entry 2 must be at least 32 bytes long"),
            (["STOREFRONT_SERVICE_PREVIOUS_SECRETS": short], "STOREFRONT_SERVICE_PREVIOUS_SECRETS entry 1 must be at least 32 bytes long"),
            (["STOREFRONT_JWT_SECRET": short], "STOREFRONT_JWT_SECRET must be at least 32 bytes long"),
            (["STOREFRONT_JWT_PREVIOUS_SECRETS": jwt], "STOREFRONT_JWT_PREVIOUS_SECRETS entry 1 repeats STOREFRONT_JWT_SECRET"),
            (["STOREFRONT_JWT_PREVIOUS_SECRETS": "\(good),\(good)"], "STOREFRONT_JWT_PREVIOUS_SECRETS entry 2 repeats STOREFRONT_JWT_PREVIOUS_SECRETS entry 1"),
            (["STOREFRONT_SERVICE_PREVIOUS_SECRETS": jwt], "STOREFRONT_SERVICE_PREVIOUS_SECRETS entry 1 is also STOREFRONT_JWT_SECRET"),
            (["STOREFRONT_JWT_PREVIOUS_SECRETS": service], "STOREFRONT_SERVICE_SECRET is also STOREFRONT_JWT_PREVIOUS_SECRETS entry 1"),
            (["STOREFRONT_SERVICE_SECRET": jwt], "STOREFRONT_SERVICE_SECRET is also STOREFRONT_JWT_SECRET"),
        ]
        for (settings, expected) in cases {
            let message = try #require(Self.refusal(settings), "accepted: \(settings.keys.sorted())")
            #expect(message.hasPrefix(expected), "\(message)")
            for secret in [good, short, jwt, service] { #expect(!message.contains(secret), "\(message)") }
        }
        // The service itself refuses what the configuration would.
        await #expect(throws: ConfigurationError.self) {
            try await TokenService(userSecrets: TokenSecrets(current: good, previous: [short]), serviceSecrets: TokenSecrets(current: service))
        }
    }
}

/// Password hashing's cost: 12 as shipped, lower only when a test says so.
@Suite("Hashing cost") struct HashingCostTests {
    @Test func passwordsAreHashedAtCost12UnlessTheOperatorSaysOtherwise() throws {
        #expect(try TokenRotationTests.configuration([:]).bcryptCost == 12)
        #expect(PasswordHasher().cost == 12)
        #expect(try TokenRotationTests.configuration(["STOREFRONT_BCRYPT_COST": "14"]).bcryptCost == 14)
        #expect(try TokenRotationTests.configuration(["STOREFRONT_BCRYPT_COST": "4"]).bcryptCost == 4)
        for refused in ["3", "17", "0", "twelve"] {
            #expect(TokenRotationTests.refusal(["STOREFRONT_BCRYPT_COST": refused])?.contains("STOREFRONT_BCRYPT_COST") == true, "\(refused)")
        }
    }
}

/// Password hashing's threads: as many as the cores, or as the operator sets.
@Suite("Hashing threads") struct HashingThreadTests {
    @Test func asManyAsTheCoresUnlessTheOperatorSaysOtherwise() throws {
        #expect(try TokenRotationTests.configuration([:]).hashingThreads == System.coreCount)
        #expect(try TokenRotationTests.configuration(["STOREFRONT_HASHING_THREADS": "3"]).hashingThreads == 3)
        for refused in ["0", "-1", "many", "257"] {
            #expect(TokenRotationTests.refusal(["STOREFRONT_HASHING_THREADS": refused])?.contains("STOREFRONT_HASHING_THREADS") == true, "\(refused)")
        }
    }

    @Test func serversInOneProcessShareAPoolPerSize() {
        #expect(PasswordHasher.pool(threads: 1) === PasswordHasher.pool(threads: 1))
        #expect(PasswordHasher.pool(threads: 1) !== PasswordHasher.pool(threads: 2))
    }
}
