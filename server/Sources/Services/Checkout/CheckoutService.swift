import Foundation
import InventoryService
import Logging
import MarketplaceAPI
import Metrics
import OrderService
import PaymentService
import ServiceKit

/// The plan's checkout: create the order, reserve its stock, take the payment,
/// confirm the order. Its log (`CheckoutLog`) says how far it went, and every
/// failure undoes what came before it, so a checkout ends Confirmed with one
/// payment, or Cancelled with its stock back and the shopper's cart restored.
/// What to do next is `CheckoutMachine`'s decision; this type only carries it out.
public struct CheckoutService: Sendable {
    let orders: any OrdersClient
    let inventory: any InventoryClient
    let payments: any PaymentsClient
    let log: any CheckoutLog
    let logger: Logger
    /// The takeover at which recovery stops trying to finish a checkout and undoes
    /// it instead, refunding any payment.
    let giveUpAfter: Int

    public init(orders: any OrdersClient, inventory: any InventoryClient, payments: any PaymentsClient, log: any CheckoutLog, logger: Logger,
                giveUpAfter: Int) {
        self.orders = orders
        self.inventory = inventory
        self.payments = payments
        self.log = log
        self.logger = logger
        self.giveUpAfter = max(1, giveUpAfter)
    }

    public func checkout(userID: String, address: ShippingAddress, paymentMethod: String, idempotencyKey: String?) async throws -> CheckoutOutcome {
        switch try await log.begin(userID: userID, idempotencyKey: idempotencyKey, address: address, paymentMethod: paymentMethod) {
        case .existing(let record):
            return record.outcome ?? CheckoutOutcome(.inProgress, orderID: record.orderID, transactionID: record.transactionID)
        case .started(let record):
            return try await run(CheckoutMachine(record, mode: .live)).1
        }
    }

    /// Finishes or undoes checkouts that a crash or an unreachable service left
    /// half done. Returns how many it settled.
    @discardableResult
    public func recover(staleAfter: Duration = .seconds(30)) async -> Int {
        await recoverStale("checkout", logger: logger, claim: { try await log.claimStale(staleAfter: staleAfter) }, id: \.id, metadata: {
            ["checkout_id": .string($0.id.uuidString), "state": .string($0.state.rawValue), "attempt": .stringConvertible($0.recoveryAttempts)]
        }, settle: { try await run(CheckoutMachine($0, mode: .recovering(giveUpAfter: giveUpAfter))).0.isSettled })
    }

    /// Carries out what the machine decides.
    func run(_ start: CheckoutMachine) async throws -> (CheckoutMachine, CheckoutOutcome) {
        try await runSaga(start, perform: { try await perform($0, $1.record) }, observe: { observe($0, $1.record) })
    }

    /// One effect, and what came of it.
    private func perform(_ effect: CheckoutEffect, _ record: CheckoutRecord) async throws -> CheckoutEvent {
        switch effect {
        case .createOrder:
            return .orderCreated(try await orders.createOrder(userID: record.userID, address: record.address, idempotencyKey: record.id.uuidString))
        case .writeProgress(let state):
            try await log.record(record, state: state, orderID: record.orderID, amount: record.amount, transactionID: nil)
        case .reserve(let orderID, let lines):
            switch try await inventory.reserve(orderID: orderID, lines: lines) {
            case .reserved: return .reserved
            case .short(let shortages): return .short(shortages)
            }
        case .charge(let request):
            let transaction = try await payments.charge(request)
            return .charged(transactionID: transaction.transactionId, status: transaction.status, failureReason: transaction.failureReason)
        case .confirm(let orderID):
            _ = try await orders.setStatus(orderID: orderID, to: .confirmed)
        case .release(let orderID):
            try await inventory.release(orderID: orderID)
        case .cancelOrder(let orderID):
            _ = try await orders.setStatus(orderID: orderID, to: .cancelled)
        case .refund(let orderID, let reason):
            return .refunded(try await payments.refund(orderID: orderID, reason: reason).contains { $0.status == .refunded })
        case .restoreCart(let orderID):
            try await orders.restoreCart(orderID: orderID)
        case .writeAnswer(let state, let outcome):
            try await log.answer(record, state: state, outcome: outcome)
        case .keepAnswer(let outcome):
            try await log.answer(record, state: record.state, outcome: outcome)
        }
        return .done
    }

    /// The machine's notes as log lines and counters.
    private func observe(_ note: CheckoutNote, _ record: CheckoutRecord) {
        var metadata: Logger.Metadata = ["checkout_id": .string(record.id.uuidString)]
        if let orderID = record.orderID { metadata["order_id"] = .string(orderID) }
        switch note {
        case .refused(let code, let message):
            metadata["error"] = .string("\(code.rawValue): \(message)")
            logger.warning("checkout refused by a service", metadata: metadata)
        case .undoing(let detail):
            metadata["error"] = .string(detail)
            logger.warning("undoing a checkout after a failed step", metadata: metadata)
        case .takenOver:
            logger.notice("checkout taken over by recovery", metadata: metadata)
        case .orderNotCancelled(_, let detail):
            metadata["error"] = .string(detail)
            logger.warning("the failed checkout's order could not be cancelled", metadata: metadata)
        case .cartNotRestored(_, let detail):
            metadata["error"] = .string(detail)
            logger.warning("could not restore the cart of a failed checkout", metadata: metadata)
        case .abandoned(let state, let attempt, let reason):
            metadata["state"] = .string(state.rawValue)
            metadata["attempt"] = .stringConvertible(attempt)
            metadata["reason"] = .string(reason)
            // A shopper was charged and refunded, or waited the whole recovery window.
            logger.error("checkout abandoned", metadata: metadata)
            Counter(label: "storefront_checkouts_abandoned_total", dimensions: [("state", state.rawValue)]).increment()
        case .paymentRefunded:
            Counter(label: "storefront_payments_refunded_total").increment()
        case .interrupted(let state, let detail):
            metadata["state"] = .string(state.rawValue)
            metadata["error"] = .string(detail)
            logger.warning("checkout interrupted", metadata: metadata)
            Counter(label: "storefront_checkouts_interrupted_total", dimensions: [("state", state.rawValue)]).increment()
        case .finished(let state, let outcome):
            metadata["state"] = .string(state.rawValue)
            metadata["outcome"] = .string(outcome)
            logger.info("checkout finished", metadata: metadata)
            Counter(label: "storefront_checkouts_total", dimensions: [("outcome", outcome)]).increment()
        case .unexpected(let event):
            metadata["event"] = .string(event)
            logger.error("checkout stopped on an event its step does not expect", metadata: metadata)
        }
    }
}
