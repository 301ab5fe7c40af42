import Foundation
import MarketplaceAPI
import StorefrontCore
import Testing
@testable import StorefrontHTTP
#if canImport(Glibc)
import Glibc
#endif

/// A loopback HTTP/1.1 server that keeps connections open and counts those it
/// accepted; `closeAfter` answers that many requests on a connection and then
/// closes it without saying so first (as a server's idle timeout does).
final class KeepAliveServer: @unchecked Sendable {
    let port: Int
    private let fd: Int32
    private let lock = NSLock()
    private var accepted = 0
    private var answered = 0
    private let closeAfter: Int?

    static let health = #"{"status":"ok"}"#

    init(closeAfter: Int? = nil) throws {
        self.closeAfter = closeAfter
        guard let (fd, port) = SilentListener.unbound() else { throw POSIXError(.EADDRINUSE) }
        self.fd = fd
        self.port = port
        Thread { [self] in serve() }.start()
    }

    var connections: Int { lock.lock(); defer { lock.unlock() }; return accepted }
    var requests: Int { lock.lock(); defer { lock.unlock() }; return answered }

    func stop() { shutdown(fd, Int32(SHUT_RDWR)) }

    private func serve() {
        while true {
            let connection = accept(fd, nil, nil)
            guard connection >= 0 else { close(fd); return }
            lock.lock(); accepted += 1; lock.unlock()
            Thread { [self] in converse(connection) }.start()
        }
    }

    /// Requests on one connection, each answered, until the client closes it (or `closeAfter`).
    private func converse(_ connection: Int32) {
        defer { close(connection) }
        var pending = Data()
        var buffer = [UInt8](repeating: 0, count: 4096)
        var count = 0
        while true {
            guard let end = pending.range(of: Data("\r\n\r\n".utf8)) else {
                let got = recv(connection, &buffer, buffer.count, 0)
                if got <= 0 { return }
                pending.append(contentsOf: buffer[0..<got])
                continue
            }
            // Health checks carry no body.
            pending.removeSubrange(..<end.upperBound)
            let reply = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(Self.health.utf8.count)\r\n\r\n" + Self.health
            // Counted before it is sent: a client that has its answer finds it counted.
            lock.lock(); answered += 1; lock.unlock()
            _ = reply.withCString { send(connection, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
            count += 1
            if let closeAfter, count >= closeAfter { return }
        }
    }
}

/// The client keeps its connection to the server between requests and replaces
/// one the server closed without the caller seeing it.
@Suite("keep-alive")
struct KeepAliveTests {
    /// Twenty health requests from a new client of `server`: those that failed, by number.
    static func askTwenty(_ server: KeepAliveServer) -> [String] {
        let client = MarketplaceClient(baseURL: "http://127.0.0.1:\(server.port)")
        return (1...20).compactMap { index in
            client.perform(.call(Endpoints.health), token: nil).error.map { "request \(index): \($0)" }
        }
    }

    @Test func twentyRequestsOfOneClientGoOverOneConnection() throws {
        let server = try KeepAliveServer()
        defer { server.stop() }
        let failed = Self.askTwenty(server)
        #expect(failed.isEmpty, "\(failed)")
        #expect(server.requests == 20)
        #expect(server.connections == 1)
    }

    /// Two clients of one process (two test suites, say), each asking its own server at
    /// the same time: each server sees one connection, never the other client's handles.
    @Test func twoClientsAtOnceEachKeepTheirOwnConnection() async throws {
        let servers = [try KeepAliveServer(), try KeepAliveServer()]
        defer { servers.forEach { $0.stop() } }
        let failed = await withTaskGroup(of: [String].self) { group in
            for server in servers { group.addTask { Self.askTwenty(server) } }
            return await group.reduce(into: []) { $0 += $1 }
        }
        #expect(failed.isEmpty, "\(failed)")
        #expect(servers.map(\.requests) == [20, 20])
        #expect(servers.map(\.connections) == [1, 1])
    }

    @Test func aConnectionTheServerClosedIsReplacedAndEveryRequestAnswers() throws {
        let server = try KeepAliveServer(closeAfter: 10)
        defer { server.stop() }
        let failed = Self.askTwenty(server)
        #expect(failed.isEmpty, "\(failed)")
        #expect(server.requests == 20)
        #expect(server.connections == 2)
    }
}
