import ArgumentParser
import Composition
import Foundation
import Hummingbird
import Logging
import MarketplaceAPI
import ServiceKit
import ServiceLifecycle

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run every service and the gateway on one port, or one service alone.",
        discussion: """
            Without --service, one process serves every route, limits clients per IP and answers CORS.
            With --service NAME, the process serves that service's routes only (behind a gateway such
            as server/deploy/nginx) and calls the others over HTTP with a service credential.
            Services and their default ports: \(ServiceName.allCases.map { "\($0.rawValue) \($0.defaultPort)" }.joined(separator: ", ")).
            """)

    @OptionGroup var common: CommonOptions

    @Option(help: ArgumentHelp("Run this service alone.", valueName: "name"), transform: { value in
        guard let service = ServiceName(argument: value) else {
            throw ValidationError("unknown service \"\(value)\"; one of: \(ServiceName.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return service
    })
    var service: ServiceName?

    @Option(help: "Address to listen on (env STOREFRONT_HOST, default 127.0.0.1).")
    var host: String?

    @Option(help: "Port to listen on (env STOREFRONT_PORT, default 8080).")
    var port: Int?

    @Flag(help: "Apply pending migrations before serving.")
    var migrate = false

    @Option(help: "Port of the SSH door, ssh -p PORT (env STOREFRONT_SSH_PORT, default 2222).")
    var sshPort: Int?

    @Flag(help: "No SSH door in this process (env STOREFRONT_SSH=off).")
    var noSsh = false

    func run() async throws {
        let logger = try common.logger(service.map { "marketplace.\($0.rawValue)" } ?? "marketplace")
        var configuration = try common.resolve()
        if let host { configuration.host = host }
        if let service {
            configuration.service = service
            if ProcessInfo.processInfo.environment["STOREFRONT_PORT"] == nil { configuration.port = service.defaultPort }
        }
        if let port { configuration.port = port }
        if let sshPort {
            guard (0...65535).contains(sshPort) else { throw ValidationError("--ssh-port must be a port number") }
            configuration.ssh.port = sshPort
            configuration.ssh.required = true
        }
        if noSsh { configuration.ssh.enabled = false }
        if migrate { _ = try await migrateAll(configuration, logger: logger) }
        // Before the routes exist, so no span is started against the no-op tracer.
        let tracer = configuration.tracing ? try OTLPTracing.bootstrap(service: configuration.service, logger: logger) : nil
        let app = try await buildApplication(configuration, logger: logger)
        let sshDoor = try await buildSSHDoor(configuration, logger: logger)
        // SIGTERM and SIGINT stop the server gracefully: in-flight requests finish,
        // within their deadline and ten seconds more; what is still hung then is
        // abandoned (a checkout is settled by recovery at the next start).
        let drain = configuration.drain
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: app),
        ]
        if let sshDoor {
            // After the routes, so told of a shutdown before them: sessions end while the shop still answers.
            services.append(.init(service: sshDoor))
        }
        services += [
            // Last in the list, so the first told of the shutdown.
            .init(service: ShutdownWatchdog(limit: drain + .seconds(5), logger: logger), successTerminationBehavior: .ignore),
        ]
        if let tracer {
            // First in the list, so the last told: spans of the drained requests are sent.
            services.insert(.init(service: tracer), at: 0)
        }
        var group = ServiceGroupConfiguration(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        group.maximumGracefulShutdownDuration = drain
        do {
            try await ServiceGroup(configuration: group).run()
        } catch {
            // A shutdown past its limits, or a start that failed (a port already taken).
            logger.error("the server stopped with an error", metadata: ["error": .string(String(describing: error))])
            throw ExitCode(1)
        }
    }
}


/// Ends the process `limit` after a shutdown began, whatever still runs then: the
/// graceful drain and the cancellation after it have had their time, and what
/// hangs past both (a driver call that never returns) is abandoned, with a
/// warning; an interrupted checkout is settled by recovery at the next start.
/// Without it the service group's own limit would end the process with a crash.
struct ShutdownWatchdog: Service {
    let limit: Duration
    let logger: Logger

    func run() async throws {
        do {
            try await gracefulShutdown()
        } catch {
            return
        }
        let limit = limit
        let logger = logger
        let thread = Thread {
            Thread.sleep(forTimeInterval: Double(limit.components.seconds) + Double(limit.components.attoseconds) / 1e18)
            logger.warning("shutdown took longer than \(limit.components.seconds) s; abandoning what still runs")
            fflush(nil)
            _exit(0)
        }
        thread.start()
    }
}
