import Foundation
import Logging
import MarketplaceAPI
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import ProductService
import ServiceKit
import Testing

/// A peer that accepts connections and never answers: what a hung service looks like.
/// It counts the requests it was sent (a connection that carried bytes; with no answer,
/// a connection carries one request), not the connections, which a pool may open ahead.
final class SilentPeer: Sendable {
    let channel: any Channel
    private let sent: NIOLockedValueBox<Int>

    var port: Int { channel.localAddress!.port! }
    var requests: Int { sent.withLockedValue { $0 } }

    private init(channel: any Channel, sent: NIOLockedValueBox<Int>) {
        self.channel = channel
        self.sent = sent
    }

    /// Counts its connection once, at its first bytes; answers nothing.
    private final class RequestCounter: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        private let sent: NIOLockedValueBox<Int>
        private let counted = NIOLockedValueBox(false)
        init(sent: NIOLockedValueBox<Int>) { self.sent = sent }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let first = counted.withLockedValue { seen in
                defer { seen = true }
                return !seen
            }
            guard first else { return }
            sent.withLockedValue { $0 += 1 }
        }
    }

    static func start() async throws -> SilentPeer {
        let sent = NIOLockedValueBox(0)
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 64)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(RequestCounter(sent: sent)) }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return SilentPeer(channel: channel, sent: sent)
    }

    func stop() async {
        try? await channel.close()
    }
}

@Suite("Calls between services") struct ServiceClientTests {
    static func client(port: Int, timeout: Duration = .seconds(1), connections: PeerConnections) async throws -> ServiceHTTPClient {
        ServiceHTTPClient(
            service: "inventory", baseURL: "http://127.0.0.1:\(port)", connections: connections,
            credential: ServiceCredential(tokens: try await TestStores.tokens(), name: "checkout"),
            timeout: timeout, attempts: 3, logger: TestStores.logger)
    }

    /// A count read once it has stopped changing for half a second (requests arrive asynchronously).
    static func settled(_ read: @Sendable () -> Int) async -> Int {
        var last = read()
        for _ in 0..<20 {
            try? await Task.sleep(for: .milliseconds(500))
            let now = read()
            if now == last { return now }
            last = now
        }
        return last
    }

    @Test func aHungPeerIsGivenUpOnAfterTheDeadlineAndOnlyIdempotentCallsAreRetried() async throws {
        let peer = try await SilentPeer.start()
        let connections = PeerConnections()
        defer { Task { try? await connections.http.shutdown(); await peer.stop() } }
        let client = try await Self.client(port: peer.port, connections: connections)

        let start = ContinuousClock.now
        await #expect(throws: ServiceUnavailable.self) {
            _ = try await client.call(Endpoints.releaseStock, body: ReleaseStockRequest(orderId: UUID().uuidString), retry: .idempotent)
        }
        let idempotentTook = ContinuousClock.now - start
        // Three attempts of 1 s each plus 100 ms and 200 ms of backoff, then it stops
        // (the upper bound only says it does stop; the suite may share the machine).
        #expect(idempotentTook >= .milliseconds(3_300) && idempotentTook < .seconds(20), "took \(idempotentTook)")
        let retried = await Self.settled { peer.requests }
        #expect(retried == 3, "sent \(retried) times")

        await #expect(throws: ServiceUnavailable.self) {
            _ = try await client.call(Endpoints.restoreCart, "x", retry: .never)
        }
        let sent = await Self.settled { peer.requests }
        #expect(sent == 4, "a call that is not safe to repeat is sent once: \(sent) requests in all")
    }

    @Test func aClosedPortIsUnavailableWithoutWaitingOutTheDeadline() async throws {
        let peer = try await SilentPeer.start()
        let port = peer.port
        await peer.stop()
        let connections = PeerConnections()
        defer { Task { try? await connections.http.shutdown() } }
        let client = try await Self.client(port: port, timeout: .seconds(5), connections: connections)
        let start = ContinuousClock.now
        await #expect(throws: ServiceUnavailable.self) {
            _ = try await client.call(Endpoints.product, "abc", retry: .idempotent)
        }
        // A refused connection ends its attempt at once, rather than being retried until the 5 s deadline.
        #expect(ContinuousClock.now - start < .seconds(5))
        let catalog = HTTPProductCatalog(client: client)
        await #expect(throws: ServiceUnavailable.self) { _ = try await catalog.product(id: "abc") }
    }

    @Test func aServiceCredentialIsSignedWithTheServiceSecretAndReused() async throws {
        let tokens = try await TestStores.tokens()
        let credential = ServiceCredential(tokens: tokens, name: "checkout")
        let first = try await credential.token()
        #expect(try await credential.token() == first)
        #expect(try await tokens.verify(first) == .service(name: "checkout"))
    }

    @Test func workRunToCompletionOutlivesAWaiterThatGaveUp() async throws {
        let finished = NIOLockedValueBox(false)
        let waiter = Task {
            try await runToCompletion {
                try await Task.sleep(for: .milliseconds(600))
                finished.withLockedValue { $0 = true }
                return 42
            }
        }
        try await Task.sleep(for: .milliseconds(100))
        waiter.cancel()
        await #expect(throws: CancellationError.self) { _ = try await waiter.value }
        #expect(finished.withLockedValue { $0 } == false, "the waiter stopped before the work ended")
        try await Task.sleep(for: .milliseconds(1_000))
        #expect(finished.withLockedValue { $0 } == true, "the work went on to its end")
        #expect(try await runToCompletion { 7 } == 7)
    }
}

/// What a failed call to another service means for the caller: a refusal that
/// asking again cannot change is settled at once; anything else is an outage.
@Suite("Peer failures") struct PeerFailureTests {
    static func reply(_ status: Int, _ code: ErrorCode?) -> ServiceReply {
        let body = code.map { #"{"success":false,"code":"\#($0.rawValue)","message":"no","errors":[]}"# } ?? "<html>"
        return ServiceReply(status: status, body: ByteBuffer(string: body))
    }

    @Test func refusalsArePermanentAndOutagesAreNot() {
        #expect(Self.reply(409, .orderAlreadyPaid).unexpected(from: "payments") as? PeerRefused
                == PeerRefused(service: "payments", code: .orderAlreadyPaid, message: "no"))
        #expect(Self.reply(400, .validationFailed).unexpected(from: "payments") is PeerRefused)
        #expect(Self.reply(404, nil).unexpected(from: "orders") is PeerRefused, "a bare 404 reads as not_found")
        #expect(Self.reply(429, .rateLimited).unexpected(from: "orders") is ServiceUnavailable)
        #expect(Self.reply(409, .checkoutInProgress).unexpected(from: "checkout") is ServiceUnavailable)
        #expect(Self.reply(500, .internal).unexpected(from: "orders") is ServiceUnavailable)
        #expect(Self.reply(500, nil).unexpected(from: "orders") is ServiceUnavailable)
    }

    @Test func aServiceInTheSameProcessFailsTheSameWay() {
        #expect(peerFailure("orders", AppError.conflict("taken", code: .illegalTransition)) as? PeerRefused
                == PeerRefused(service: "orders", code: .illegalTransition, message: "taken"))
        #expect(peerFailure("orders", AppError.unavailable("down")) is ServiceUnavailable)
        #expect(peerFailure("orders", CancellationError()) is ServiceUnavailable)
    }
}
