import Foundation
import HTTPTypes
import Hummingbird
import MarketplaceAPI
import ServiceKit
import Testing

/// Every kind of failure answers its documented code (the support client also
/// records any failure, in any suite, that answers without one).
@Suite("Error codes") struct ErrorCodeTests {
    @Test func eachFailureCarriesItsCode() async throws {
        try await withTestApp { client in
            let shopper = try await client.signUp()
            let vendor = try await client.signUp(role: .vendor)
            let expired = try await TestStores.tokens().issueUserToken(userID: UserID(UUID()), role: .customer, now: Date().addingTimeInterval(-7200))
            let lamp = try await InventoryServiceTests.stockedProduct(client, quantity: 1)

            let cases: [(String, JSONResult, HTTPResponse.Status, ErrorCode)] = [
                ("a broken rule", try await client.send(.post, "/api/auth/register", json: RegisterRequest(name: "A", email: "a@b.c", password: "secret1")),
                 .badRequest, .validationFailed),
                ("unreadable JSON", try await client.send(.post, "/api/auth/login", raw: "{"), .badRequest, .malformedRequest),
                ("no token", try await client.send(.get, "/api/orders/cart"), .unauthorized, .unauthenticated),
                ("a forged token", try await client.send(.get, "/api/orders/cart", token: "x.y.z"), .unauthorized, .unauthenticated),
                ("an expired token", try await client.send(.get, "/api/orders/cart", token: expired), .unauthorized, .tokenExpired),
                ("a wrong password", try await client.send(.post, "/api/auth/login", json: LoginRequest(email: shopper.email, password: "wrong one")),
                 .unauthorized, .invalidCredentials),
                ("a shopper on an internal route", try await client.send(.post, "/api/inventory/release", token: shopper.token,
                                                                          json: ReleaseStockRequest(orderId: "o")), .forbidden, .forbidden),
                ("a shopper adding stock", try await client.send(.post, "/api/inventory/add", token: shopper.token,
                                                                  json: AddStockRequest(productId: lamp.productID, quantity: 1)), .forbidden, .forbidden),
                ("an unknown product", try await client.send(.get, "/api/products/0123456789abcdef01234567"), .notFound, .notFound),
                ("an unknown path", try await client.send(.get, "/api/nowhere"), .notFound, .noRoute),
                ("a method the path does not take", try await client.send(.patch, "/api/products/abc"), .methodNotAllowed, .methodNotAllowed),
                ("TRACE on /health", try await client.send(HTTPRequest.Method("TRACE")!, "/health"), .methodNotAllowed, .methodNotAllowed),
                ("a taken email", try await client.send(.post, "/api/auth/register", json: RegisterRequest(name: "V", email: vendor.email, password: "secret1")),
                 .conflict, .emailTaken),
                ("an empty cart", try await CheckoutTests.checkout(client, token: shopper.token), .badRequest, .cartEmpty),
                ("removing what is not in the cart", try await client.send(.delete, "/api/orders/cart/remove", token: shopper.token,
                                                                            json: RemoveFromCartRequest(productId: lamp.productID)), .notFound, .notInCart),
            ]
            #expect(cases.first { $0.0 == "a method the path does not take" }?.1.headers[.allow] == "GET, HEAD, PUT, DELETE")
            // HEAD answers wherever GET does: the same status and headers, no body.
            let head = try await client.send(.head, "/api/products")
            #expect(head.status == .ok && head.body.isEmpty && head.headers[.contentType]?.hasPrefix("application/json") == true, "\(head.status) \(head.body)")
            for (label, result, status, code) in cases {
                #expect(result.status == status, "\(label): \(result.body)")
                #expect(result.code == code, "\(label): \(result.body)")
            }

            // Short stock, then a decline: the checkout's own codes.
            try await CheckoutTests.addToCart(client, token: shopper.token, lamp.productID, 2)
            let short = try await CheckoutTests.checkout(client, token: shopper.token)
            #expect(short.status == .conflict && short.code == .outOfStock, "\(short.body)")
            try await CheckoutTests.addToCart(client, token: shopper.token, lamp.productID, 1)
            let removed = try await client.send(.delete, "/api/orders/cart/remove", token: shopper.token, json: RemoveFromCartRequest(productId: lamp.productID))
            #expect(removed.status == .ok)
            try await CheckoutTests.addToCart(client, token: shopper.token, lamp.productID, 1)
            let declined = try await CheckoutTests.checkout(client, token: shopper.token, method: "tok_chargeDeclined")
            #expect(declined.status.code == 402 && declined.code == .paymentDeclined, "\(declined.body)")
        }
    }
}
