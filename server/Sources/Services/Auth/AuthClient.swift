import MarketplaceAPI
import ServiceKit

/// The accounts' names for the catalog, from the auth service in this process.
public struct InProcessAccountNames: AccountNames {
    let service: AuthService

    public init(service: AuthService) {
        self.service = service
    }

    public func names(of ids: [String]) async throws -> [String: String] {
        try await callInProcess("auth") {
            Dictionary(try await service.names(ids: ids).map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        }
    }
}

/// The accounts' names for the catalog, from the auth service over HTTP
/// (`GET /api/auth/accounts?ids=`, a hundred ids a call).
public struct HTTPAccountNames: AccountNames {
    let client: ServiceHTTPClient

    public init(client: ServiceHTTPClient) {
        self.client = client
    }

    public func names(of ids: [String]) async throws -> [String: String] {
        var found: [String: String] = [:]
        for (_, query) in Endpoints.idListQueries("ids", Array(Set(ids)).sorted().filter(InputRules.isQueryID)) {
            let reply = try await client.call(Endpoints.accountNames, query: query, retry: .idempotent)
            for account in try client.decode(reply, as: Endpoints.accountNames).data { found[account.id] = account.name }
        }
        return found
    }
}
