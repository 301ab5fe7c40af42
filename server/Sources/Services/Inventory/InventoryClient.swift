import MarketplaceAPI
import ProductService
import ServiceKit

public enum ReservationResult: Sendable, Equatable {
    case reserved
    case short([StockShortage])
}

/// How other services (the checkout) reach the inventory service, in-process
/// or over HTTP; both throw `PeerRefused` for a refusal asking again cannot
/// change and `ServiceUnavailable` when no usable answer came.
public protocol InventoryClient: Sendable {
    /// All lines or none; repeating it for the same order takes nothing more.
    func reserve(orderID: String, lines: [StockLine]) async throws -> ReservationResult
    /// Returns what the order holds, once; later calls return nothing.
    func release(orderID: String) async throws
}

public struct InProcessInventoryClient: InventoryClient {
    let service: InventoryService

    public init(service: InventoryService) {
        self.service = service
    }

    public func reserve(orderID: String, lines: [StockLine]) async throws -> ReservationResult {
        try await callInProcess("inventory") {
            do {
                _ = try await service.reserve(orderID: orderID, lines: lines)
                return .reserved
            } catch InventoryError.insufficientStock(let shortages) {
                return .short(shortages)
            }
        }
    }

    public func release(orderID: String) async throws {
        _ = try await callInProcess("inventory") { try await service.release(orderID: orderID) }
    }
}

public struct HTTPInventoryClient: InventoryClient {
    let client: ServiceHTTPClient

    public init(client: ServiceHTTPClient) {
        self.client = client
    }

    public func reserve(orderID: String, lines: [StockLine]) async throws -> ReservationResult {
        let body = ReserveStockRequest(orderId: orderID, items: lines.map { StockLineInput(productId: $0.productId, quantity: $0.quantity) })
        // A reservation is keyed by its order: repeating it takes nothing more.
        let reply = try await client.call(Endpoints.reserveStock, body: body, retry: .idempotent)
        if reply.code == .outOfStock, let short = try? reply.decode(InsufficientStockResponse.self, from: client.service), !short.shortages.isEmpty {
            return .short(short.shortages)
        }
        try client.requireOK(reply)
        return .reserved
    }

    public func release(orderID: String) async throws {
        // Releasing returns an order's stock once; later calls return nothing.
        try client.requireOK(try await client.call(Endpoints.releaseStock, body: ReleaseStockRequest(orderId: orderID), retry: .idempotent))
    }
}

/// Stock for product answers, read in-process from the inventory's own store.
public struct RepositoryStockSource: StockSource {
    let repository: any InventoryRepository

    public init(repository: any InventoryRepository) {
        self.repository = repository
    }

    public func stock(of productIDs: [String]) async throws -> [String: ProductStock] {
        Dictionary(try await repository.levels(productIDs: productIDs).map { ($0.productId, ProductStock($0)) }, uniquingKeysWith: { first, _ in first })
    }
}

/// Stock for product answers from the inventory service over HTTP (the split form):
/// one `GET /api/inventory?productIds=...` per answer.
public struct HTTPStockSource: StockSource {
    let client: ServiceHTTPClient

    public init(client: ServiceHTTPClient) {
        self.client = client
    }

    public func stock(of productIDs: [String]) async throws -> [String: ProductStock] {
        var levels: [String: ProductStock] = [:]
        for (_, query) in Endpoints.idListQueries("productIds", productIDs) {
            let reply = try await client.call(Endpoints.stockLevels, query: query, retry: .idempotent)
            for level in try client.decode(reply, as: Endpoints.stockLevels).data { levels[level.productId] = ProductStock(level) }
        }
        return levels
    }
}
