import CheckoutService
import Foundation
import InventoryService
import Logging
import MarketplaceAPI
import OrderService
import PaymentService
import ServiceKit
import ServiceLifecycle

// The checkout's clients when every service runs in this process: direct calls,
// with each service's own errors turned into the checkout's words.

struct InProcessOrdersClient: OrdersClient {
    let service: OrderService

    func createOrder(userID: String, address: ShippingAddress, idempotencyKey: String) async throws -> Order {
        do {
            return try await service.createOrder(userID: userID, shippingAddress: address, idempotencyKey: idempotencyKey).order
        } catch OrderError.emptyCart {
            throw CheckoutDependencyError.emptyCart
        } catch {
            throw CheckoutDependencyError.unavailable(service: "orders", detail: String(describing: error))
        }
    }

    func setStatus(orderID: String, to status: OrderStatus) async throws -> Order {
        do {
            return try await service.setStatus(orderID: orderID, to: status)
        } catch {
            throw CheckoutDependencyError.unavailable(service: "orders", detail: String(describing: error))
        }
    }

    func restoreCart(orderID: String) async throws {
        do {
            _ = try await service.restoreCart(orderID: orderID)
        } catch {
            throw CheckoutDependencyError.unavailable(service: "orders", detail: String(describing: error))
        }
    }
}

struct InProcessInventoryClient: InventoryClient {
    let service: InventoryService

    func reserve(orderID: String, lines: [StockLine]) async throws -> ReservationResult {
        do {
            _ = try await service.reserve(orderID: orderID, lines: lines)
            return .reserved
        } catch InventoryError.insufficientStock(let shortages) {
            return .short(shortages)
        } catch {
            throw CheckoutDependencyError.unavailable(service: "inventory", detail: String(describing: error))
        }
    }

    func release(orderID: String) async throws {
        do {
            _ = try await service.release(orderID: orderID)
        } catch {
            throw CheckoutDependencyError.unavailable(service: "inventory", detail: String(describing: error))
        }
    }
}

struct InProcessPaymentsClient: PaymentsClient {
    let service: PaymentService

    func charge(_ request: ChargeRequest) async throws -> PaymentTransaction {
        do {
            return try await service.pay(PaymentCharge(
                userID: request.userID, orderID: request.orderID, amount: request.amount, currency: "USD",
                paymentMethod: request.paymentMethod, idempotencyKey: request.idempotencyKey))
        } catch {
            throw CheckoutDependencyError.unavailable(service: "payments", detail: String(describing: error))
        }
    }
}

/// Settles interrupted checkouts: once at start-up (a crash mid-checkout) and
/// then every `interval` (a service that was briefly unreachable).
struct CheckoutRecoveryService: Service {
    let saga: CheckoutSaga
    let interval: Duration
    let staleAfter: Duration

    func run() async throws {
        // Graceful shutdown must end the loop, or the application never stops.
        try await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await saga.recover(staleAfter: staleAfter)
                try? await Task.sleep(for: interval)
            }
        }
    }
}
