import Foundation
import HTTPTypes
import Hummingbird
import MarketplaceAPI
import ServiceKit
@testable import ProductService
import AuthService
import Composition
import NIOCore
import Testing

/// Text that passes the rules always fits its column, control characters never
/// reach a store, and passwords bcrypt would only half read never sign in.
@Suite("Input integrity", .deployments) struct InputIntegrityTests {
    /// "ä́": one character a person sees, two Unicode scalars even once composed.
    static let stacked = "a\u{308}\u{301}"

    @Test(arguments: Topology.allCases) func textIsCountedAsTheColumnCountsIt(_ topology: Topology) async throws {
        let client = try Deployments.client(topology)
        // 200 characters on screen, 400 scalars: too long for VARCHAR(255), refused before any write.
        let long = String(repeating: Self.stacked, count: 200)
        let email = AuthServiceTests.uniqueEmail()
        let refused = try await client.send(.post, "/api/auth/register", json: RegisterRequest(name: long, email: email, password: "secret1"))
        #expect(refused.status == .badRequest && refused.code == .validationFailed && refused.fieldErrors == ["name"], "\(refused.body)")
        // The same text decomposed ("e" + U+0301) is stored composed, so 255 of them fit.
        let composable = String(repeating: "e\u{301}", count: 255)
        let accepted = try await client.send(.post, "/api/auth/register", json: RegisterRequest(name: composable, email: email, password: "secret1"))
        #expect(accepted.status == .created, "\(accepted.body)")
        // Compared scalar by scalar: Swift's == holds composed and decomposed text equal.
        #expect(try accepted.reply(Endpoints.register).data.name.unicodeScalars.elementsEqual(String(repeating: "\u{E9}", count: 255).unicodeScalars))

        let shopper = try await client.signUp()
        let street = try await client.send(.post, "/api/users/address", token: shopper.token,
                                           json: AddressInput(street: String(repeating: Self.stacked, count: 130), city: "Paris", country: "France"))
        #expect(street.status == .badRequest && street.fieldErrors == ["street"], "\(street.body)")
        let checkout = try await client.send(.post, "/api/checkout", token: shopper.token, json: CheckoutRequest(
            shippingAddress: ShippingAddressInput(street: String(repeating: Self.stacked, count: 130), city: "Paris", zip: "75002", country: "France"),
            paymentMethod: "tok_visa"))
        #expect(checkout.status == .badRequest && checkout.code == .validationFailed, "\(checkout.body)")
        #expect(checkout.fieldErrors == ["shippingAddress.street"])
    }

    @Test(arguments: Topology.allCases) func controlCharactersAreRefusedEverywhere(_ topology: Topology) async throws {
        let client = try Deployments.client(topology)
        let shopper = try await client.signUp()
        let vendor = try await client.signUp(role: .vendor)
        let cases: [(String, JSONResult, String)] = [
            ("a name", try await client.send(.post, "/api/auth/register", json: RegisterRequest(name: "Ann\u{0}", email: AuthServiceTests.uniqueEmail(), password: "secret1")), "name"),
            ("an email", try await client.send(.post, "/api/auth/register", json: RegisterRequest(name: "Ann", email: "c\u{1}tl@example.com", password: "secret1")), "email"),
            ("an email at sign-in", try await client.send(.post, "/api/auth/login", json: LoginRequest(email: "a\u{0}@example.com", password: "x")), "email"),
            ("a street", try await client.send(.post, "/api/users/address", token: shopper.token,
                                               json: AddressInput(street: "1 Main St\u{0}", city: "Paris", country: "France")), "street"),
            ("a product name", try await client.send(.post, "/api/products", token: vendor.token,
                                                     json: ProductInput(name: "Lamp\u{7}", description: "Bright", price: Money("5.00"), category: "Home")), "name"),
            ("a category query", try await client.send(.get, "/api/products?category=Home%00"), "category"),
            ("a search", try await client.send(.get, "/api/products?q=lamp%1B"), "q"),
            ("a cart product id", try await client.send(.post, "/api/orders/cart/add", token: shopper.token,
                                                        json: AddToCartRequest(productId: "abc\u{0}", quantity: 1)), "productId"),
            ("a payment method", try await client.send(.post, "/api/checkout", token: shopper.token, json: CheckoutRequest(
                shippingAddress: CheckoutTests.address, paymentMethod: "tok_visa\u{0}")), "paymentMethod"),
        ]
        for (label, result, field) in cases {
            #expect(result.status == .badRequest && result.code == .validationFailed, "\(label): \(result.body)")
            #expect(result.fieldErrors == [field], "\(label): \(result.body)")
        }
        // A description may span lines.
        let described = try await client.send(.post, "/api/products", token: vendor.token,
                                              json: ProductInput(name: "Lamp", description: "Bright\nand warm", price: Money("5.00"), category: "Home"))
        #expect(described.status == .created, "\(described.body)")
        // Path parameters are ids, taken as sent (never percent-decoded): an escape is just
        // an id nobody has, and one longer than any id is refused before a store sees it.
        // Through the gateway, nginx refuses a NUL escape in a path itself: 400 in the envelope.
        for path in ["/api/inventory/abc%00", "/api/orders/abc%00", "/api/products/abc%07"] {
            let result = try await client.send(.get, path, token: shopper.token)
            if topology == .split && path.hasSuffix("%00") {
                #expect(result.status == .badRequest && result.code == .malformedRequest, "\(path): \(result.body)")
            } else {
                #expect(result.status == .notFound && result.code == .notFound, "\(path): \(result.body)")
            }
        }
        let tooLong = String(repeating: "a", count: 65)
        for path in ["/api/inventory/\(tooLong)", "/api/orders/\(tooLong)", "/api/products/\(tooLong)", "/api/payments/\(tooLong)"] {
            let result = try await client.send(.get, path, token: shopper.token)
            #expect(result.status == .badRequest && result.code == .malformedRequest, "\(path): \(result.body)")
        }
    }

    @Test(arguments: Topology.allCases) func passwordsBcryptWouldOnlyHalfReadNeverSignIn(_ topology: Topology) async throws {
        let client = try Deployments.client(topology)
        let nul = try await client.send(.post, "/api/auth/register", json: RegisterRequest(name: "Ann", email: AuthServiceTests.uniqueEmail(), password: "\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}"))
        #expect(nul.status == .badRequest && nul.fieldErrors == ["password"], "\(nul.body)")
        let shopper = try await client.signUp()
        // "correct horse" is the support's password: with a NUL and more after it, bcrypt would read only the first part.
        let trailing = try await client.send(.post, "/api/auth/login", json: LoginRequest(email: shopper.email, password: "correct horse\u{0}anything"))
        #expect(trailing.status == .unauthorized && trailing.code == .invalidCredentials, "\(trailing.body)")
        let long = try await client.send(.post, "/api/auth/login", json: LoginRequest(email: shopper.email, password: "correct horse" + String(repeating: "x", count: 80)))
        #expect(long.status == .unauthorized && long.code == .invalidCredentials, "\(long.body)")
    }

    @Test(arguments: Topology.allCases) func searchTextMatchesItselfScalarByScalar(_ topology: Topology) async throws {
        let client = try Deployments.client(topology)
        // As forms send it, `+` is a space.
        let vendor = try await client.signUp(role: .vendor)
        let word = "plus" + UUID().uuidString.prefix(6).lowercased()
        _ = try await createTestProduct(client, vendorToken: vendor.token, name: "Desk \(word) lamp", price: "12.00")
        let plus = try await client.send(.get, "/api/products?q=\(word)+lamp&minPrice=+10")
        let escaped = try await client.send(.get, "/api/products?q=\(word)%20lamp&minPrice=%2010")
        #expect(try plus.status == .ok && ProductServiceTests.total(plus) == 1, "\(plus.body)")
        #expect(try ProductServiceTests.total(escaped) == 1, "\(escaped.body)")
        for text in ["(\u{301}", "[\u{308}", "a{1000}\u{301}", "\\\u{301}", "*\u{20DD}"] {
            let query = "q=" + text.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            let result = try await client.send(.get, "/api/products?" + query)
            #expect(result.status == .ok, "\(text.unicodeScalars.map { String($0.value, radix: 16) }): \(result.body)")
        }
    }
}

/// No request can make the server answer, or keep, without bound.
@Suite("Bounds", .deployments) struct BoundsTests {
    @Test(arguments: Topology.allCases) func oneRequestWithAHundredThousandBadValuesGetsAShortAnswer(_ topology: Topology) async throws {
        let client = try Deployments.client(topology)
        let vendor = try await client.signUp(role: .vendor)
        let images = Array(repeating: "x", count: 100_000)
        let result = try await client.send(.post, "/api/products", token: vendor.token,
                                           json: ProductInput(name: "Lamp", description: "Bright", price: Money("5.00"), category: "Home", images: images))
        #expect(result.status == .badRequest && result.code == .validationFailed)
        #expect(result.fieldErrors == ["images"], "the count is the problem; the URLs are not looked at")
        #expect(result.body.utf8.count < 2_000, "\(result.body.utf8.count) bytes")

        // Many distinct problems: the first 20 and how many there were.
        let many = (0..<10).map { _ in "not a url" }
        let register = try await client.send(.post, "/api/products", token: vendor.token, json: ProductInput(
            name: String(repeating: "n", count: 300), description: "", price: Money("5.00"), category: "", images: many))
        #expect(register.status == .badRequest && register.fieldErrors.count == 13, "\(register.body)")
    }

    @Test(arguments: Topology.allCases) func aShopperKeepsAtMostTwentyAddresses(_ topology: Topology) async throws {
        let client = try Deployments.client(topology)
        let shopper = try await client.signUp()
        for index in 0..<InputRules.maximumAddresses {
            let added = try await client.send(.post, "/api/users/address", token: shopper.token,
                                              json: AddressInput(street: "\(index) Main St", city: "Paris", country: "France"))
            #expect(added.status == .created, "\(added.body)")
        }
        let refused = try await client.send(.post, "/api/users/address", token: shopper.token,
                                            json: AddressInput(street: "21 Main St", city: "Paris", country: "France"))
        #expect(refused.status == .conflict && refused.code == .conflict, "\(refused.body)")
        let listed = try await client.send(.get, "/api/users/addresses", token: shopper.token)
        #expect(try listed.reply(Endpoints.addresses).data.count == InputRules.maximumAddresses)
    }

    @Test func theReadCacheIsBoundedInBytes() async throws {
        let cache = ProductReadCache(ttl: .seconds(60), maxBytes: 10_000)
        for page in 0..<50 {
            _ = try await cache.body(for: "page-\(page)") { ByteBuffer(repeating: 0x20, count: 1_000) }
            #expect(cache.size.bytes <= 10_000)
        }
        #expect(cache.size.entries >= 1 && cache.size.entries <= 10)
        // A body larger than the whole budget is served but never kept.
        let (big, _) = try await cache.body(for: "huge") { ByteBuffer(repeating: 0x20, count: 20_000) }
        #expect(big.readableBytes == 20_000)
        #expect(cache.size.bytes <= 10_000)
    }
}

/// Guessing passwords gets slower and slower; a flood of sign-ins is answered at once.
@Suite("Sign-in abuse") struct SignInAbuseTests {
    @Test func theThrottleCountsFailuresPerEmailAndAddressAndForgetsOnSuccess() {
        let throttle = LoginThrottle(limits: .init(allowedFailures: 2, allowedFailuresPerAddress: 5, window: .seconds(60)))
        for _ in 0..<2 { throttle.failed(email: "a@x.io", address: "10.0.0.1") }
        #expect(throttle.wait(email: "a@x.io", address: "10.0.0.1") == nil, "the allowance")
        throttle.failed(email: "a@x.io", address: "10.0.0.1")
        let wait = try? #require(throttle.wait(email: "a@x.io", address: nil))
        #expect(wait.map { $0 > .zero && $0 <= .seconds(1) } == true)
        #expect(throttle.wait(email: "b@x.io", address: nil) == nil, "another email is not slowed by this one")
        // The address: five failures over several emails, then every email from it waits.
        throttle.failed(email: "c@x.io", address: "10.0.0.1")
        throttle.failed(email: "d@x.io", address: "10.0.0.1")
        throttle.failed(email: "e@x.io", address: "10.0.0.1")
        #expect(throttle.wait(email: "fresh@x.io", address: "10.0.0.1") != nil)
        #expect(throttle.wait(email: "fresh@x.io", address: "10.0.0.2") == nil)
        throttle.succeeded(email: "a@x.io")
        #expect(throttle.wait(email: "a@x.io", address: nil) == nil)
        #expect(LoginThrottle(limits: nil).wait(email: "a@x.io", address: "10.0.0.1") == nil)
    }

    @Test func repeatedWrongPasswordsAreSlowedAlikeForAccountsAndUnknownEmails() async throws {
        try await withTestApp { client in
            let shopper = try await client.signUp()
            for email in [shopper.email, AuthServiceTests.uniqueEmail("nobody")] {
                // Each failure past the allowance doubles the wait (refused attempts do not
                // count), so guessing on meets a wait of two seconds or more soon.
                var refused: JSONResult?
                let deadline = ContinuousClock.now + .seconds(30)
                while refused == nil, ContinuousClock.now < deadline {
                    let attempt = try await client.send(.post, "/api/auth/login", json: LoginRequest(email: email, password: "wrong guess"))
                    #expect(attempt.status == .unauthorized || attempt.status == .tooManyRequests, "\(attempt.body)")
                    guard attempt.status == .tooManyRequests else { continue }
                    if let after = attempt.headers[.retryAfter].flatMap(Int.init), after >= 2 { refused = attempt } else {
                        try await Task.sleep(for: .milliseconds(100))
                    }
                }
                let answer = try #require(refused, "\(email) was never slowed down")
                #expect(answer.code == .rateLimited)
                // While it lasts, even the right password waits: guessing learns nothing.
                let right = try await client.send(.post, "/api/auth/login", json: LoginRequest(email: email, password: "correct horse"))
                #expect(right.status == .tooManyRequests && right.code == .rateLimited, "\(right.body)")
            }
        }
    }

    @Test func aFullHashingQueueAnswers503AtOnce() async throws {
        var configuration = try await TestStores.prepare()
        configuration.hashingQueue = 1
        // Hashes that take their real time, so the six sign-ins overlap.
        configuration.bcryptCost = 10
        let app = try await buildApplication(configuration, logger: TestStores.logger)
        try await app.test(.router) { base in
            let client = TestAppClient(base: base)
            let shopper = try await client.signUp()
            let statuses = try await withThrowingTaskGroup(of: (Int, ErrorCode?).self) { group in
                for _ in 0..<6 {
                    group.addTask {
                        let result = try await client.send(.post, "/api/auth/login", json: LoginRequest(email: shopper.email, password: "correct horse"))
                        return (result.status.code, result.code)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.allSatisfy { $0.0 == 200 || ($0.0 == 503 && $0.1 == .unavailable) }, "\(statuses)")
            #expect(statuses.contains { $0.0 == 200 } && statuses.contains { $0.0 == 503 }, "\(statuses)")
        }
    }
}
