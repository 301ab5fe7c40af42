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
        let reply = client.perform(.login(email: "a@b.co", password: "secret1"), token: nil)
        #expect(reply.error == .unreachable(server: "http://127.0.0.1:\(port)", reason: "connection refused"))
        #expect(reply.error?.isConnectivity == true)
    }

    @Test func aServerThatNeverAnswersTimesOutInsteadOfHanging() throws {
        let listener = try SilentListener()
        let client = MarketplaceClient(baseURL: "http://127.0.0.1:\(listener.port)",
                                       transport: CurlTransport(connectTimeout: .seconds(1), totalTimeout: .seconds(1)))
        let started = Date()
        let reply = client.perform(.products(ProductQuery()), token: nil)
        #expect(reply.error == .timedOut(server: "http://127.0.0.1:\(listener.port)", seconds: 1))
        #expect(Date().timeIntervalSince(started) < 5)
    }

    @Test func errorEnvelopesKeepTheMessageAndFieldErrors() {
        let body = #"{"success":false,"message":"Validation failed","errors":[{"field":"email","message":"Email is required"}]}"#
        let result: Result<LoginResponse, APIError> = MarketplaceClient.decode(HTTPResponse(status: 400, body: Data(body.utf8)), path: "/api/auth/login")
        #expect(result.failure == .server(status: 400, message: "Validation failed", fieldErrors: [FieldError(field: "email", message: "Email is required")]))
    }

    @Test func aNonJSONErrorStillSaysWhatHappened() {
        let result: Result<LoginResponse, APIError> = MarketplaceClient.decode(HTTPResponse(status: 502, body: Data("<html>Bad gateway</html>".utf8)), path: "/api/auth/login")
        #expect(result.failure == .server(status: 502, message: "The server answered HTTP 502 for /api/auth/login", fieldErrors: []))
        #expect(result.failure?.isConnectivity == true)
    }

    @Test func anUnreadableSuccessIsABadResponseNamingTheField() {
        let result: Result<LoginResponse, APIError> = MarketplaceClient.decode(HTTPResponse(status: 200, body: Data(#"{"success":true}"#.utf8)), path: "/api/auth/login")
        guard case .badResponse(let detail)? = result.failure else { Issue.record("expected badResponse, got \(result)"); return }
        #expect(detail.contains("missing field 'token'"))
    }

    @Test func declinedCheckoutsAreAnswersNotErrors() throws {
        let body = #"{"success":false,"message":"Payment declined","orderId":"o1","transactionId":"t1","reason":"Your card was declined","errors":[]}"#
        let result: Result<CheckoutResponse, APIError> = MarketplaceClient.decode(HTTPResponse(status: 402, body: Data(body.utf8)), path: "/api/checkout",
                                                                                  answersWithBody: [402, 409])
        let answer = try result.get()
        #expect(!answer.success && answer.orderId == "o1" && answer.reason == "Your card was declined")
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
