import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSH
#if canImport(Glibc)
import Glibc
#endif

/// One SSH session channel: a pseudo-terminal request, then a shell request that
/// starts the shop on that terminal; bytes pumped both ways; the shop's exit
/// status sent when it ends. When the connection goes, the shop is ended and
/// reaped. Commands and subsystems are answered with a line and exit status 1.
/// All state lives on the channel's event loop.
final class SSHSession: ChannelDuplexHandler, @unchecked Sendable {
    typealias InboundIn = SSHChannelData
    typealias OutboundIn = SSHChannelData
    typealias OutboundOut = SSHChannelData

    /// The variables a client may set (`SendEnv`/`SetEnv`); others are ignored.
    static func acceptsVariable(_ name: String) -> Bool {
        ["TERM", "LANG", "COLORTERM", "NO_COLOR"].contains(name) || name.hasPrefix("LC_")
    }

    private let server: SSHServer
    private let peer: SSHPeer
    private var logger: Logger
    private let id = UUID().uuidString.prefix(8).lowercased()
    private var context: ChannelHandlerContext?
    private var loop: EventLoop?
    private var terminal: (term: String, columns: Int, rows: Int)?
    private var environment: [String: String] = [:]
    private var process: TerminalProcess?
    private var pty: Channel?
    private var exitStatus: Int?
    private var ptyClosed = false
    private var finished = false
    private var started: ContinuousClock.Instant?
    private var holdsPlace = false
    private var draining = false
    private var drainPromise: EventLoopPromise<Void>?

    init(server: SSHServer, peer: SSHPeer) {
        self.server = server
        self.peer = peer
        self.logger = server.logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        self.loop = context.eventLoop
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        switch event {
        case let request as SSHChannelRequestEvent.PseudoTerminalRequest:
            terminal = (request.term, request.terminalCharacterWidth, request.terminalRowHeight)
            reply(request.wantReply, true, context: context)
        case let request as SSHChannelRequestEvent.EnvironmentRequest:
            let accepted = Self.acceptsVariable(request.name)
            if accepted { environment[request.name] = request.value }
            reply(request.wantReply, accepted, context: context)
        case let request as SSHChannelRequestEvent.WindowChangeRequest:
            terminal?.columns = request.terminalCharacterWidth
            terminal?.rows = request.terminalRowHeight
            if let process, !finished { TerminalProcess.resize(process.master, columns: request.terminalCharacterWidth, rows: request.terminalRowHeight) }
        case let request as SSHChannelRequestEvent.ShellRequest:
            reply(request.wantReply, true, context: context)
            startShop(context: context)
        case let request as SSHChannelRequestEvent.ExecRequest:
            reply(request.wantReply, true, context: context)
            SSHMetrics.refused("exec")
            logger.info("ssh command refused", metadata: ["address": .string(peer.address), "fingerprint": .string(peer.fingerprint)])
            refuse("This is the Storefront shop: it runs no commands. Connect without one: ssh -p \(server.port ?? 2222) <host>", context: context)
        case let request as SSHChannelRequestEvent.SubsystemRequest:
            reply(request.wantReply, true, context: context)
            SSHMetrics.refused("subsystem")
            logger.info("ssh subsystem refused", metadata: ["address": .string(peer.address), "subsystem": .string(request.subsystem)])
            refuse("This is the Storefront shop: no \(request.subsystem), no file transfer.", context: context)
        case let event as ChannelEvent where event == .inputClosed:
            // The client sent EOF; the shop keeps its terminal until it ends or the connection goes.
            break
        default:
            context.fireUserInboundEventTriggered(event)
        }
    }

    private func reply(_ wanted: Bool, _ success: Bool, context: ChannelHandlerContext) {
        guard wanted else { return }
        context.triggerUserOutboundEvent(success ? ChannelSuccessEvent() as Any : ChannelFailureEvent() as Any, promise: nil)
    }

    /// A line on the client's error stream, exit status 1, and the channel closed.
    private func refuse(_ line: String, context: ChannelHandlerContext) {
        guard !finished else { return }
        finished = true
        let text = context.channel.allocator.buffer(string: line + "\r\n")
        context.writeAndFlush(wrapOutboundOut(SSHChannelData(type: .stdErr, data: .byteBuffer(text))), promise: nil)
        sendExitStatusAndClose(1, context: context)
    }

    /// The exit status, then the close once the status is on its way (a close
    /// racing it would leave `ssh` without a status: 255).
    private func sendExitStatusAndClose(_ status: Int, context: ChannelHandlerContext) {
        let sent = context.eventLoop.makePromise(of: Void.self)
        context.triggerUserOutboundEvent(SSHChannelRequestEvent.ExitStatus(exitStatus: status), promise: sent)
        let channel = context.channel
        sent.futureResult.whenComplete { _ in channel.close(promise: nil) }
    }

    private func say(_ line: String, context: ChannelHandlerContext) {
        let text = context.channel.allocator.buffer(string: line + "\r\n")
        context.writeAndFlush(wrapOutboundOut(SSHChannelData(type: .channel, data: .byteBuffer(text))), promise: nil)
    }

    private func startShop(context: ChannelHandlerContext) {
        guard process == nil, !finished else { return }
        guard let terminal else {
            SSHMetrics.refused("no_terminal")
            refuse("The Storefront shop needs a terminal: connect with ssh -t.", context: context)
            return
        }
        if let refusal = server.admission.openSession(from: peer.address) {
            SSHMetrics.refused(refusal == .full ? "sessions" : "sessions_per_address")
            logger.warning("ssh session refused", metadata: ["address": .string(peer.address), "limit": .string(refusal.rawValue)])
            let line = refusal == .full
                ? "The shop is full right now (\(server.admission.maxSessions) sessions): please try again in a few minutes."
                : "Too many sessions from your address (\(server.admission.sessionsPerAddress) at most): close one and connect again."
            refuse(line, context: context)
            return
        }
        holdsPlace = true
        var env: [String: String] = ["TERM": terminal.term.isEmpty ? "xterm-256color" : terminal.term]
        for (name, value) in environment where name != "TERM" { env[name] = value }
        if env["LANG"] == nil && !env.keys.contains(where: { $0.hasPrefix("LC_") }) { env["LANG"] = "C.UTF-8" }
        env["STOREFRONT_CLIENT_ADDRESS"] = peer.address
        env["STOREFRONT_SSH_FINGERPRINT"] = peer.fingerprint
        env["STOREFRONT_SSH_PUBLIC_KEY"] = peer.publicKey
        if let token = peer.token { env["STOREFRONT_SESSION_TOKEN"] = token }
        if let folder = server.options.settings.traceDirectory { env["STOREFRONT_TRACE"] = folder + "/trace-%p" }
        let options = server.options
        let process: TerminalProcess
        do {
            process = try TerminalProcess(executable: options.client, arguments: ["--kiosk", "--server", options.shopURL],
                                          environment: env, columns: terminal.columns, rows: terminal.rows)
        } catch {
            logger.error("ssh session could not start the shop", metadata: ["client": .string(options.client), "error": .string("\(error)")])
            releasePlace()
            refuse("The shop cannot open right now: please try again later.", context: context)
            return
        }
        self.process = process
        started = .now
        server.sessions.add(self)
        SSHMetrics.sessionsStarted.increment()
        SSHMetrics.sessionsOpen.record(server.admission.openSessions)
        logger[metadataKey: "session"] = .string(String(id))
        logger[metadataKey: "address"] = .string(peer.address)
        logger[metadataKey: "fingerprint"] = .string(peer.fingerprint)
        logger[metadataKey: "account"] = .string(peer.userId ?? "guest")
        logger.info("ssh session started", metadata: ["pid": .stringConvertible(process.pid), "term": .string(terminal.term)])

        // Reaped on a thread of its own, whatever ends it.
        let loop = context.eventLoop
        let thread = Thread { [self] in
            let status = process.waitForExit()
            loop.execute { self.processEnded(status: status) }
        }
        thread.start()

        NIOPipeBootstrap(group: loop)
            .channelInitializer { [self] channel in
                channel.pipeline.addHandler(TerminalReader(session: self))
            }
            .takingOwnershipOfDescriptor(inputOutput: process.master)
            .whenComplete { [self] result in
                switch result {
                case .success(let channel):
                    self.pty = channel
                    if finished { channel.close(promise: nil) }
                case .failure(let error):
                    logger.error("ssh session terminal failed", metadata: ["error": .string("\(error)")])
                    process.signal(SIGKILL)
                    Glibc.close(process.master)
                    ptyClosed = true
                    finishIfDone()
                }
            }
    }

    // MARK: The shop's side

    /// Output of the shop, for the client.
    func fromTerminal(_ buffer: ByteBuffer) {
        guard let context, !finished else { return }
        context.writeAndFlush(wrapOutboundOut(SSHChannelData(type: .channel, data: .byteBuffer(buffer))), promise: nil)
    }

    /// The terminal read its end: the shop closed it (ended).
    func terminalClosed() {
        ptyClosed = true
        finishIfDone()
        if !finished, exitStatus == nil {
            // Output is over but the program has not been reaped: give it a moment, then end it.
            context?.eventLoop.scheduleTask(in: .seconds(2)) { [self] in
                if exitStatus == nil { process?.signal(SIGKILL) }
            }
        }
    }

    private func processEnded(status: Int) {
        exitStatus = status
        if !ptyClosed {
            // Whatever it wrote last is read before the channel ends, within a second.
            context?.eventLoop.scheduleTask(in: .seconds(1)) { [self] in
                if !ptyClosed {
                    pty?.close(promise: nil)
                    ptyClosed = true
                    finishIfDone()
                }
            }
        }
        finishIfDone()
    }

    /// Both the program reaped and its output read: the exit status, and the channel closes.
    private func finishIfDone() {
        guard let exitStatus, ptyClosed else { return }
        releasePlace()
        if let started {
            let elapsed = ContinuousClock.now - started
            logger.info("ssh session ended", metadata: [
                "exit_status": .stringConvertible(exitStatus),
                "seconds": .stringConvertible(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18),
                "drained": .stringConvertible(draining)])
            self.started = nil
        }
        server.sessions.remove(self)
        drainPromise?.succeed(())
        drainPromise = nil
        guard !finished, let context else { return }
        finished = true
        if draining {
            // The shop has put the terminal back; the line shows below it.
            say("\r\nThe shop is restarting: please connect again in a minute.", context: context)
        }
        sendExitStatusAndClose(draining ? 1 : exitStatus, context: context)
    }

    private func releasePlace() {
        guard holdsPlace else { return }
        holdsPlace = false
        server.admission.closeSession(from: peer.address)
        SSHMetrics.sessionsOpen.record(server.admission.openSessions)
    }

    // MARK: The client's side

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let message = unwrapInboundIn(data)
        guard message.type == .channel, case .byteBuffer(let buffer) = message.data, let pty, !finished else { return }
        pty.writeAndFlush(buffer, promise: nil)
    }

    /// A client slower than its shop: the terminal is read only while the channel takes more.
    func channelWritabilityChanged(context: ChannelHandlerContext) {
        pty?.setOption(ChannelOptions.autoRead, value: context.channel.isWritable).whenFailure { _ in }
        context.fireChannelWritabilityChanged()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        context.write(data, promise: promise)
    }

    /// The connection or the channel went: the shop is ended (hang-up, then kill) and reaped.
    func channelInactive(context: ChannelHandlerContext) {
        finished = true
        self.context = nil
        endShop(grace: .seconds(2))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        logger.debug("ssh session error", metadata: ["error": .string("\(error)")])
        context.close(promise: nil)
    }

    /// Hang-up now, a kill after `grace` if it still runs; the reaper thread collects it.
    private func endShop(grace: TimeAmount) {
        guard let process, exitStatus == nil else {
            pty?.close(promise: nil)
            return
        }
        process.signal(SIGHUP)
        process.signal(SIGTERM)
        pty?.close(promise: nil)
        loop?.scheduleTask(in: grace) { [self] in
            if exitStatus == nil { process.signal(SIGKILL) }
        }
    }

    /// A stopping server: the shop is asked to end (SIGTERM: it puts the terminal back),
    /// killed if it has not within `within`; the client is told and the channel closed.
    func drain(within: Duration) -> EventLoopFuture<Void> {
        guard let loop else { return MultiThreadedEventLoopGroup.singleton.next().makeSucceededVoidFuture() }
        return loop.flatSubmit { [self] in
            draining = true
            guard let process, exitStatus == nil || !ptyClosed else { return loop.makeSucceededVoidFuture() }
            let promise = loop.makePromise(of: Void.self)
            drainPromise = promise
            process.signal(SIGTERM)
            let grace = TimeAmount.nanoseconds(Int64(within.components.seconds) * 1_000_000_000)
            loop.scheduleTask(in: grace) { [self] in
                if exitStatus == nil { process.signal(SIGKILL) }
            }
            // Reaped after the kill at the latest; the channel goes regardless a second later.
            loop.scheduleTask(in: grace + .seconds(1)) { [self] in
                if !ptyClosed { pty?.close(promise: nil) }
                drainPromise?.succeed(())
                drainPromise = nil
            }
            return promise.futureResult
        }
    }
}

/// Reads the pty's near end for its session.
final class TerminalReader: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    private let session: SSHSession

    init(session: SSHSession) {
        self.session = session
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        session.fromTerminal(unwrapInboundIn(data))
    }

    func channelInactive(context: ChannelHandlerContext) {
        session.terminalClosed()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // EIO once the shop has closed its end: the end of its output.
        context.close(promise: nil)
    }
}
