import AsyncHTTPClient
import ServiceLifecycle

/// The connection pool every call to another service goes through; a `Service`
/// so it closes its connections when the application stops.
public final class PeerConnections: Service, Sendable {
    public let http: HTTPClient

    public init(connectionsPerPeer: Int = 64) {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: connectionsPerPeer)
        // A refused connection fails the attempt at once; `ServiceHTTPClient` decides about retrying.
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout = .init(connect: .seconds(2))
        configuration.redirectConfiguration = .disallow
        configuration.decompression = .disabled
        // Calls are traced by `ServiceHTTPClient` (one client span named after the
        // peer and route, whose context it writes into `traceparent`); the client's
        // own span would add a second `traceparent` header, which the far side
        // cannot read.
        configuration.tracing.tracer = nil
        self.http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    public func run() async throws {
        try? await gracefulShutdown()
        try await http.shutdown()
    }
}
