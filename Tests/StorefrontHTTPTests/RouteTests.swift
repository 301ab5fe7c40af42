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

@Suite("HTTP client routes")
struct RouteTests {
    /// A request, the request line it must send, and a part of the JSON body it must carry ("" for none).
    static let table: [(APIRequest, String, String)] = [
        (.health, "GET /health", ""),
        (.login(email: "ann@example.com", password: "secret1"), "POST /api/auth/login", #""email":"ann@example.com""#),
        (.register(name: "Ann", email: "ann@example.com", password: "secret1", role: .vendor), "POST /api/auth/register", #""role":"vendor""#),
        (.products(ProductQuery(page: 2, search: "tea pot")), "GET /api/products?page=2&limit=20&sort=newest&q=tea%20pot", ""),
        (.product(id: "p 1/2"), "GET /api/products/p%201%2F2", ""),
        (.stock(productIDs: ["p1"]), "GET /api/inventory?productIds=p1", ""),
        (.cart, "GET /api/orders/cart", ""),
        (.addToCart(productID: "p1", quantity: 2), "POST /api/orders/cart/add", #""quantity":2"#),
        (.setCartQuantity(productID: "p1", quantity: 3), "DELETE /api/orders/cart/remove", #""productId":"p1""#),
        (.removeFromCart(productID: "p1"), "DELETE /api/orders/cart/remove", #""productId":"p1""#),
        (.clearCart, "DELETE /api/orders/cart/clear", ""),
        (.addresses, "GET /api/users/addresses", ""),
        (.checkout(address: ShippingAddress(street: "1 Rue Neuve", city: "Lyon", zip: "69001", country: "France"), paymentMethod: "tok_visa",
                   idempotencyKey: "storefront-k1"), "POST /api/checkout", #""paymentMethod":"tok_visa""#),
        (.orders(page: 3), "GET /api/orders?page=3&limit=50", ""),
        (.order(id: "o1"), "GET /api/orders/o1", ""),
        (.lowStock(page: 2), "GET /api/inventory/status/low-stock?page=2&limit=100", ""),
        (.productsByID(["p9"]), "GET /api/products?limit=100&ids=p9", ""),
        (.addStock(productID: "p1", quantity: 40), "POST /api/inventory/add", #""quantity":40"#),
        (.profile, "GET /api/users/profile", ""),
        (.updateProfile(ProfileChange(theme: "mono")), "PUT /api/users/profile", #""theme":"mono""#),
        (.addAddress(AddressInput(street: "9 Elm St")), "POST /api/users/address", #""street":"9 Elm St""#),
        (.updateAddress(id: "a1", AddressInput(isDefault: true)), "PUT /api/users/address/a1", #""isDefault":true"#),
        (.deleteAddress(id: "a1"), "DELETE /api/users/address/a1", ""),
        (.myProducts(ownerID: "v1"), "GET /api/products?page=1&limit=100&sort=newest&userId=v1", ""),
        (.createProduct(ProductDraft(name: "Lamp", description: "Brass", price: Money("12.50")!, category: "Home", images: [])),
         "POST /api/products", #""name":"Lamp""#),
        (.updateProduct(id: "p1", ProductDraft(name: "Lamp", description: "Brass", price: Money("12.50")!, category: "Home", images: [])),
         "PUT /api/products/p1", #""category":"Home""#),
        (.deleteProduct(id: "p1"), "DELETE /api/products/p1", ""),
    ]

    @Test func everyRequestGoesToItsRouteWithItsBodyAndTheFailureKeepsItsCode() throws {
        let server = try RecordingServer()
        defer { server.stop() }
        let client = MarketplaceClient(baseURL: "http://127.0.0.1:\(server.port)")
        for (index, (request, line, body)) in Self.table.enumerated() {
            let reply = client.perform(request, token: "t0k")
            #expect(reply.error?.code == .internal, "\(request)")
            let sent = try #require(server.requests.count > index ? server.requests[index] : nil, "\(request) sent nothing")
            #expect(sent.line == line + " HTTP/1.1", "\(request)")
            #expect(body.isEmpty ? sent.body.isEmpty : sent.body.contains(body), "\(request) sent \(sent.body)")
            #expect(sent.headers.contains("Content-Type: application/json") == !body.isEmpty, "\(request)")
            let signsIn = if case .login = request { true } else if case .register = request { true } else { false }
            #expect(sent.headers.contains("Authorization: Bearer t0k") == !signsIn, "\(request)")
        }
        #expect(server.requests.count == Self.table.count)
        let checkout = try #require(server.requests.first { $0.line.hasPrefix("POST /api/checkout") })
        #expect(checkout.headers.contains("Idempotency-Key: storefront-k1"))
    }
}
