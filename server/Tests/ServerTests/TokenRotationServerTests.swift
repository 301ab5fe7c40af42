import Foundation
import MarketplaceAPI
import ServiceKit
import Testing

/// Key rotation on the real executable: the server restarted with new settings
/// under a signed-in shopper and a service holding a credential, as an operator
/// rotates (server/README-services.md, "Rotating the signing secrets").
@Suite("Token key rotation, live", .serialized) struct TokenRotationServerTests {
    /// The settings of one step of the rotation; previous lists left unset are removed.
    static func environment(user: String, previousUser: String? = nil, service: String, previousService: String? = nil) throws -> [String: String] {
        try ServerProcess.environment([
            "STOREFRONT_JWT_SECRET": user, "STOREFRONT_JWT_PREVIOUS_SECRETS": previousUser,
            "STOREFRONT_SERVICE_SECRET": service, "STOREFRONT_SERVICE_PREVIOUS_SECRETS": previousService,
        ])
    }

    /// A route for signed-in shoppers: 200 when the token is accepted as theirs.
    static func cart(_ server: ServerProcess, _ token: String) async throws -> JSONResult {
        try await server.client.send(.get, "/api/orders/cart", token: token)
    }

    /// A route for services only: releasing an order that holds nothing answers 200 to a credential.
    static func release(_ client: some APIClient, _ credential: String) async throws -> JSONResult {
        try await client.send(.post, "/api/inventory/release", token: credential, json: ReleaseStockRequest(orderId: UUID().uuidString.lowercased()))
    }

    static func login(_ server: ServerProcess, email: String) async throws -> String {
        let login = try await server.client.sendHonouringBusy(.post, "/api/auth/login", json: LoginRequest(email: email, password: "correct horse"))
        return try login.reply(Endpoints.login).token
    }

    @Test func rotatingBothSecretsUnderASignedInShopperSignsNobodyOutUntilTheOldKeyIsDropped() async throws {
        _ = try await TestStores.prepare()
        let a = TestStores.randomSecret(), b = TestStores.randomSecret()
        let serviceA = TestStores.randomSecret(), serviceB = TestStores.randomSecret()
        // What another service of the marketplace would hold: its own process's credentials.
        let peerBefore = try await TokenService(userSecret: TestStores.randomSecret(), serviceSecret: serviceA)
        let peerAfter = try await TokenService(userSecret: TestStores.randomSecret(), serviceSecret: serviceB)

        // 1. One key each: the shopper signs in under A.
        var server = try await ServerProcess.start(environment: try Self.environment(user: a, service: serviceA))
        let shopper = try await server.client.signUp()
        #expect(try TokenRotationTests.keyID(shopper.token) == TokenSecrets.keyID(of: a))
        #expect(try await Self.cart(server, shopper.token).status == .ok)
        let oldCredential = try await peerBefore.issueServiceToken(service: "checkout")
        #expect(try await Self.release(server.client, oldCredential).status == .ok)
        #expect(try await server.stop() == 0)

        // 2. B current, A previous: the shopper stays signed in; a new sign-in gets B's key.
        server = try await ServerProcess.start(environment: try Self.environment(user: b, previousUser: a, service: serviceB, previousService: serviceA))
        #expect(try await Self.cart(server, shopper.token).status == .ok)
        let renewed = try await Self.login(server, email: shopper.email)
        #expect(try TokenRotationTests.keyID(renewed) == TokenSecrets.keyID(of: b))
        #expect(try await Self.cart(server, renewed).status == .ok)
        let newCredential = try await peerAfter.issueServiceToken(service: "checkout")
        #expect(try TokenRotationTests.keyID(newCredential) == TokenSecrets.keyID(of: serviceB))
        #expect(try await Self.release(server.client, oldCredential).status == .ok)
        #expect(try await Self.release(server.client, newCredential).status == .ok)
        #expect(try await server.stop() == 0)

        // 3. A dropped: its tokens are refused like any invalid token; B's keep working.
        server = try await ServerProcess.start(environment: try Self.environment(user: b, service: serviceB))
        let refused = try await Self.cart(server, shopper.token)
        #expect(refused.status == .unauthorized)
        #expect(refused.code == .unauthenticated, "\(refused.body)")
        #expect(try await Self.cart(server, renewed).status == .ok)
        let refusedCredential = try await Self.release(server.client, oldCredential)
        #expect(refusedCredential.status == .unauthorized)
        #expect(refusedCredential.code == .unauthenticated, "\(refusedCredential.body)")
        #expect(try await Self.release(server.client, newCredential).status == .ok)
        #expect(try await server.stop() == 0)
    }

    @Test func aBadKeyListStopsTheServerAtStartUpNamingTheSetting() async throws {
        let jwt = TestStores.randomSecret()
        let result = try await ServerProcess.run(["serve"], environment: try Self.environment(
            user: jwt, previousUser: "\(TestStores.randomSecret()),\(jwt)", service: TestStores.randomSecret()))
        #expect(result.status != 0)
        #expect(result.output.contains("STOREFRONT_JWT_PREVIOUS_SECRETS entry 2 repeats STOREFRONT_JWT_SECRET"), "\(result.output)")
        #expect(!result.output.contains(jwt))
    }

    /// The split form mid-rollout: every service already accepts the new service
    /// key (step 1 of the guide), then the checkout service alone restarts signing
    /// with it (step 2 under way); the services it calls still sign with the old
    /// key, and a checkout goes through.
    @Test func aCheckoutCrossesServicesWhileTheServiceKeyRollsOut() async throws {
        let serviceA = TestStores.randomSecret(), serviceB = TestStores.randomSecret()
        let deployment = try await SplitDeployment.start([
            "STOREFRONT_SERVICE_SECRET": serviceA, "STOREFRONT_SERVICE_PREVIOUS_SECRETS": serviceB])
        defer { deployment.stop() }
        let client = deployment.client
        let lamp = try await InventoryServiceTests.stockedProduct(client, quantity: 3)
        let shopper = try await client.signUp()
        try await CheckoutTests.addToCart(client, token: shopper.token, lamp.productID, 1)

        #expect(try await deployment.run(["stop", "checkout"]).status == 0)
        let restarted = try await deployment.run(["start", "checkout"], overrides: [
            "STOREFRONT_SERVICE_SECRET": serviceB, "STOREFRONT_SERVICE_PREVIOUS_SECRETS": serviceA])
        #expect(restarted.status == 0, "\(restarted.output)")

        let placed = try await CheckoutTests.checkout(client, token: shopper.token)
        #expect(placed.status == .ok, "\(placed.body)\n\(deployment.logs())")
        #expect(try await InventoryServiceTests.quantity(client, lamp.productID) == 2)
    }
}
