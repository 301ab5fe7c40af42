import Foundation
import Glibc
import MarketplaceAPI
import StorefrontCore
import Testing
@testable import StorefrontHTTP

/// A loopback socket that accepts connections (the kernel completes the
/// handshake) but never answers: what a hung server looks like to a client.
final class SilentListener {
    let fd: Int32
    let port: Int

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && listen(fd, 8) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard ok else { throw POSIXError(.EADDRINUSE) }
        self.fd = fd
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    private var open = true

    /// Closing the socket leaves the port unused: connections are then refused.
    func close() {
        if open { Glibc.close(fd) }
        open = false
    }

    deinit { close() }
}

@Suite("HTTP client errors")
struct ClientErrorTests {
    @Test func aClosedPortIsReportedAsConnectionRefused() throws {
        let listener = try SilentListener()
        let port = listener.port
        listener.close()
        let client = MarketplaceClient(baseURL: "http://127.0.0.1:\(port)")
        let reply = client.perform(LoginScreen.signIn(email: "a@b.co", password: "secret1"), token: nil)
        #expect(reply.error == .unreachable(server: "http://127.0.0.1:\(port)", reason: "connection refused"))
        #expect(reply.error?.isConnectivity == true)
    }

    @Test func aServerThatNeverAnswersTimesOutInsteadOfHanging() throws {
        let listener = try SilentListener()
        let client = MarketplaceClient(baseURL: "http://127.0.0.1:\(listener.port)",
                                       transport: CurlTransport(connectTimeout: .seconds(1), totalTimeout: .seconds(1)))
        let started = Date()
        let reply = client.perform(BrowseScreen.page(ProductQuery()), token: nil)
        #expect(reply.error == .timedOut(server: "http://127.0.0.1:\(listener.port)", seconds: 1))
        #expect(Date().timeIntervalSince(started) < 5)
    }

    static let loginPath = Endpoints.login.path()

    @Test func errorEnvelopesKeepTheirCodeMessageAndFieldErrors() {
        let body = #"{"success":false,"code":"validation_failed","message":"Validation failed","errors":[{"field":"email","message":"Email is required"}]}"#
        let result: Result<LoginResponse, APIError> = MarketplaceClient.decode(HTTPResponse(status: 400, body: Data(body.utf8)), path: Self.loginPath)
        #expect(result.failure == .server(code: .validationFailed, message: "Validation failed", fieldErrors: [FieldError(field: "email", message: "Email is required")]))
    }

    @Test func theEnvelopesCodeDecidesNotTheStatus() {
        // A 503 that is an interrupted checkout, and a 401 that is an expired token: both named by their code.
        let interrupted = #"{"success":false,"code":"checkout_interrupted","message":"The checkout was interrupted","errors":[]}"#
        let checkout: Result<CheckoutResponse, APIError> = MarketplaceClient.decode(HTTPResponse(status: 503, body: Data(interrupted.utf8)), path: Endpoints.checkout.path())
        #expect(checkout.failure?.code == .checkoutInterrupted)
        #expect(checkout.failure?.isConnectivity == true)
        let expired = #"{"success":false,"code":"token_expired","message":"Your session has expired","errors":[]}"#
        let profile: Result<DataEnvelope<UserProfile>, APIError> = MarketplaceClient.decode(HTTPResponse(status: 401, body: Data(expired.utf8)), path: Endpoints.profile.path())
        #expect(profile.failure == .server(code: .tokenExpired, message: "Your session has expired", fieldErrors: []))
        #expect(profile.failure?.isConnectivity == false)
    }

    @Test func anEnvelopeWithoutACodeOrWithAnUnknownOneTakesTheStatussCode() {
        // The gateway's own answers carry no code; a newer server may send codes this client does not know.
        let gateway = #"{"success":false,"message":"Too many requests; try again in 1 s","errors":[]}"#
        let limited: Result<LoginResponse, APIError> = MarketplaceClient.decode(HTTPResponse(status: 429, body: Data(gateway.utf8)), path: Self.loginPath)
        #expect(limited.failure == .server(code: .rateLimited, message: "Too many requests; try again in 1 s", fieldErrors: []))
        let newer = #"{"success":false,"code":"brand_new_code","message":"Something new","errors":[]}"#
        let unknown: Result<LoginResponse, APIError> = MarketplaceClient.decode(HTTPResponse(status: 409, body: Data(newer.utf8)), path: Self.loginPath)
        #expect(unknown.failure == .server(code: .conflict, message: "Something new", fieldErrors: []))
    }

    @Test func aNonJSONErrorStillSaysWhatHappened() {
        let result: Result<LoginResponse, APIError> = MarketplaceClient.decode(HTTPResponse(status: 502, body: Data("<html>Bad gateway</html>".utf8)), path: Self.loginPath)
        #expect(result.failure == .server(code: .unavailable, message: "The server answered HTTP 502 for /api/auth/login", fieldErrors: []))
        #expect(result.failure?.isConnectivity == true)
    }

    @Test func anUnreadableSuccessIsABadResponseNamingTheField() {
        let result: Result<LoginResponse, APIError> = MarketplaceClient.decode(HTTPResponse(status: 200, body: Data(#"{"success":true}"#.utf8)), path: Self.loginPath)
        guard case .badResponse(let detail)? = result.failure else { Issue.record("expected badResponse, got \(result)"); return }
        #expect(detail.contains("missing field 'token'"))
    }

    @Test func declinedCheckoutsAndMissingStockAreAnswersOtherFailuresAreErrors() throws {
        let declined = #"{"success":false,"code":"payment_declined","message":"Payment declined","orderId":"o1","transactionId":"t1","reason":"Your card was declined","errors":[]}"#
        let answer: CheckoutResponse = try MarketplaceClient.decode(HTTPResponse(status: 402, body: Data(declined.utf8)), path: Endpoints.checkout.path(),
                                                                    answersWithBody: [.paymentDeclined, .outOfStock]).get()
        #expect(!answer.success && answer.code == .paymentDeclined && answer.orderId == "o1" && answer.reason == "Your card was declined")
        let short = #"{"success":false,"code":"out_of_stock","message":"Insufficient stock","shortages":[{"productId":"p1","requested":2,"available":1}],"errors":[]}"#
        let stock: CheckoutResponse = try MarketplaceClient.decode(HTTPResponse(status: 409, body: Data(short.utf8)), path: Endpoints.checkout.path(),
                                                                   answersWithBody: [.paymentDeclined, .outOfStock]).get()
        #expect(stock.code == .outOfStock && stock.shortages?.first?.available == 1)
        let busy = #"{"success":false,"code":"checkout_in_progress","message":"This checkout is still being worked on","errors":[]}"#
        let inProgress: Result<CheckoutResponse, APIError> = MarketplaceClient.decode(HTTPResponse(status: 409, body: Data(busy.utf8)), path: Endpoints.checkout.path(),
                                                                                     answersWithBody: [.paymentDeclined, .outOfStock])
        #expect(inProgress.failure?.code == .checkoutInProgress)
    }

    @Test func pathsComeFromTheEndpointTableWithTheirValuesEncoded() {
        #expect(Endpoints.updateAddress.path(["a 1/2"]) == "/api/users/address/a%201%2F2")
        #expect(Endpoints.cart.path([String]()) == "/api/orders/cart")
    }

    @Test func datesWithAndWithoutFractionsDecode() throws {
        let json = #"{"productId":"p","quantity":3,"lowStockThreshold":10,"isLowStock":true,"lastUpdated":"2026-11-25T12:10:36.123Z"}"#
        let level = try MarketplaceClient.decoder.decode(InventoryLevel.self, from: Data(json.utf8))
        #expect(level.quantity == 3)
        let plain = json.replacingOccurrences(of: ".123Z", with: "Z")
        #expect(try MarketplaceClient.decoder.decode(InventoryLevel.self, from: Data(plain.utf8)).isLowStock)
    }
}

extension Result {
    var failure: Failure? { if case .failure(let error) = self { error } else { nil } }
}
