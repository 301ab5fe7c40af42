import Foundation
import InventoryService
import MarketplaceAPI
import OrderService
import PaymentService
import ServiceKit

/// Every decision of a checkout, and nothing else: which step comes next,
/// whether a failure is undone now or left to recovery, when a payment goes
/// back, when recovery gives up. It does no I/O: `CheckoutService` performs the
/// effect it asks for and feeds back what happened, until it says `finish` or
/// `propagate`.
///
///     var (machine, actions) = CheckoutMachine.next(CheckoutMachine(record, mode: .live), .start)
///     // perform actions; the last is an effect, a finish or a propagate
///     (machine, actions) = CheckoutMachine.next(machine, .done)
public struct CheckoutMachine: SagaMachine, Equatable {
    /// Who drives the checkout.
    public enum Mode: Sendable, Equatable {
        /// The shopper's request: the checkout goes forward from `started`.
        case live
        /// Recovery took it over after a crash or an unreachable service. A
        /// checkout not yet paid is undone rather than finished (the shopper was
        /// told it failed); one past its payment is finished. At `giveUpAfter`
        /// takeovers it is undone, whatever its state, and any payment refunded.
        case recovering(giveUpAfter: Int)
    }

    /// What the machine waits for.
    enum Stage: Sendable, Equatable {
        case begin
        /// A step forward: its effect is under way.
        case forward(CheckoutEffect)
        /// Undoing: the effect under way, and what the shopper will be told once undone.
        /// `fallback`: a transient failure that led here; if undoing fails too, the
        /// checkout is left to recovery with that failure's answer.
        case undoing(CheckoutEffect, CheckoutOutcome, fallback: Bool)
        /// Giving up: the refund is under way, then the rest is undone.
        case refunding(CheckoutOutcome)
        /// The final answer is being written with the state the checkout ends in;
        /// then the cart, if undone, is restored.
        case answering(CheckoutState, CheckoutOutcome)
        /// The answer of an interrupted checkout is being kept (best effort).
        case keepingAnswer(CheckoutOutcome)
        case finished
    }

    public private(set) var record: CheckoutRecord
    public let mode: Mode
    var stage: Stage = .begin
    /// The order's lines, known once this driver created it (a resumed checkout does not have them).
    var items: [LineItem]?

    public init(_ record: CheckoutRecord, mode: Mode) {
        self.record = record
        self.mode = mode
    }

    public static var start: CheckoutEvent { .start }

    public static func failed(_ error: any Error) -> CheckoutEvent { .failed(StepFailure(error)) }

    /// True once the checkout is answered for good (Confirmed or undone): recovery counts it settled.
    public var isSettled: Bool { record.state.isFinished }

    public mutating func handle(_ event: CheckoutEvent) -> [CheckoutAction] {
        if case .failed(let failure) = event { return failed(failure) }
        switch stage {
        case .begin:
            return begin()
        case .forward(let effect):
            return stepped(effect, event)
        case .undoing(let effect, let outcome, _):
            return undoStepped(effect, event, outcome)
        case .refunding(let outcome):
            guard case .refunded(let any) = event else { return unexpected(event) }
            return (any ? [.note(.paymentRefunded)] : []) + undo(outcome)
        case .answering(let state, let outcome):
            guard case .done = event else { return unexpected(event) }
            record.state = state
            record.outcome = outcome
            let notes: [CheckoutAction] = [.note(.finished(state: state, outcome: outcome.name))]
            if record.state == .failed, let orderID = record.orderID {
                stage = .undoing(.restoreCart(orderID: orderID), outcome, fallback: false)
                return notes + [.perform(.restoreCart(orderID: orderID))]
            }
            return notes + finish(outcome)
        case .keepingAnswer(let outcome):
            record.outcome = outcome
            return finish(outcome)
        case .finished:
            return unexpected(event)
        }
    }

    // MARK: Forward

    private mutating func begin() -> [CheckoutAction] {
        if case .recovering(let giveUpAfter) = mode, record.recoveryAttempts >= max(1, giveUpAfter) {
            // The recovery window is over: stop trying to finish it, undo it.
            return abandon(outcome(.interrupted(stage: .undone)), reason: "recovery gave up after \(record.recoveryAttempts) attempts")
        }
        return advance()
    }

    /// The next step from the state the log names.
    private mutating func advance() -> [CheckoutAction] {
        switch record.state {
        case .started:
            // The checkout id is the order's idempotency key: a resumed step answers the same order.
            return forward(.createOrder)
        case .orderCreated:
            // Resumed before any charge: undone, rather than placing an order the shopper was told had failed.
            guard case .live = mode, let items, let orderID = record.orderID else { return undo(outcome(.interrupted(stage: .undone))) }
            return forward(.reserve(orderID: orderID, lines: items.map { StockLine(productId: $0.productId, quantity: $0.quantity) }))
        case .stockReserved:
            return payOrConfirm()
        case .paid:
            return confirm()
        case .completed, .failed:
            stage = .finished
            return [.finish(record.outcome ?? outcome(.interrupted(stage: .finishing)))]
        }
    }

    private mutating func stepped(_ effect: CheckoutEffect, _ event: CheckoutEvent) -> [CheckoutAction] {
        switch (effect, event) {
        case (.createOrder, .orderCreated(let order)):
            // Written down at once: recovery that gives up on a checkout can undo
            // only an order the log names.
            items = order.items
            record.orderID = order.id
            record.amount = order.totalAmount
            record.state = .orderCreated
            return forward(.writeProgress(.orderCreated))
        case (.writeProgress(.orderCreated), .done):
            return advance()
        case (.reserve, .reserved):
            // Written down before any charge: from here a resumed checkout goes forward.
            record.state = .stockReserved
            return forward(.writeProgress(.stockReserved))
        case (.reserve, .short(let shortages)):
            let names = Dictionary((items ?? []).map { ($0.productId, $0.name) }, uniquingKeysWith: { first, _ in first })
            return undo(outcome(.shortStock(items: shortages.map { ShortItem($0, name: names[$0.productId] ?? $0.productId) })))
        case (.writeProgress(.stockReserved), .done):
            return payOrConfirm()
        case (.charge, .charged(let transactionID, let status, let failureReason)):
            record.transactionID = transactionID
            switch status {
            case .completed:
                // Not written down: a resumed checkout charges again with the same key
                // and is answered this payment, so the log's next write is the answer.
                record.state = .paid
                return confirm()
            case .failed:
                return undo(outcome(.declined(reason: failureReason ?? "declined")))
            case .pending:
                return failed(.unavailable("payments service unavailable: the payment's outcome is not known yet"))
            case .refunded:
                // Given back already (this checkout was abandoned while this driver was slow).
                return undo(outcome(.interrupted(stage: .undone)))
            }
        case (.confirm, .done):
            return answer(.completed, outcome(.placed))
        default:
            return unexpected(event)
        }
    }

    private mutating func payOrConfirm() -> [CheckoutAction] {
        guard let orderID = record.orderID, let amount = record.amount else {
            return failed(.unavailable("checkout \(record.id) lost its order"))
        }
        if amount == .zero {
            // A free order: nothing to charge (payments are above zero), so it is confirmed without one.
            record.state = .paid
            return confirm()
        }
        // Same key every time: a resumed checkout learns what happened instead of charging again.
        return forward(.charge(ChargeRequest(
            userID: record.userID, orderID: orderID, amount: amount,
            paymentMethod: record.paymentMethod, idempotencyKey: "checkout-" + record.id.uuidString.lowercased())))
    }

    private mutating func confirm() -> [CheckoutAction] {
        guard let orderID = record.orderID else { return failed(.unavailable("checkout \(record.id) lost its order")) }
        // The money is taken: this step is retried through the recovery window; only a
        // refusal, or the window's end, undoes it, and then the payment goes back.
        return forward(.confirm(orderID: orderID))
    }

    private mutating func forward(_ effect: CheckoutEffect) -> [CheckoutAction] {
        stage = .forward(effect)
        return [.perform(effect)]
    }

    // MARK: Failures

    private mutating func failed(_ failure: StepFailure) -> [CheckoutAction] {
        switch stage {
        case .keepingAnswer(let outcome):
            // Best effort: the answer stands even if it could not be kept.
            record.outcome = outcome
            return finish(outcome)
        case .undoing(.restoreCart(let orderID), let outcome, _):
            // The order is cancelled and answered; a cart left empty is logged, not undone.
            return [.note(.cartNotRestored(orderID: orderID, detail: failure.detail))] + finish(outcome)
        default:
            break
        }
        switch failure {
        case .superseded:
            // Recovery took this checkout over while this driver was slow; it finishes
            // or undoes it, and a replay of the Idempotency-Key will tell which.
            stage = .finished
            return [.note(.takenOver), .finish(outcome(.interrupted(stage: .finishing)))]
        case .other:
            stage = .finished
            return [.propagate]
        case .cartEmpty, .pricesChanged, .refused, .unavailable:
            break
        }
        switch stage {
        case .begin:
            return forwardFailed(nil, failure)
        case .forward(let effect):
            return forwardFailed(effect, failure)
        case .undoing(let effect, let target, let fallback):
            return undoFailed(effect, failure, target, fallback: fallback)
        case .answering:
            if case .unavailable(let detail) = failure { return interrupted(detail) }
            stage = .finished
            return [.propagate]
        case .refunding, .keepingAnswer, .finished:
            // A refund that fails leaves the checkout as it is for the next round.
            stage = .finished
            return [.propagate]
        }
    }

    private mutating func forwardFailed(_ effect: CheckoutEffect?, _ failure: StepFailure) -> [CheckoutAction] {
        switch (effect, failure) {
        case (.createOrder, .cartEmpty):
            return answer(.failed, outcome(.cartEmpty))
        case (.createOrder, .pricesChanged(let changes)):
            return answer(.failed, outcome(.pricesChanged(changes: changes)))
        case (_, .refused(let code, let message)) where record.state == .paid:
            // Paid, but the order service refuses to confirm the order (asking again would be
            // refused again): the payment goes back and the rest is undone now.
            let words = "the order could not be confirmed (\(message)); the payment was refunded and your cart is as it was"
            return abandon(outcome(.refused(code: code, message: words)), reason: "the order could not be confirmed: \(message)")
        case (_, .refused(let code, let message)):
            // Asking again would be refused again, and nothing was charged: undo now.
            return [.note(.refused(code: code, message: message))] + undo(outcome(.refused(code: code, message: message)))
        case (_, .unavailable(let detail)):
            // Nothing can have been charged before the payment step: undo now when the
            // services answer, and leave it to recovery only when they do not.
            if record.state == .orderCreated, record.orderID != nil {
                return [.note(.undoing(after: detail))] + undo(outcome(.interrupted(stage: .notReserved)), fallback: true)
            }
            return interrupted(detail)
        default:
            stage = .finished
            return [.propagate]
        }
    }

    /// A service did not answer. The shopper hears so now; what was done is
    /// settled by recovery (undone, or confirmed when the payment went through).
    private mutating func interrupted(_ detail: String) -> [CheckoutAction] {
        let charged = record.state == .stockReserved || record.state == .paid
        let answer = outcome(.interrupted(stage: charged ? .finishing : .nothingCharged))
        // Keep the state: the answer is remembered, the work is left to recovery.
        stage = .keepingAnswer(answer)
        return [.note(.interrupted(state: record.state, detail: detail)), .perform(.keepAnswer(answer))]
    }

    // MARK: Undoing

    /// Gives up on a checkout: refunds whatever its order was charged, then undoes the rest.
    private mutating func abandon(_ target: CheckoutOutcome, reason: String) -> [CheckoutAction] {
        let note = CheckoutAction.note(.abandoned(state: record.state, attempt: record.recoveryAttempts, reason: reason))
        if let orderID = record.orderID, record.state == .stockReserved || record.state == .paid {
            stage = .refunding(target)
            return [note, .perform(.refund(orderID: orderID, reason: reason))]
        }
        return [note] + undo(target)
    }

    /// Undoes the steps that succeeded, newest first: stock back, order Cancelled,
    /// the answer written, items back in the cart. Each undo is safe to repeat
    /// except the cart's, which comes only after the log says the order was cancelled here.
    private mutating func undo(_ target: CheckoutOutcome, fallback: Bool = false) -> [CheckoutAction] {
        guard let orderID = record.orderID else { return answer(.failed, target) }
        stage = .undoing(.release(orderID: orderID), target, fallback: fallback)
        return [.perform(.release(orderID: orderID))]
    }

    private mutating func undoStepped(_ effect: CheckoutEffect, _ event: CheckoutEvent, _ target: CheckoutOutcome) -> [CheckoutAction] {
        guard case .done = event else { return unexpected(event) }
        switch effect {
        case .release(let orderID):
            stage = .undoing(.cancelOrder(orderID: orderID), target, fallback: stage.fallback)
            return [.perform(.cancelOrder(orderID: orderID))]
        case .cancelOrder:
            return answer(.failed, target)
        case .restoreCart:
            return finish(target)
        default:
            return unexpected(event)
        }
    }

    private mutating func undoFailed(_ effect: CheckoutEffect, _ failure: StepFailure, _ target: CheckoutOutcome, fallback: Bool) -> [CheckoutAction] {
        switch (effect, failure) {
        case (.cancelOrder(let orderID), .refused(_, let message)):
            // Gone, or somewhere it cannot be cancelled from: asking again changes nothing.
            return [.note(.orderNotCancelled(orderID: orderID, detail: message))] + answer(.failed, target)
        case (_, .unavailable(let detail)):
            // Undone later by recovery; the shopper hears that nothing was charged.
            return interrupted(detail)
        case (_, .refused) where fallback:
            return interrupted(failure.detail)
        default:
            stage = .finished
            return [.propagate]
        }
    }

    // MARK: Ending

    private mutating func answer(_ state: CheckoutState, _ outcome: CheckoutOutcome) -> [CheckoutAction] {
        stage = .answering(state, outcome)
        return [.perform(.writeAnswer(state, outcome))]
    }

    private mutating func finish(_ outcome: CheckoutOutcome) -> [CheckoutAction] {
        stage = .finished
        return [.finish(outcome)]
    }

    /// An event the stage does not wait for: a defect of the saga, which stops rather than guess.
    private mutating func unexpected(_ event: CheckoutEvent) -> [CheckoutAction] {
        stage = .finished
        return [.note(.unexpected(String(describing: event))), .propagate]
    }

    private func outcome(_ result: CheckoutResult) -> CheckoutOutcome {
        CheckoutOutcome(result, orderID: record.orderID, transactionID: record.transactionID)
    }
}

private extension CheckoutMachine.Stage {
    var fallback: Bool {
        if case .undoing(_, _, let fallback) = self { return fallback }
        return false
    }
}

/// What the saga performs for the machine; each feeds back one `CheckoutEvent`.
public enum CheckoutEffect: SagaEffect, Equatable {
    case createOrder
    /// Writes down the step that just succeeded (`CheckoutLog.record`).
    case writeProgress(CheckoutState)
    case reserve(orderID: String, lines: [StockLine])
    case charge(ChargeRequest)
    case confirm(orderID: String)
    case release(orderID: String)
    case cancelOrder(orderID: String)
    case refund(orderID: String, reason: String)
    case restoreCart(orderID: String)
    /// Writes the final answer with the record's state (`CheckoutLog.answer`).
    case writeAnswer(CheckoutState, CheckoutOutcome)
    /// Keeps an interrupted checkout's answer, its state unchanged; a failure here is ignored.
    case keepAnswer(CheckoutOutcome)

    /// The span it is traced as.
    public var spanName: String? {
        switch self {
        case .createOrder: "checkout: create order"
        case .reserve: "checkout: reserve stock"
        case .charge: "checkout: take payment"
        case .confirm: "checkout: confirm order"
        case .release: "checkout: release stock"
        case .cancelOrder: "checkout: cancel order"
        case .refund: "checkout: refund payment"
        case .writeProgress, .writeAnswer, .keepAnswer, .restoreCart: nil
        }
    }
}

/// What happened when the saga performed an effect (or, `.start`, that it begins).
public enum CheckoutEvent: Sendable, Equatable {
    case start
    /// An effect without a value of its own succeeded.
    case done
    case orderCreated(Order)
    case reserved
    case short([StockShortage])
    case charged(transactionID: String, status: PaymentStatus, failureReason: String?)
    /// Whether any payment was given back.
    case refunded(Bool)
    case failed(StepFailure)
}

/// A step's failure, as the decisions need it: permanent (`refused`), transient
/// (`unavailable`), or the checkout no longer this driver's (`superseded`).
public enum StepFailure: Sendable, Equatable {
    case cartEmpty
    case pricesChanged([PriceChange])
    /// Another service refused for good: asking again would be refused again.
    case refused(code: ErrorCode, message: String)
    /// Another service (or a store) did not answer: worth asking again later.
    case unavailable(String)
    /// Recovery took the checkout over.
    case superseded
    /// Anything else: not a decision the checkout makes; the error goes up as it is.
    case other(String)

    public init(_ error: any Error) {
        switch error {
        case OrderError.emptyCart: self = .cartEmpty
        case OrderError.pricesChanged(let changes): self = .pricesChanged(changes)
        case let refusal as PeerRefused: self = .refused(code: refusal.code, message: refusal.message)
        case let unavailable as ServiceUnavailable: self = .unavailable(unavailable.description)
        case is CheckoutSuperseded: self = .superseded
        default: self = .other(String(describing: error))
        }
    }

    var detail: String {
        switch self {
        case .cartEmpty: "the cart is empty"
        case .pricesChanged: "prices changed"
        case .refused(let code, let message): "refused (\(code.rawValue)): \(message)"
        case .unavailable(let detail), .other(let detail): detail
        case .superseded: "taken over by recovery"
        }
    }
}

/// Something the machine wants known: a log line, a counter.
public enum CheckoutNote: Sendable, Equatable {
    case refused(code: ErrorCode, message: String)
    case undoing(after: String)
    case takenOver
    case orderNotCancelled(orderID: String, detail: String)
    case cartNotRestored(orderID: String, detail: String)
    case abandoned(state: CheckoutState, attempt: Int, reason: String)
    case paymentRefunded
    case interrupted(state: CheckoutState, detail: String)
    case finished(state: CheckoutState, outcome: String)
    case unexpected(String)
}

public typealias CheckoutAction = SagaAction<CheckoutEffect, CheckoutNote, CheckoutOutcome>
