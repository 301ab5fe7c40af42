import MarketplaceAPI

/// Where the product service learns who sells a product: the accounts' names,
/// which the auth service holds. Declared here, with the other calls between
/// services, for the same reason as `StockSource`: the caller (the catalog) and
/// the provider (auth, Auth/AuthClient.swift) do not import each other.
public protocol AccountNames: Sendable {
    /// The names of those of `ids` that have an account, by id.
    func names(of ids: [String]) async throws -> [String: String]
}
