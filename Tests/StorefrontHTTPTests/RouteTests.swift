import Foundation
import Glibc
import MarketplaceAPI
import StorefrontCore
import Testing
@testable import StorefrontHTTP

/// A loopback HTTP server that writes down each request it is sent and answers
/// with the scripted replies, in order, then every one with the same failure envelope.
final class RecordingServer: @unchecked Sendable {
    struct Request: Sendable {
        var line: String
        var headers: [String]
        var body: String
    }

    let port: Int
    private let fd: Int32
    private let lock = NSLock()
    private var recorded: [Request] = []
    private var scripted: [String]

    static let answer = #"{"success":false,"code":"internal","message":"recorded","errors":[]}"#

    /// A whole HTTP/1.1 answer with a JSON body.
    static func reply(_ status: String, _ body: String, headers: [String] = []) -> String {
        "HTTP/1.1 \(status)\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n"
            + headers.map { $0 + "\r\n" }.joined() + "Connection: close\r\n\r\n" + body
    }

    init(replies: [String] = []) throws {
        scripted = replies
        let listener = SilentListener.unbound()
        guard let (fd, port) = listener else { throw POSIXError(.EADDRINUSE) }
        self.fd = fd
        self.port = port
        let thread = Thread { [self] in serve() }
        thread.start()
    }

    var requests: [Request] {
        lock.lock(); defer { lock.unlock() }
        return recorded
    }

    /// Shutting the socket down makes the blocked `accept` fail, and the serving
    /// thread closes it then. Closing it here instead let the descriptor's number
    /// go to another test's new listener while this thread could still call
    /// `accept` on it, answering that test's client with this server's replies.
    func stop() { shutdown(fd, Int32(SHUT_RDWR)) }

    private func serve() {
        while true {
            let connection = accept(fd, nil, nil)
            guard connection >= 0 else { close(fd); return }
            lock.lock()
            let next = scripted.isEmpty ? Self.reply("500 Internal Server Error", Self.answer) : scripted.removeFirst()
            lock.unlock()
            if let request = read(connection) {
                lock.lock(); recorded.append(request); lock.unlock()
            }
            let reply = next
            _ = reply.withCString { send(connection, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
            close(connection)
        }
    }

    private func read(_ connection: Int32) -> Request? {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            if let end = data.range(of: Data("\r\n\r\n".utf8)) {
                let head = String(decoding: data[..<end.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
                let length = head.compactMap { line -> Int? in
                    let parts = line.split(separator: ":", maxSplits: 1)
                    return parts.count == 2 && parts[0].lowercased() == "content-length" ? Int(parts[1].trimmingCharacters(in: .whitespaces)) : nil
                }.first ?? 0
                if data.count - end.upperBound >= length {
                    let body = String(decoding: data[end.upperBound..<end.upperBound + length], as: UTF8.self)
                    return Request(line: head[0], headers: Array(head.dropFirst()), body: body)
                }
            }
            let count = recv(connection, &buffer, buffer.count, 0)
            guard count > 0 else { return nil }
            data.append(contentsOf: buffer[0..<count])
        }
    }
}

extension SilentListener {
    /// A listening loopback socket on a free port.
    static func unbound() -> (Int32, Int)? {
        guard let listener = try? SilentListener() else { return nil }
        let fd = dup(listener.fd)
        let port = listener.port
        listener.close()
        return fd >= 0 ? (fd, port) : nil
    }
}

extension Result {
    /// The failure, if it is one.
    var error: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}

@Suite("HTTP client routes")
struct RouteTests {
    static let lamp = ProductInput(name: "Lamp", description: "Brass", price: Money("12.50")!, category: "Home", images: [])

    /// A request as the screens send it, the request line its first call must send, and a part of the JSON body it must carry ("" for none).
    static let table: [(AnyRequest, String, String)] = [
        (AnyRequest(.call(Endpoints.health)), "GET /health", ""),
        (AnyRequest(LoginScreen.signIn(email: "ann@example.com", password: "secret1")), "POST /api/auth/login", #""email":"ann@example.com""#),
        (AnyRequest(.data(Endpoints.register, body: RegisterRequest(name: "Ann", email: "ann@example.com", password: "secret1", role: "vendor"), sendsToken: false)),
         "POST /api/auth/register", #""role":"vendor""#),
        (AnyRequest(BrowseScreen.page(ProductQuery(page: 2, search: "tea pot"))), "GET /api/products?page=2&limit=20&sort=newest&q=tea%20pot", ""),
        (AnyRequest(.data(Endpoints.product, "p 1/2")), "GET /api/products/p%201%2F2", ""),
        (AnyRequest(.stock(["p1"])), "GET /api/inventory?productIds=p1", ""),
        (AnyRequest(.data(Endpoints.cart)), "GET /api/orders/cart", ""),
        (AnyRequest(.data(Endpoints.addToCart, body: AddToCartRequest(productId: "p1", quantity: 2))), "POST /api/orders/cart/add", #""quantity":2"#),
        (AnyRequest(.setCartQuantity(productID: "p1", quantity: 3)), "DELETE /api/orders/cart/remove", #""productId":"p1""#),
        (AnyRequest(.data(Endpoints.removeFromCart, body: RemoveFromCartRequest(productId: "p1"))), "DELETE /api/orders/cart/remove", #""productId":"p1""#),
        (AnyRequest(.data(Endpoints.clearCart)), "DELETE /api/orders/cart/clear", ""),
        (AnyRequest(.data(Endpoints.addresses)), "GET /api/users/addresses", ""),
        (AnyRequest(CheckoutScreen.placeOrder(ShippingAddress(street: "1 Rue Neuve", city: "Lyon", zip: "69001", country: "France"), paymentMethod: "tok_visa",
                                              idempotencyKey: "storefront-k1")), "POST /api/checkout", #""paymentMethod":"tok_visa""#),
        (AnyRequest(OrdersScreen.page(3)), "GET /api/orders?page=3&limit=50", ""),
        (AnyRequest(.data(Endpoints.order, "o1")), "GET /api/orders/o1", ""),
        (AnyRequest(OrderDetailScreen.cancel("o1", idempotencyKey: "storefront-cancel-k1")), "POST /api/orders/o1/cancel", ""),
        (AnyRequest(LowStockScreen.page(2)), "GET /api/inventory/status/low-stock?page=2&limit=100", ""),
        (AnyRequest(.productsByID(["p9"])), "GET /api/products?limit=100&ids=p9", ""),
        (AnyRequest(.data(Endpoints.addStock, body: AddStockRequest(productId: "p1", quantity: 40))), "POST /api/inventory/add", #""quantity":40"#),
        (AnyRequest(.data(Endpoints.profile)), "GET /api/users/profile", ""),
        (AnyRequest(.data(Endpoints.updateProfile, body: ProfileUpdate(preferences: .init(theme: "mono")))), "PUT /api/users/profile", #""theme":"mono""#),
        (AnyRequest(.data(Endpoints.addAddress, body: AddressInput(street: "9 Elm St"))), "POST /api/users/address", #""street":"9 Elm St""#),
        (AnyRequest(.data(Endpoints.updateAddress, "a1", body: AddressInput(isDefault: true))), "PUT /api/users/address/a1", #""isDefault":true"#),
        (AnyRequest(.call(Endpoints.deleteAddress, "a1")), "DELETE /api/users/address/a1", ""),
        (AnyRequest(.myProducts(ownerID: "v1")), "GET /api/products?page=1&limit=100&sort=newest&userId=v1", ""),
        (AnyRequest(.data(Endpoints.createProduct, body: lamp)), "POST /api/products", #""name":"Lamp""#),
        (AnyRequest(.data(Endpoints.updateProduct, "p1", body: lamp)), "PUT /api/products/p1", #""category":"Home""#),
        (AnyRequest(.call(Endpoints.deleteProduct, "p1")), "DELETE /api/products/p1", ""),
    ]

    @Test func everyRequestGoesToItsRouteWithItsBodyAndTheFailureKeepsItsCode() throws {
        let server = try RecordingServer()
        defer { server.stop() }
        let client = MarketplaceClient(baseURL: "http://127.0.0.1:\(server.port)")
        for (index, (request, line, body)) in Self.table.enumerated() {
            let reply = request.perform(on: client, token: "t0k")
            #expect(reply.error?.code == .internal, "\(request)")
            let sent = try #require(server.requests.count > index ? server.requests[index] : nil, "\(request) sent nothing")
            #expect(sent.line == line + " HTTP/1.1", "\(request)")
            #expect(body.isEmpty ? sent.body.isEmpty : sent.body.contains(body), "\(request) sent \(sent.body)")
            #expect(sent.headers.contains("Content-Type: application/json") == !body.isEmpty, "\(request)")
            let signsIn = line.hasPrefix("POST /api/auth/")
            #expect(sent.headers.contains("Authorization: Bearer t0k") == !signsIn, "\(request)")
        }
        #expect(server.requests.count == Self.table.count)
        let checkout = try #require(server.requests.first { $0.line.hasPrefix("POST /api/checkout") })
        #expect(checkout.headers.contains("Idempotency-Key: storefront-k1"))
        let cancel = try #require(server.requests.first { $0.line.hasPrefix("POST /api/orders/o1/cancel") })
        #expect(cancel.headers.contains("Idempotency-Key: storefront-cancel-k1"))
    }

    static let emptyCart = RecordingServer.reply("200 OK", #"{"success":true,"data":{"id":"c1","userId":"u1","items":[],"totalPrice":"0.00","updatedAt":"2026-01-01T00:00:00Z"}}"#)

    @Test func aNewQuantityIsTheLineRemovedThenAddedBackAndZeroOnlyRemovesIt() throws {
        let server = try RecordingServer(replies: [Self.emptyCart, Self.emptyCart, Self.emptyCart])
        defer { server.stop() }
        let client = MarketplaceClient(baseURL: "http://127.0.0.1:\(server.port)")
        #expect(client.perform(.setCartQuantity(productID: "p1", quantity: 3), token: "t0k").error == nil)
        #expect(server.requests.map(\.line) == ["DELETE /api/orders/cart/remove HTTP/1.1", "POST /api/orders/cart/add HTTP/1.1"])
        #expect(server.requests.last?.body.contains(#""quantity":3"#) == true)
        #expect(client.perform(.setCartQuantity(productID: "p1", quantity: 0), token: "t0k").error == nil)
        #expect(server.requests.count == 3, "0 removes the line and adds nothing back")
    }

    @Test func stockIsAskedAHundredIdsACallAndEveryIdIsAnswered() throws {
        let ids = (0..<150).map { "p\($0)" }
        let one = #"{"productId":"p7","quantity":40,"lowStockThreshold":10,"isLowStock":false,"lastUpdated":"2026-01-01T00:00:00Z"}"#
        let server = try RecordingServer(replies: [RecordingServer.reply("200 OK", #"{"success":true,"data":["# + one + "]}"),
                                                   RecordingServer.reply("200 OK", #"{"success":true,"data":[]}"#)])
        defer { server.stop() }
        let client = MarketplaceClient(baseURL: "http://127.0.0.1:\(server.port)")
        let levels = try client.perform(.stock(ids), token: nil).get()
        #expect(server.requests.count == 2)
        #expect(server.requests.first?.line.hasPrefix("GET /api/inventory?productIds=p0,p1,") == true)
        #expect(levels.count == 150 && levels["p7"]?.quantity == 40 && levels["p149"] == ProductStock(nil))
    }
}
