import MarketplaceAPI

/// Where product answers get their stock: the inventory service, asked once per
/// answer for every product in it. The product service calls it; the inventory
/// implements it, in-process (`RepositoryStockSource`) or over HTTP
/// (`HTTPStockSource`), beside its other clients (Inventory/InventoryClient.swift).
/// It is declared here, with the other calls between services, because the
/// inventory depends on the product service (for its catalog): the product
/// service cannot import what the inventory declares, and the inventory's
/// interface does not belong in the catalog's folder.
public protocol StockSource: Sendable {
    /// The stock of each id; ids never stocked read as 0, low.
    func stock(of productIDs: [String]) async throws -> [String: ProductStock]
}
