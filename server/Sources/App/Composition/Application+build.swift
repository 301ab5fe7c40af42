import Hummingbird
import Logging
import MarketplaceAPI
import ServiceKit
import ServiceLifecycle

/// Builds the marketplace: every service (`configuration.service == nil`) or
/// one alone. The app under test is the app that ships.
public func buildApplication(_ configuration: AppConfiguration, logger: Logger) async throws -> some ApplicationProtocol {
    let services = configuration.service.map { Set([$0]) } ?? Set(ServiceName.allCases)
    let stores = try Stores(configuration: configuration, logger: logger, for: services)
    await stores.documents?.prepare(logger: logger)
    let tokens = try await TokenService(
        userSecrets: configuration.userTokenSecrets, serviceSecrets: configuration.serviceTokenSecrets,
        lifetime: configuration.tokenLifetime)
    var background: [any Service] = []
    let router = buildRouter(stores: stores, tokens: tokens, configuration: configuration, logger: logger, background: &background)
    // The request deadline: the work is cancelled at requestTimeout, and abandoned two
    // seconds later if that did not end it (work ignoring cancellation), so every
    // request answers and a shutdown drains.
    return Application(
        responder: DeadlineResponder(router.buildResponder(), timeout: configuration.requestTimeout, logger: logger),
        // HTTPS when STOREFRONT_TLS_CERT and STOREFRONT_TLS_KEY say so.
        server: try ServerTLS.serverBuilder(ServerTLS.fromEnvironment(), limits: configuration.connectionLimits,
                                            proxies: TrustedProxies(configuration.trustedProxies)),
        configuration: .init(
            address: .hostname(configuration.host, port: configuration.port),
            serverName: configuration.service.map { "marketplace-\($0.rawValue)" } ?? "marketplace"),
        services: stores.runningServices + background,
        logger: logger)
}
