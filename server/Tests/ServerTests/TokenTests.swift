import Foundation
import Hummingbird
import HummingbirdTesting
import JWTKit
import MarketplaceAPI
import ServiceKit
import Testing

/// The token checks every service relies on, exercised through a route that
/// requires a signed-in user: registering an admin needs an admin token, so the
/// registration route is our probe for "was this token accepted as an admin".
@Suite("Tokens") struct TokenTests {
    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    @Test func serviceTokensAndUserTokensAreTellApart() async throws {
        let tokens = try await TestStores.tokens()
        let service = try await tokens.issueServiceToken(service: "checkout")
        #expect(try await tokens.verify(service) == .service(name: "checkout"))
        let id = UUID()
        let user = try await tokens.issueUserToken(userID: UserID(id), role: .customer)
        #expect(try await tokens.verify(user) == .user(SignedInUser(id: UserID(id), role: .customer)))
    }

    @Test func aUserTokenClaimingTheServiceRoleIsRejected() async throws {
        // Signed with the shoppers' key but claiming to be a service: the key decides, not the claim.
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: TestStores.secrets.user), digestAlgorithm: .sha256)
        let forged = try await keys.sign(AccessClaims(subject: "checkout", role: "service", issuedAt: Date(), expiresAt: Date().addingTimeInterval(60)))
        await #expect(throws: TokenError.invalid) { try await TestStores.tokens().verify(forged) }
    }

    @Test func secretsMustBeLongAndDistinct() async throws {
        await #expect(throws: ConfigurationError.self) { try await TokenService(userSecret: "short", serviceSecret: TestStores.randomSecret()) }
        let same = TestStores.randomSecret()
        await #expect(throws: ConfigurationError.self) { try await TokenService(userSecret: same, serviceSecret: same) }
    }

    @Test func issuedClaimsCarrySubjectRoleIssuedAtAndExpiry() async throws {
        let tokens = try await TokenService(userSecret: TestStores.secrets.user, serviceSecret: TestStores.secrets.service, lifetime: .seconds(900))
        let id = UUID()
        let token = try await tokens.issueUserToken(userID: UserID(id), role: .vendor, now: Date(timeIntervalSince1970: 1_800_000_000))
        let payload = try #require(Data(base64Encoded: Self.padded(String(token.split(separator: ".")[1]))))
        let claims = try #require(try JSONSerialization.jsonObject(with: payload) as? [String: Any])
        #expect(claims["sub"] as? String == id.uuidString.lowercased())
        #expect(claims["role"] as? String == "vendor")
        #expect((claims["iat"] as? NSNumber)?.intValue == 1_800_000_000)
        #expect((claims["exp"] as? NSNumber)?.intValue == 1_800_000_900)
    }

    static func padded(_ base64URL: String) -> String {
        var text = base64URL.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while text.count % 4 != 0 { text += "=" }
        return text
    }

    /// Registering an admin with `token`: 201 means the token was accepted as an admin's.
    static func registerAdmin(_ client: any APIClient, authorization: String?) async throws -> JSONResult {
        var headers = HTTPFields()
        if let authorization { headers[.authorization] = authorization }
        return try await client.send(.post, "/api/auth/register", json: RegisterRequest(
            name: "New Admin", email: "na-\(UUID().uuidString.prefix(8).lowercased())@example.com", password: "secret1", role: "admin"), headers: headers)
    }

    @Test func aValidAdminTokenIsAccepted() async throws {
        try await withTestApp { client in
            let admin = try await client.signUp(role: .admin)
            #expect(try await Self.registerAdmin(client, authorization: "Bearer \(admin.token)").status == .created)
        }
    }

    @Test func tamperedTokensAreRejected() async throws {
        try await withTestApp { client in
            let customer = try await client.signUp(role: .customer)
            // Swap the payload for one that claims the admin role, keeping the customer's signature.
            let parts = customer.token.split(separator: ".").map(String.init)
            let payload = try #require(Data(base64Encoded: Self.padded(parts[1])))
            var claims = try #require(try JSONSerialization.jsonObject(with: payload) as? [String: Any])
            claims["role"] = "admin"
            let forgedPayload = Self.base64URL(try JSONSerialization.data(withJSONObject: claims))
            let forged = [parts[0], forgedPayload, parts[2]].joined(separator: ".")
            let result = try await Self.registerAdmin(client, authorization: "Bearer \(forged)")
            #expect(result.status == .forbidden)

            // A token signed with some other key is no token at all.
            let keys = JWTKeyCollection()
            await keys.add(hmac: HMACKey(from: TestStores.randomSecret()), digestAlgorithm: .sha256)
            let foreign = try await keys.sign(AccessClaims(subject: customer.id, role: "admin", issuedAt: Date(), expiresAt: Date().addingTimeInterval(600)))
            let foreignResult = try await Self.registerAdmin(client, authorization: "Bearer \(foreign)")
            #expect(foreignResult.status == .forbidden)
            await #expect(throws: TokenError.invalid) { try await TestStores.tokens().verify(foreign) }
        }
    }

    @Test func algNoneTokensAreRejected() async throws {
        let header = Self.base64URL(Data(#"{"alg":"none","typ":"JWT"}"#.utf8))
        let payload = Self.base64URL(Data(#"{"sub":"\#(UUID().uuidString.lowercased())","role":"admin","iat":1800000000,"exp":4000000000}"#.utf8))
        for token in ["\(header).\(payload).", "\(header).\(payload)"] {
            await #expect(throws: TokenError.invalid) { try await TestStores.tokens().verify(token) }
        }
    }

    @Test func expiredTokensAreRejectedWithAClearMessage() async throws {
        let tokens = try await TestStores.tokens()
        let expired = try await tokens.issueUserToken(userID: UserID(UUID()), role: .admin, now: Date().addingTimeInterval(-7200))
        await #expect(throws: TokenError.expired) { try await tokens.verify(expired) }
    }

    @Test func guardsAnswer401ForMissingOrBadTokensAnd403ForTheWrongRole() async throws {
        // Guards are tested on a router of their own so the rule is checked apart from any service.
        let tokens = try await TestStores.tokens()
        let router = Router(context: AppRequestContext.self)
        router.addMiddleware {
            ErrorMiddleware()
            TokenMiddleware(tokens: tokens)
        }
        router.get("user") { _, context in try context.requireUser().role.rawValue }
        router.get("vendor") { _, context in try context.requireRole([.vendor, .admin]).role.rawValue }
        router.get("internal") { _, context in try context.requireService([.checkout]).rawValue }
        let app = Application(router: router)

        let customer = try await tokens.issueUserToken(userID: UserID(UUID()), role: .customer)
        let vendor = try await tokens.issueUserToken(userID: UserID(UUID()), role: .vendor)
        let service = try await tokens.issueServiceToken(service: "checkout")
        let users = try await tokens.issueServiceToken(service: "users")
        let expired = try await tokens.issueUserToken(userID: UserID(UUID()), role: .vendor, now: Date().addingTimeInterval(-7200))
        let none = Self.base64URL(Data(#"{"alg":"none","typ":"JWT"}"#.utf8)) + "." + Self.base64URL(Data(#"{"sub":"x","role":"vendor","iat":1,"exp":4000000000}"#.utf8)) + "."

        try await app.test(.router) { (base: any TestClientProtocol) async throws in
            let client = TestAppClient(base: base)
            func status(_ path: String, _ authorization: String?) async throws -> (HTTPResponse.Status, String?) {
                var headers = HTTPFields()
                if let authorization { headers[.authorization] = authorization }
                let result = try await client.send(.get, path, headers: headers)
                return (result.status, result.message)
            }
            #expect(try await status("/user", nil).0 == .unauthorized)
            #expect(try await status("/user", "Bearer \(customer)").0 == .ok)
            #expect(try await status("/user", "Basic abc").0 == .unauthorized)
            #expect(try await status("/user", "Bearer not.a.token").0 == .unauthorized)
            #expect(try await status("/user", "Bearer \(none)").0 == .unauthorized)
            #expect(try await status("/user", "Bearer \(expired)") == (.unauthorized, "Token has expired"))
            #expect(try await status("/user", "Bearer \(service)").0 == .forbidden)
            #expect(try await status("/vendor", "Bearer \(customer)").0 == .forbidden)
            #expect(try await status("/vendor", "Bearer \(vendor)").0 == .ok)
            #expect(try await status("/internal", "Bearer \(vendor)").0 == .forbidden)
            #expect(try await status("/internal", "Bearer \(service)").0 == .ok)
            // Least privilege: a credential of a service the route does not list is refused by name.
            #expect(try await status("/internal", "Bearer \(users)") == (.forbidden, "The users service may not call this route; only checkout may"))
            #expect(try await status("/internal", nil).0 == .unauthorized)
        }
    }
}
