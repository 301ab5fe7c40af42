import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSH
import ServiceKit
import ServiceLifecycle

/// The marketplace's SSH door: `ssh -p 2222 shop` opens the terminal shop.
/// Public keys only (the library checks the signature before the key is looked
/// up); a key registered with an account signs its session in, any other is a
/// guest's. Each session runs `storefront --kiosk` on a pseudo-terminal of its
/// own. Commands, subsystems (sftp), forwarding, agents and X11 are refused.
public final class SSHServer: Service, Sendable {
    public struct Options: Sendable {
        public var settings: SSHSettings
        /// The terminal shop's binary.
        public var client: String
        /// The marketplace URL the shop talks to.
        public var shopURL: String
        /// Whether a port already taken stops the server (the operator asked for SSH)
        /// or only leaves the SSH door closed (on by default, nobody asked).
        public var required: Bool

        public init(settings: SSHSettings, client: String, shopURL: String, required: Bool) {
            self.settings = settings
            self.client = client
            self.shopURL = shopURL
            self.required = required
        }
    }

    let options: Options
    let hostKey: SSHHostKey
    let accounts: any SSHAccountDirectory
    let logger: Logger
    let admission: SSHAdmission
    let sessions = SessionRegistry()
    private let boundPort = NIOLockedValueBox<Int?>(nil)

    public init(options: Options, accounts: any SSHAccountDirectory, logger: Logger) throws {
        self.options = options
        self.accounts = accounts
        self.logger = logger
        let (key, created) = try SSHHostKey.loadOrCreate(at: options.settings.hostKeyFile)
        self.hostKey = key
        admission = SSHAdmission(maxSessions: options.settings.maxSessions, sessionsPerAddress: options.settings.sessionsPerAddress,
                                 connectionsPerSecond: options.settings.connectionsPerSecond)
        if created {
            logger.notice("made a new SSH host key", metadata: ["path": .string(options.settings.hostKeyFile), "fingerprint": .string(key.fingerprint)])
        }
    }

    /// The port the door listens on once running (the configured one, or the one given for 0).
    public var port: Int? { boundPort.withLockedValue { $0 } }
    public var fingerprint: String { hostKey.fingerprint }

    /// The `storefront` binary a session runs: the configured one, else one beside
    /// this server's binary, else the repository's debug build above it.
    public static func findClient(configured: String?, executable: String = CommandLine.arguments.first ?? "") -> String? {
        let files = FileManager.default
        if let configured { return configured }
        let binary = URL(fileURLWithPath: executable).resolvingSymlinksInPath()
        let beside = binary.deletingLastPathComponent().appendingPathComponent("storefront").path
        if files.isExecutableFile(atPath: beside) { return beside }
        var folder = binary.deletingLastPathComponent()
        while folder.path != "/" {
            let candidate = folder.appendingPathComponent(".build/debug/storefront").path
            if files.isExecutableFile(atPath: candidate) { return candidate }
            folder = folder.deletingLastPathComponent()
        }
        let here = URL(fileURLWithPath: files.currentDirectoryPath).appendingPathComponent(".build/debug/storefront").path
        return files.isExecutableFile(atPath: here) ? here : nil
    }

    public func run() async throws {
        let settings = options.settings
        let group = MultiThreadedEventLoopGroup.singleton
        let connections = ConnectionRegistry()
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(ChannelOptions.backlog, value: 256)
            .childChannelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { [self] channel in
                self.initialize(connection: channel, registry: connections)
            }
        let server: Channel
        do {
            server = try await bootstrap.bind(host: settings.host, port: settings.port).get()
        } catch {
            if options.required {
                await accounts.shutdown()
                throw error
            }
            logger.error("the SSH door cannot listen; the shop runs without it (STOREFRONT_SSH=off silences this)", metadata: [
                "address": .string("\(settings.host):\(settings.port)"), "error": .string("\(error)")])
            try? await gracefulShutdown()
            await accounts.shutdown()
            return
        }
        let port = server.localAddress?.port ?? settings.port
        boundPort.withLockedValue { $0 = port }
        logger.notice("ssh listening", metadata: [
            "address": .string("\(settings.host):\(port)"), "fingerprint": .string(hostKey.fingerprint),
            "client": .string(options.client), "shop": .string(options.shopURL)])

        try? await gracefulShutdown()

        // Draining: no new connection; every session is told and its shop ended.
        try? await server.close()
        let open = sessions.all()
        logger.notice("ssh draining", metadata: ["sessions": .stringConvertible(open.count)])
        let drained = open.map { $0.drain(within: settings.drain) }
        for future in drained { try? await future.get() }
        // What is left: connections still signing in, or without a session.
        for connection in connections.all() { try? await connection.close() }
        await accounts.shutdown()
        logger.notice("ssh stopped")
    }

    /// One TCP connection: its rate, the SSH handler, and the authentication deadline.
    private func initialize(connection channel: Channel, registry: ConnectionRegistry) -> EventLoopFuture<Void> {
        let address = channel.remoteAddress?.ipAddress ?? "unknown"
        guard admission.admitConnection(from: address) else {
            SSHMetrics.refused("connection_rate")
            logger.warning("ssh connection refused: too many new connections from one address", metadata: ["address": .string(address)])
            // Lines before the version string are allowed by the protocol; then close.
            return channel.pipeline.addHandler(RefuseWithLine("Too many new connections from your address: wait a few seconds and connect again."))
        }
        registry.add(channel)
        channel.closeFuture.whenComplete { _ in registry.remove(channel) }
        let peer = SSHPeer(address: address)
        let authenticator = SSHAuthenticator(peer: peer, accounts: accounts, logger: logger)
        var configuration = SSHServerConfiguration(hostKeys: [hostKey.sshKey], userAuthDelegate: authenticator,
                                                   globalRequestDelegate: RefuseForwarding(peer: peer, logger: logger))
        configuration.maxAuthAttempts = options.settings.authenticationAttempts
        let handler = NIOSSHHandler(role: .server(configuration), allocator: channel.allocator) { [self] child, type in
            self.initialize(child: child, type: type, peer: peer)
        }
        let timeout = options.settings.authenticationTimeout
        let deadline = channel.eventLoop.scheduleTask(in: .nanoseconds(Int64(timeout.components.seconds) * 1_000_000_000)) { [logger] in
            if !peer.authenticated {
                SSHMetrics.refused("authentication_timeout")
                logger.info("ssh connection closed: not authenticated in time", metadata: ["address": .string(address)])
                channel.close(promise: nil)
            }
        }
        channel.closeFuture.whenComplete { _ in
            deadline.cancel()
            if !peer.authenticated { SSHMetrics.authentication("failed") }
        }
        return channel.pipeline.addHandlers([handler, ConnectionErrorHandler(logger: logger, address: address)])
    }

    /// A channel the client opens: sessions only; `-L` forwarding and the like are refused.
    private func initialize(child: Channel, type: SSHChannelType, peer: SSHPeer) -> EventLoopFuture<Void> {
        guard case .session = type else {
            SSHMetrics.refused("forwarding")
            logger.info("ssh channel refused", metadata: ["address": .string(peer.address), "type": .string("\(type)")])
            return child.eventLoop.makeFailedFuture(SSHRefusal.forwarding)
        }
        let session = SSHSession(server: self, peer: peer)
        return child.setOption(ChannelOptions.allowRemoteHalfClosure, value: true).flatMap {
            child.pipeline.addHandler(session)
        }
    }
}

enum SSHRefusal: Error {
    case forwarding
}

/// What one connection proved: its address, and after authentication its key and account.
final class SSHPeer: @unchecked Sendable {
    let address: String
    private let lock = NIOLock()
    private var _authenticated = false
    private var _fingerprint = ""
    private var _publicKey = ""
    private var _userId: String?
    private var _token: String?

    init(address: String) {
        self.address = address
    }

    var authenticated: Bool { lock.withLock { _authenticated } }
    var fingerprint: String { lock.withLock { _fingerprint } }
    var publicKey: String { lock.withLock { _publicKey } }
    var userId: String? { lock.withLock { _userId } }
    var token: String? { lock.withLock { _token } }

    func signedIn(fingerprint: String, publicKey: String, userId: String?, token: String?) {
        lock.withLock {
            _authenticated = true
            _fingerprint = fingerprint
            _publicKey = publicKey
            _userId = userId
            _token = token
        }
    }
}

/// Public keys only. The "none" request every client sends first is refused so
/// it offers its keys; a verified key is looked up: an account's signs in, any
/// other is a guest's.
final class SSHAuthenticator: NIOSSHServerUserAuthenticationDelegate, @unchecked Sendable {
    let peer: SSHPeer
    let accounts: any SSHAccountDirectory
    let logger: Logger

    init(peer: SSHPeer, accounts: any SSHAccountDirectory, logger: Logger) {
        self.peer = peer
        self.accounts = accounts
        self.logger = logger
    }

    var supportedAuthenticationMethods: NIOSSHAvailableUserAuthenticationMethods { .publicKey }

    func requestReceived(request: NIOSSHUserAuthenticationRequest, responsePromise: EventLoopPromise<NIOSSHUserAuthenticationOutcome>) {
        guard case .publicKey(let offer) = request.request else {
            responsePromise.succeed(.failure)
            return
        }
        let fingerprint = KeyFingerprint.of(offer.publicKey)
        let line = String(openSSHPublicKey: offer.publicKey)
        let peer = peer, accounts = accounts, logger = logger
        responsePromise.completeWithTask {
            var userId: String?
            var token: String?
            do {
                if let account = try await accounts.account(fingerprint: fingerprint) {
                    token = try await accounts.sessionToken(userId: account)
                    userId = account
                }
            } catch {
                // The account cannot be reached now: the shop opens as a guest's rather than not at all.
                logger.warning("ssh key lookup failed; the session starts as a guest", metadata: [
                    "fingerprint": .string(fingerprint), "address": .string(peer.address), "error": .string("\(error)")])
            }
            peer.signedIn(fingerprint: fingerprint, publicKey: line, userId: userId, token: token)
            SSHMetrics.authentication(userId == nil ? "guest" : "account")
            return .success
        }
    }
}

/// `ssh -R`: no port is opened for a client.
struct RefuseForwarding: GlobalRequestDelegate {
    let peer: SSHPeer
    let logger: Logger

    func tcpForwardingRequest(_ request: GlobalRequest.TCPForwardingRequest, handler: NIOSSHHandler,
                              promise: EventLoopPromise<GlobalRequest.TCPForwardingResponse>) {
        SSHMetrics.refused("forwarding")
        logger.info("ssh remote forwarding refused", metadata: ["address": .string(peer.address)])
        promise.fail(SSHRefusal.forwarding)
    }
}

/// Closes a connection on a protocol error (logged at debug: scanners make many).
final class ConnectionErrorHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = Any
    let logger: Logger
    let address: String

    init(logger: Logger, address: String) {
        self.logger = logger
        self.address = address
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        logger.debug("ssh connection error", metadata: ["address": .string(address), "error": .string("\(error)")])
        context.close(promise: nil)
    }
}

/// Says one line as the connection opens, then closes it.
final class RefuseWithLine: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    let line: String

    init(_ line: String) {
        self.line = line
    }

    func channelActive(context: ChannelHandlerContext) {
        let channel = context.channel
        channel.writeAndFlush(channel.allocator.buffer(string: line + "\r\n")).whenComplete { _ in channel.close(promise: nil) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}
}

/// The open connections, closed at the end of a drain.
final class ConnectionRegistry: Sendable {
    private let channels = NIOLockedValueBox<[ObjectIdentifier: Channel]>([:])
    func add(_ channel: Channel) { channels.withLockedValue { $0[ObjectIdentifier(channel)] = channel } }
    func remove(_ channel: Channel) { _ = channels.withLockedValue { $0.removeValue(forKey: ObjectIdentifier(channel)) } }
    func all() -> [Channel] { channels.withLockedValue { Array($0.values) } }
}

/// The sessions running a shop, told of a shutdown.
final class SessionRegistry: Sendable {
    private let sessions = NIOLockedValueBox<[ObjectIdentifier: SSHSession]>([:])
    func add(_ session: SSHSession) { sessions.withLockedValue { $0[ObjectIdentifier(session)] = session } }
    func remove(_ session: SSHSession) { _ = sessions.withLockedValue { $0.removeValue(forKey: ObjectIdentifier(session)) } }
    func all() -> [SSHSession] { sessions.withLockedValue { Array($0.values) } }
}
