import Logging
import MarketplaceAPI
import ServiceKit
import ServiceLifecycle

/// HTTP clients for the services this process does not run, sharing one
/// connection pool that is opened only when some service needs it.
struct Peers {
    let configuration: AppConfiguration
    let tokens: TokenService
    let logger: Logger
    private var connections: PeerConnections?

    init(configuration: AppConfiguration, tokens: TokenService, logger: Logger) {
        self.configuration = configuration
        self.tokens = tokens
        self.logger = logger
    }

    var services: [any Service] { connections.map { [$0] } ?? [] }

    mutating func client(_ peer: ServiceName, caller: ServiceName?) -> ServiceHTTPClient {
        let connections = self.connections ?? PeerConnections()
        self.connections = connections
        return ServiceHTTPClient(
            service: peer.rawValue, baseURL: configuration.peers.url(for: peer), connections: connections,
            credential: ServiceCredential(tokens: tokens, name: caller?.rawValue ?? "marketplace"),
            timeout: configuration.serviceCallTimeout, logger: logger)
    }
}
