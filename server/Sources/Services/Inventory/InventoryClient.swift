import MarketplaceAPI
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
        do {
            _ = try await service.reserve(orderID: orderID, lines: lines)
            return .reserved
        } catch InventoryError.insufficientStock(let shortages) {
            return .short(shortages)
        } catch {
            throw peerFailure("inventory", error)
        }
    }

    public func release(orderID: String) async throws {
        do {
            _ = try await service.release(orderID: orderID)
        } catch {
            throw peerFailure("inventory", error)
        }
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
        if reply.status == 200 { return .reserved }
        if reply.code == .outOfStock, let short = try? reply.decode(InsufficientStockResponse.self, from: client.service), !short.shortages.isEmpty {
            return .short(short.shortages)
        }
        throw reply.unexpected(from: client.service)
    }

    public func release(orderID: String) async throws {
        // Releasing returns an order's stock once; later calls return nothing.
        let reply = try await client.call(Endpoints.releaseStock, body: ReleaseStockRequest(orderId: orderID), retry: .idempotent)
        guard reply.status == 200 else { throw reply.unexpected(from: client.service) }
    }
}
