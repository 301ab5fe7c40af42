import Foundation
import HummingbirdCore
import Logging
import MarketplaceAPI
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTPTypes
import ServiceKit

/// What one client may hold of the HTTP server's connections, and for how long.
public struct ConnectionLimits: Sendable, Equatable {
    /// From a request's first byte to the end of its headers; past it the request
    /// answers 408 and the connection closes (a client sending half a request and
    /// nothing more holds a connection no longer than this).
    public var headerTimeout: Duration = .seconds(10)
    /// A kept-alive connection with no request this long is closed.
    public var idleTimeout: Duration = .seconds(30)
    /// Connections open at once per peer address; past it a new one answers 429
    /// and closes. Trusted proxies (the gateway, kiosk hosts) carry many clients'
    /// requests each and are not counted. nil: no cap.
    public var perAddress: Int? = 128

    public init() {}
}

/// Counts the open connections of each peer address, for the per-address cap.
public final class ConnectionCounts: Sendable {
    private let counts = NIOLockedValueBox([String: Int]())

    public init() {}

    /// Takes a place for `address`; false when it already holds `limit`.
    func open(_ address: String, limit: Int) -> Bool {
        counts.withLockedValue { counts in
            let held = counts[address, default: 0]
            guard held < limit else { return false }
            counts[address] = held + 1
            return true
        }
    }

    func close(_ address: String) {
        counts.withLockedValue { counts in
            let held = counts[address, default: 1] - 1
            counts[address] = held > 0 ? held : nil
        }
    }
}

/// The HTTP/1.1 server with the connection limits: `ConnectionGuardHandler`
/// first in the pipeline (after TLS, so it sees the plain request), then
/// Hummingbird's HTTP/1.1 channel with the idle timeout and a watcher that tells
/// the guard when a request's headers are complete and its answer is sent.
struct GuardedHTTP1Channel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value
    let base: HTTP1Channel
    let limits: ConnectionLimits
    let proxies: TrustedProxies
    let counts: ConnectionCounts

    init(responder: @escaping HTTPChannelHandler.Responder, limits: ConnectionLimits, proxies: TrustedProxies, counts: ConnectionCounts) {
        self.base = HTTP1Channel(responder: responder, configuration: .init(
            additionalChannelHandlers: [RequestHeadWatcher()],
            idleTimeout: limits.idleTimeout.timeAmount))
        self.limits = limits
        self.proxies = proxies
        self.counts = counts
    }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            let peer = channel.remoteAddress?.ipAddress ?? "unknown"
            let cap = proxies.trusts(peer) ? nil : limits.perAddress
            try channel.pipeline.syncOperations.addHandler(
                ConnectionGuardHandler(peer: peer, cap: cap, headerTimeout: limits.headerTimeout, counts: counts, logger: logger))
        }.flatMap {
            base.setup(channel: channel, logger: logger)
        }
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}

extension GuardedHTTP1Channel: HTTPChannelHandler {
    var responder: HTTPChannelHandler.Responder { base.responder }
}

/// Raw bytes in: counts the connection against its address, and closes a request
/// whose headers do not arrive within the header timeout with a 408 in the API's
/// error envelope. Told by `RequestHeadWatcher` when headers are complete and
/// when an answer has gone out.
final class ConnectionGuardHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private enum Phase: Equatable {
        /// No request begun since the last answer (kept alive, or new).
        case idle
        /// Bytes of a request have come since `since`; its headers have not all.
        case readingHead(since: NIODeadline)
        /// The headers are in: the body and the answer are the server's business.
        case inRequest
        case closed
    }

    private let peer: String
    private let cap: Int?
    private let headerTimeout: Duration
    private let counts: ConnectionCounts
    private let logger: Logger
    private var phase = Phase.idle
    private var counted = false
    /// At most one per connection, not one per request: it is scheduled when a
    /// request begins and none is pending, and when it fires it looks at the
    /// request being read then, waiting on for a later one (a kept-alive
    /// connection's requests cost no timer each).
    private var timer: Scheduled<Void>?

    init(peer: String, cap: Int?, headerTimeout: Duration, counts: ConnectionCounts, logger: Logger) {
        self.peer = peer
        self.cap = cap
        self.headerTimeout = headerTimeout
        self.counts = counts
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { admit(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        admit(context: context)
        context.fireChannelActive()
    }

    private func admit(context: ChannelHandlerContext) {
        guard !counted, phase != .closed else { return }
        guard let cap else { return }
        if counts.open(peer, limit: cap) {
            counted = true
            return
        }
        logger.warning("connection refused: too many from one address", metadata: ["peer": .string(peer), "limit": .stringConvertible(cap)])
        refuse(context: context, status: "429 Too Many Requests", code: .rateLimited,
               message: "Too many connections from this address (at most \(cap)); close some and try again", extra: "Retry-After: 1\r\n")
    }

    func channelInactive(context: ChannelHandlerContext) {
        phase = .closed
        letGo()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        letGo()
    }

    /// Stops the header timer and gives the connection's place back.
    private func letGo() {
        timer?.cancel()
        timer = nil
        if counted {
            counted = false
            counts.close(peer)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch phase {
        case .closed:
            return
        case .idle:
            let now = NIODeadline.now()
            phase = .readingHead(since: now)
            if timer == nil { checkHead(context: context, at: now + headerTimeout.timeAmount) }
        case .readingHead, .inRequest:
            break
        }
        context.fireChannelRead(data)
    }

    /// At `deadline`, closes the connection if the request then being read began a
    /// header timeout ago; waits for a later one's deadline; stops when none is read.
    private func checkHead(context: ChannelHandlerContext, at deadline: NIODeadline) {
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [self] in
            timer = nil
            guard case .readingHead(let since) = phase else { return }
            let due = since + headerTimeout.timeAmount
            guard NIODeadline.now() >= due else { return checkHead(context: context, at: due) }
            logger.info("request headers not received in time; connection closed", metadata: ["peer": .string(peer)])
            refuse(context: context, status: "408 Request Timeout", code: .malformedRequest,
                   message: "The request's headers did not arrive within \(headerTimeout.components.seconds) s", extra: "")
        }
    }

    /// The headers of the request being read are complete.
    func headReceived() {
        guard phase != .closed else { return }
        phase = .inRequest
    }

    /// An answer has been sent: the next bytes begin another request.
    func answerSent() {
        guard phase == .inRequest else { return }
        phase = .idle
    }

    /// Answers with a bare HTTP/1.1 response in the error envelope, then closes.
    private func refuse(context: ChannelHandlerContext, status: String, code: ErrorCode, message: String, extra: String) {
        phase = .closed
        timer?.cancel()
        timer = nil
        let body = ((try? JSONEncoder().encode(ErrorEnvelope(code: code, message: message))) ?? Data()) + Data("\n".utf8)
        let head = "HTTP/1.1 \(status)\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\n\(extra)Connection: close\r\n\r\n"
        var buffer = context.channel.allocator.buffer(string: head)
        buffer.writeBytes(body)
        context.writeAndFlush(wrapOutboundOut(buffer)).whenComplete { _ in context.close(promise: nil) }
    }
}

/// After HTTP decoding: tells the connection's guard when a request's headers are
/// complete and when its answer has been written.
final class RequestHeadWatcher: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private var guardHandler: ConnectionGuardHandler?

    func handlerAdded(context: ChannelHandlerContext) {
        guardHandler = try? context.pipeline.syncOperations.handler(type: ConnectionGuardHandler.self)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) { guardHandler?.headReceived() }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { guardHandler?.answerSent() }
        context.write(data, promise: promise)
    }
}
