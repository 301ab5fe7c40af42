import Foundation
import Logging
import MarketplaceAPI
import ServiceKit
import SSHService

/// The SSH door of this process, when it has one: every service in one process
/// (unless `STOREFRONT_SSH=off`), or `--service ssh` alone. Its sessions' shops
/// talk to this process's own port, or alone to the gateway (`STOREFRONT_SSH_SHOP_URL`).
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
    let shopURL = settings.shopURL ?? (alone ? "http://127.0.0.1:8080" : "http://127.0.0.1:\(configuration.port)")
    return try SSHServer(
        options: .init(settings: settings, client: found ?? "storefront", shopURL: shopURL, required: alone || settings.required),
        accounts: GuestsOnly(), logger: doorLogger)
}
