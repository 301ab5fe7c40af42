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
public struct CheckoutSaga: Sendable {
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
            return record.outcome ?? Self.outcome(.inProgress, record)
        case .started(let record):
            return try await drive(record, resuming: false)
        }
    }

    /// Finishes or undoes checkouts that a crash or an unreachable service left
    /// half done. Returns how many it settled.
    @discardableResult
    public func recover(staleAfter: Duration = .seconds(30)) async -> Int {
        var settled = 0
        var seen = Set<UUID>()
        while true {
            let claimed: CheckoutRecord?
            do {
                claimed = try await log.claimStale(staleAfter: staleAfter)
            } catch {
                logger.warning("checkout recovery could not read the log", metadata: ["error": .string(String(describing: error))])
                return settled
            }
            // A checkout that cannot be settled now stays for the next round.
            guard let record = claimed, seen.insert(record.id).inserted else { return settled }
            logger.notice("resuming checkout", metadata: [
                "checkout_id": .string(record.id.uuidString), "state": .string(record.state.rawValue),
                "attempt": .stringConvertible(record.recoveryAttempts)])
            if record.recoveryAttempts >= giveUpAfter {
                // The recovery window is over: stop trying to finish it, undo it.
                var abandoned = record
                do {
                    _ = try await abandon(&abandoned, Self.outcome(.interrupted(stage: .undone), record),
                                          reason: "recovery gave up after \(record.recoveryAttempts) attempts")
                    settled += 1
                } catch {
                    logger.warning("could not undo an abandoned checkout yet", metadata: [
                        "checkout_id": .string(record.id.uuidString), "error": .string(String(describing: error))])
                }
                continue
            }
            do {
                // A trace of its own: the request that began it has long been answered.
                let outcome = try await Telemetry.step("checkout recovery") { try await drive(record, resuming: true) }
                if case .interrupted = outcome.result, outcome.orderID == nil {} else { settled += 1 }
            } catch {
                logger.warning("checkout recovery step failed", metadata: ["checkout_id": .string(record.id.uuidString), "error": .string(String(describing: error))])
            }
        }
    }

    /// Runs the saga from the record's state. A live checkout goes forward. A
    /// resumed one that has not taken a payment is undone, rather than placing
    /// an order the shopper was told had failed; one whose payment went through
    /// is confirmed, since no charge may stand without a Confirmed order.
    func drive(_ start: CheckoutRecord, resuming: Bool) async throws -> CheckoutOutcome {
        var record = start
        var order: Order?
        do {
            if record.state == .started {
                // The checkout id is the order's idempotency key: a resumed step answers the same order.
                do {
                    order = try await Telemetry.step("checkout: create order") { [record] in
                        try await orders.createOrder(userID: record.userID, address: record.address, idempotencyKey: record.id.uuidString)
                    }
                } catch OrderError.emptyCart {
                    return try await finish(&record, .failed, Self.outcome(.cartEmpty, record))
                } catch OrderError.pricesChanged(let changes) {
                    return try await finish(&record, .failed, Self.outcome(.pricesChanged(changes: changes), record))
                }
                // Written down at once: recovery that gives up on a checkout can undo
                // only an order the log names (finding it again by its key needs the
                // order service, which may be the very thing that is down).
                record.orderID = order?.id
                record.amount = order?.totalAmount
                record.state = .orderCreated
                try await log.record(record, state: .orderCreated, orderID: record.orderID, amount: record.amount, transactionID: nil)
            }
            if record.state == .orderCreated {
                guard !resuming, let order else {
                    return try await compensate(&record, Self.outcome(.interrupted(stage: .undone), record))
                }
                let lines = order.items.map { StockLine(productId: $0.productId, quantity: $0.quantity) }
                switch try await Telemetry.step("checkout: reserve stock", { try await inventory.reserve(orderID: order.id, lines: lines) }) {
                case .short(let shortages):
                    let names = Dictionary(order.items.map { ($0.productId, $0.name) }, uniquingKeysWith: { first, _ in first })
                    let items = shortages.map { ShortItem($0, name: names[$0.productId] ?? $0.productId) }
                    return try await compensate(&record, Self.outcome(.shortStock(items: items), record))
                case .reserved:
                    // Written down before any charge: from here a resumed checkout goes forward.
                    record.state = .stockReserved
                    try await log.record(record, state: .stockReserved, orderID: nil, amount: nil, transactionID: nil)
                }
            }
            if record.state == .stockReserved, record.amount == .zero {
                // A free order: nothing to charge (payments are above zero), so it is confirmed without one.
                record.state = .paid
            }
            if record.state == .stockReserved {
                guard let orderID = record.orderID, let amount = record.amount else {
                    throw ServiceUnavailable(service: "checkout", detail: "checkout \(record.id) lost its order")
                }
                // Same key every time: a resumed checkout learns what happened instead of charging again.
                let charge = ChargeRequest(
                    userID: record.userID, orderID: orderID, amount: amount,
                    paymentMethod: record.paymentMethod, idempotencyKey: "checkout-" + record.id.uuidString.lowercased())
                let transaction = try await Telemetry.step("checkout: take payment") { try await payments.charge(charge) }
                record.transactionID = transaction.transactionId
                switch transaction.status {
                case .completed:
                    // Not written down: a resumed checkout charges again with the same key
                    // and is answered this payment, so the log's next write is the answer.
                    record.state = .paid
                case .failed:
                    return try await compensate(&record, Self.outcome(.declined(reason: transaction.failureReason ?? "declined"), record))
                case .pending:
                    throw ServiceUnavailable(service: "payments", detail: "the payment's outcome is not known yet")
                case .refunded:
                    // Given back already (this checkout was abandoned while this driver was slow).
                    return try await compensate(&record, Self.outcome(.interrupted(stage: .undone), record))
                }
            }
            if record.state == .paid, let orderID = record.orderID {
                // The money is taken: this step is retried through the recovery window; only a
                // refusal, or the window's end, undoes it, and then the payment goes back.
                _ = try await Telemetry.step("checkout: confirm order") { try await orders.setStatus(orderID: orderID, to: .confirmed) }
                return try await finish(&record, .completed, Self.outcome(.placed, record))
            }
            if let outcome = record.outcome { return outcome }
            throw ServiceUnavailable(service: "checkout", detail: "checkout \(record.id) is in state \(record.state.rawValue)")
        } catch let refusal as PeerRefused where record.state != .paid {
            // Asking again would be refused again, and nothing was charged: undo now.
            logger.warning("checkout refused by a service", metadata: [
                "checkout_id": .string(record.id.uuidString), "error": .string(refusal.description)])
            return try await compensate(&record, Self.outcome(.refused(code: refusal.code, message: refusal.message), record))
        } catch let refusal as PeerRefused {
            // Paid, but the order service refuses to confirm the order (asking again would be
            // refused again): the payment goes back and the rest is undone now.
            let message = "the order could not be confirmed (\(refusal.message)); the payment was refunded and your cart is as it was"
            return try await abandon(&record, Self.outcome(.refused(code: refusal.code, message: message), record),
                                     reason: "the order could not be confirmed: \(refusal.message)")
        } catch let error as ServiceUnavailable {
            // Nothing can have been charged before the payment step: undo now when
            // the services answer, and leave it to recovery only when they do not.
            if record.state == .orderCreated, record.orderID != nil,
               let undone = try? await compensate(&record, Self.outcome(.interrupted(stage: .notReserved), record)) {
                logger.warning("checkout undone after a failed step", metadata: [
                    "checkout_id": .string(record.id.uuidString), "error": .string(String(describing: error))])
                return undone
            }
            return try await interrupted(&record, error)
        } catch is CheckoutSuperseded {
            // Recovery took this checkout over while this driver was slow; it finishes
            // or undoes it, and a replay of the Idempotency-Key will tell which.
            logger.notice("checkout taken over by recovery", metadata: ["checkout_id": .string(record.id.uuidString)])
            return Self.outcome(.interrupted(stage: .finishing), record)
        }
    }

    /// Undoes the steps that succeeded, newest first: stock back, order
    /// Cancelled, items back in the cart. Each undo is safe to repeat except the
    /// cart's, which runs only after the log says the order was cancelled here.
    private func compensate(_ record: inout CheckoutRecord, _ failure: CheckoutOutcome) async throws -> CheckoutOutcome {
        if let orderID = record.orderID {
            try await Telemetry.step("checkout: release stock") { try await inventory.release(orderID: orderID) }
            do {
                _ = try await Telemetry.step("checkout: cancel order") { try await orders.setStatus(orderID: orderID, to: .cancelled) }
            } catch let refusal as PeerRefused {
                // Gone, or somewhere it cannot be cancelled from: asking again changes nothing.
                logger.warning("the failed checkout's order could not be cancelled", metadata: [
                    "checkout_id": .string(record.id.uuidString), "order_id": .string(orderID), "error": .string(refusal.description)])
            }
            let outcome = try await finish(&record, .failed, failure)
            do {
                try await orders.restoreCart(orderID: orderID)
            } catch {
                logger.warning("could not restore the cart of a failed checkout", metadata: [
                    "checkout_id": .string(record.id.uuidString), "order_id": .string(orderID), "error": .string(String(describing: error))])
            }
            return outcome
        }
        return try await finish(&record, .failed, failure)
    }

    /// Gives up on a checkout: refunds whatever its order was charged, then undoes
    /// the rest as `compensate` does. Logged at error level and counted in
    /// `storefront_checkouts_abandoned_total`, since a shopper was charged and
    /// refunded, or waited the whole recovery window. Throws, leaving the record
    /// for the next round, when a service needed to undo it does not answer.
    private func abandon(_ record: inout CheckoutRecord, _ failure: CheckoutOutcome, reason: String) async throws -> CheckoutOutcome {
        logger.error("checkout abandoned", metadata: [
            "checkout_id": .string(record.id.uuidString), "state": .string(record.state.rawValue),
            "order_id": .string(record.orderID ?? ""), "attempt": .stringConvertible(record.recoveryAttempts), "reason": .string(reason)])
        Counter(label: "storefront_checkouts_abandoned_total", dimensions: [("state", record.state.rawValue)]).increment()
        if let orderID = record.orderID {
            if record.state == .stockReserved || record.state == .paid {
                let refunded = try await Telemetry.step("checkout: refund payment") { try await payments.refund(orderID: orderID, reason: reason) }
                if refunded.contains(where: { $0.status == .refunded }) {
                    Counter(label: "storefront_payments_refunded_total").increment()
                }
            }
        }
        return try await compensate(&record, failure)
    }

    /// A service did not answer. The shopper hears so now; what was done is
    /// settled by `recover` (undone, or confirmed when the payment went through).
    private func interrupted(_ record: inout CheckoutRecord, _ error: ServiceUnavailable) async throws -> CheckoutOutcome {
        logger.warning("checkout interrupted", metadata: [
            "checkout_id": .string(record.id.uuidString), "state": .string(record.state.rawValue), "error": .string(String(describing: error))])
        let stage: Interruption = record.state == .stockReserved || record.state == .paid ? .finishing : .nothingCharged
        let outcome = Self.outcome(.interrupted(stage: stage), record)
        Counter(label: "storefront_checkouts_interrupted_total", dimensions: [("state", record.state.rawValue)]).increment()
        // Keep the state: the answer is remembered, the work is left to recovery.
        try? await log.answer(record, state: record.state, outcome: outcome)
        record.outcome = outcome
        return outcome
    }

    private func finish(_ record: inout CheckoutRecord, _ state: CheckoutState, _ outcome: CheckoutOutcome) async throws -> CheckoutOutcome {
        try await log.answer(record, state: state, outcome: outcome)
        Counter(label: "storefront_checkouts_total", dimensions: [("outcome", outcome.name)]).increment()
        record.state = state
        record.outcome = outcome
        logger.info("checkout finished", metadata: [
            "checkout_id": .string(record.id.uuidString), "state": .string(state.rawValue),
            "outcome": .string(outcome.name), "order_id": .string(record.orderID ?? "")])
        return outcome
    }

    static func outcome(_ result: CheckoutResult, _ record: CheckoutRecord) -> CheckoutOutcome {
        CheckoutOutcome(result, orderID: record.orderID, transactionID: record.transactionID)
    }
}
