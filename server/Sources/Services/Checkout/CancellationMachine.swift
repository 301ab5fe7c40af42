import Foundation
import MarketplaceAPI
import ServiceKit

/// Every decision of an order's cancellation, and nothing else (the shape of
/// `CheckoutMachine`): cancel the order first, since once it is Cancelled nothing
/// can ship it; then refund its payments and release its stock, each safe to
/// repeat. Before the order is cancelled a refusal ends it (a part has shipped)
/// and an outage leaves it for recovery, which asks again; after, it only goes
/// forward, however often recovery has to take it over, since the money and the
/// stock must come back. A refund is written on the order (what the shopper
/// reads) before the stock is released.
public struct CancellationMachine: SagaMachine, Equatable {
    enum Stage: Sendable, Equatable {
        case begin
        case waiting(CancellationEffect)
        /// The final answer is being written with the state the cancellation ends in.
        case answering(CancellationState, CancellationOutcome)
        case keepingAnswer(CancellationOutcome)
        case finished
    }

    public private(set) var record: CancellationRecord
    var stage: Stage = .begin
    /// What was given back, once the refund answered (nil: the order was not paid).
    var refund: OrderRefund?

    /// The same decisions serve the request and recovery: a cancellation only
    /// resumes from the state its log names.
    public init(_ record: CancellationRecord) {
        self.record = record
    }

    public static var start: CancellationEvent { .start }

    public static func failed(_ error: any Error) -> CancellationEvent { .failed(StepFailure(error)) }

    public var isSettled: Bool { record.state.isFinished }

    public mutating func handle(_ event: CancellationEvent) -> [CancellationAction] {
        switch (stage, event) {
        case (.begin, .start):
            return advance()
        case (_, .failed(let failure)):
            return failed(failure)
        case (.waiting(.cancelOrder), .done):
            record.state = .orderCancelled
            return wait(.writeProgress(.orderCancelled))
        case (.waiting(.writeProgress), .done):
            return advance()
        case (.waiting(.refund), .refunded(let refund)):
            self.refund = refund
            guard let refund else { return wait(.release(orderID: record.orderID)) }
            return [.note(.refunded)] + wait(.recordRefund(orderID: record.orderID, refund: refund))
        case (.waiting(.recordRefund), .done):
            return wait(.release(orderID: record.orderID))
        case (.waiting(.release), .done):
            return answer(.completed, .cancelled(refunded: refund != nil))
        case (.answering(let state, let outcome), .done):
            record.state = state
            record.outcome = outcome
            stage = .finished
            return [.note(.finished(state: state, outcome: outcome.name)), .finish(outcome)]
        case (.keepingAnswer(let outcome), .done):
            record.outcome = outcome
            stage = .finished
            return [.finish(outcome)]
        default:
            stage = .finished
            return [.note(.unexpected(String(describing: event))), .propagate]
        }
    }

    /// The next step from the state the log names.
    private mutating func advance() -> [CancellationAction] {
        switch record.state {
        case .started:
            return wait(.cancelOrder(orderID: record.orderID))
        case .orderCancelled:
            return wait(.refund(orderID: record.orderID, reason: "order cancelled"))
        case .completed, .failed:
            stage = .finished
            return [.finish(record.outcome ?? outcome(.interrupted(committed: record.state == .completed)))]
        }
    }

    private mutating func failed(_ failure: StepFailure) -> [CancellationAction] {
        if case .keepingAnswer(let answer) = stage {
            // Best effort: the answer stands even if it could not be kept.
            record.outcome = answer
            stage = .finished
            return [.finish(answer)]
        }
        switch failure {
        case .superseded:
            // Recovery took it over while this driver was slow; it finishes it.
            stage = .finished
            return [.note(.takenOver), .finish(outcome(.interrupted(committed: record.state != .started)))]
        case .other, .cartEmpty, .pricesChanged:
            stage = .finished
            return [.propagate]
        case .refused(let code, let message) where stage == .waiting(.cancelOrder(orderID: record.orderID)):
            // Shipped, delivered or gone: asking again would be refused again.
            if code == .illegalTransition || code == .orderNotCancellable {
                return answer(.failed, .notCancellable(message: "The order can no longer be cancelled: \(message)"))
            }
            return answer(.failed, .refused(code: code, message: message))
        case .refused(_, let message), .unavailable(let message):
            // Before the order is cancelled nothing has changed; after, the refund and
            // the stock are owed: either way recovery asks again.
            let committed = record.state != .started
            stage = .keepingAnswer(outcome(.interrupted(committed: committed)))
            return [.note(.interrupted(state: record.state, detail: message, stuck: committed && failure.isRefusal)),
                    .perform(.keepAnswer(outcome(.interrupted(committed: committed))))]
        }
    }

    private mutating func wait(_ effect: CancellationEffect) -> [CancellationAction] {
        stage = .waiting(effect)
        return [.perform(effect)]
    }

    private mutating func answer(_ state: CancellationState, _ result: CancellationResult) -> [CancellationAction] {
        let answer = outcome(result)
        stage = .answering(state, answer)
        return [.perform(.writeAnswer(state, answer))]
    }

    private func outcome(_ result: CancellationResult) -> CancellationOutcome {
        CancellationOutcome(result, orderID: record.orderID)
    }
}

extension StepFailure {
    var isRefusal: Bool {
        if case .refused = self { return true }
        return false
    }
}

public enum CancellationEffect: SagaEffect, Equatable {
    /// The order's status to Cancelled (the order service refuses once a part has shipped).
    case cancelOrder(orderID: String)
    case writeProgress(CancellationState)
    /// Every payment of the order given back (safe to repeat).
    case refund(orderID: String, reason: String)
    /// The refund written on the order, for its shopper to read (safe to repeat).
    case recordRefund(orderID: String, refund: OrderRefund)
    /// The order's reserved stock back (an order's stock comes back once).
    case release(orderID: String)
    case writeAnswer(CancellationState, CancellationOutcome)
    /// Keeps an interrupted cancellation's answer, its state unchanged; a failure here is ignored.
    case keepAnswer(CancellationOutcome)

    /// The span it is traced as.
    public var spanName: String? {
        switch self {
        case .cancelOrder: "cancellation: cancel order"
        case .refund: "cancellation: refund payments"
        case .recordRefund: "cancellation: record refund"
        case .release: "cancellation: release stock"
        case .writeProgress, .writeAnswer, .keepAnswer: nil
        }
    }
}

public enum CancellationEvent: Sendable, Equatable {
    case start
    case done
    /// What was given back; nil when the order had no payment to give back.
    case refunded(OrderRefund?)
    case failed(StepFailure)
}

public enum CancellationNote: Sendable, Equatable {
    case refunded
    case takenOver
    /// `stuck`: the order is Cancelled but a service refuses to give back its money or stock.
    case interrupted(state: CancellationState, detail: String, stuck: Bool)
    case finished(state: CancellationState, outcome: String)
    case unexpected(String)
}

public typealias CancellationAction = SagaAction<CancellationEffect, CancellationNote, CancellationOutcome>
