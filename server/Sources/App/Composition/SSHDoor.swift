import Foundation
import Logging
import MarketplaceAPI
import ServiceKit
import SSHService

/// The SSH door of this process, when it has one: every service in one process
/// (unless `STOREFRONT_SSH=off`), or `--service ssh` alone. Its sessions' shops
/// talk to this process's own port, or alone to the gateway (`STOREFRONT_SSH_SHOP_URL`);
/// keys are looked up with the user and auth services, this process's own
/// routes or, alone, their peers (`STOREFRONT_USERS_URL`, `STOREFRONT_AUTH_URL`).
public func buildSSHDoor(_ configuration: AppConfiguration, logger: Logger) async throws -> SSHServer? {
    let settings = configuration.ssh
    let alone = configuration.service == .ssh
    guard alone || (configuration.service == nil && settings.enabled) else { return nil }
    let doorLogger = Logger(label: "marketplace.ssh")
    let found = SSHServer.findClient(configured: settings.clientPath)
    if found == nil {
        // The door still opens: each session is told the shop cannot open, and this is logged.
        doorLogger.error("no storefront binary for the SSH sessions: build it (swift build in the repository) or set STOREFRONT_SSH_CLIENT")
    }
    let scheme = (try? ServerTLS.fromEnvironment()) != nil ? "https" : "http"
    let wildcard = ["0.0.0.0", "::", ""].contains(configuration.host)
    let own = "\(scheme)://\(wildcard ? "127.0.0.1" : configuration.host):\(configuration.port)"
    let shopURL = settings.shopURL ?? (alone ? "http://127.0.0.1:8080" : own)

    let tokens = try await TokenService(userSecrets: configuration.userTokenSecrets, serviceSecrets: configuration.serviceTokenSecrets,
                                        lifetime: configuration.tokenLifetime)
    let connections = PeerConnections(connectionsPerPeer: 8)
    let credential = ServiceCredential(tokens: tokens, name: ServiceName.ssh.rawValue)
    func client(_ peer: ServiceName) -> ServiceHTTPClient {
        ServiceHTTPClient(service: peer.rawValue, baseURL: alone ? configuration.peers.url(for: peer) : own, connections: connections,
                          credential: credential, timeout: configuration.serviceCallTimeout, logger: doorLogger)
    }
    let accounts = HTTPSSHAccounts(users: client(.users), auth: client(.auth), connections: connections)
    do {
        return try SSHServer(
            options: .init(settings: settings, client: found ?? "storefront", shopURL: shopURL, required: alone || settings.required),
            accounts: accounts, logger: doorLogger)
    } catch {
        // A host key that cannot be read or made: the connections are closed before the start fails.
        await accounts.shutdown()
        throw error
    }
}
