import Foundation
import InventoryService
import Logging
import MarketplaceAPI
import Metrics
import OrderService
import PaymentService
import ServiceKit

/// Cancels an order: its status, its payments, its stock, through the services
/// that own them. What to do next is `CancellationMachine`'s decision; this type
/// only carries it out, for the shopper's request and for recovery alike.
public struct CancellationService: Sendable {
    let orders: any OrdersClient
    let inventory: any InventoryClient
    let payments: any PaymentsClient
    let log: any CancellationLog
    let logger: Logger

    public init(orders: any OrdersClient, inventory: any InventoryClient, payments: any PaymentsClient, log: any CancellationLog, logger: Logger) {
        self.orders = orders
        self.inventory = inventory
        self.payments = payments
        self.log = log
        self.logger = logger
    }

    /// The order as its owner (or an admin) may see it; nil when it does not exist or is someone else's.
    public func order(id: String, for user: SignedInUser) async throws -> Order? {
        guard let order = try await orders.order(id: id), user.mayActFor(order.userId) else { return nil }
        return order
    }

    /// Cancels the order once, whoever asks and however often: a repeated request answers the first one's outcome.
    public func cancel(orderID: String, userID: String, idempotencyKey: String?) async throws -> CancellationOutcome {
        switch try await log.begin(orderID: orderID, userID: userID, idempotencyKey: idempotencyKey) {
        case .existing(let record):
            return record.outcome ?? CancellationOutcome(.inProgress, orderID: orderID)
        case .started(let record):
            return try await run(CancellationMachine(record)).1
        }
    }

    /// Finishes cancellations a crash or an unreachable service left half done. Returns how many it settled.
    @discardableResult
    public func recover(staleAfter: Duration) async -> Int {
        await recoverStale("cancellation", logger: logger, claim: { try await log.claimStale(staleAfter: staleAfter) }, id: \.id, metadata: {
            ["cancellation_id": .string($0.id.uuidString), "order_id": .string($0.orderID), "state": .string($0.state.rawValue),
             "attempt": .stringConvertible($0.recoveryAttempts)]
        }, settle: { try await run(CancellationMachine($0)).0.isSettled })
    }

    func run(_ start: CancellationMachine) async throws -> (CancellationMachine, CancellationOutcome) {
        try await runSaga(start, perform: { try await perform($0, $1.record) }, observe: { observe($0, $1.record) })
    }

    private func perform(_ effect: CancellationEffect, _ record: CancellationRecord) async throws -> CancellationEvent {
        switch effect {
        case .cancelOrder(let orderID):
            _ = try await orders.setStatus(orderID: orderID, to: .cancelled)
        case .writeProgress(let state):
            try await log.record(record, state: state)
        case .refund(let orderID, let reason):
            return .refunded(OrderRefund(givenBack: try await payments.refund(orderID: orderID, reason: reason)))
        case .recordRefund(let orderID, let refund):
            try await orders.recordRefund(orderID: orderID, refund: refund)
        case .release(let orderID):
            try await inventory.release(orderID: orderID)
        case .writeAnswer(let state, let outcome):
            try await log.answer(record, state: state, outcome: outcome)
        case .keepAnswer(let outcome):
            try await log.answer(record, state: record.state, outcome: outcome)
        }
        return .done
    }

    private func observe(_ note: CancellationNote, _ record: CancellationRecord) {
        var metadata: Logger.Metadata = ["cancellation_id": .string(record.id.uuidString), "order_id": .string(record.orderID)]
        switch note {
        case .refunded:
            Counter(label: "storefront_payments_refunded_total").increment()
        case .takenOver:
            logger.notice("cancellation taken over by recovery", metadata: metadata)
        case .interrupted(let state, let detail, let stuck):
            metadata["state"] = .string(state.rawValue)
            metadata["error"] = .string(detail)
            if stuck {
                // The order is Cancelled and a service refuses to give back its money or stock.
                logger.error("cancellation stuck", metadata: metadata)
            } else {
                logger.warning("cancellation interrupted", metadata: metadata)
            }
            Counter(label: "storefront_cancellations_interrupted_total", dimensions: [("state", state.rawValue)]).increment()
        case .finished(let state, let outcome):
            metadata["state"] = .string(state.rawValue)
            metadata["outcome"] = .string(outcome)
            logger.info("cancellation finished", metadata: metadata)
            Counter(label: "storefront_cancellations_total", dimensions: [("outcome", outcome)]).increment()
        case .unexpected(let event):
            metadata["event"] = .string(event)
            logger.error("cancellation stopped on an event its step does not expect", metadata: metadata)
        }
    }
}
