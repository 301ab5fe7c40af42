@testable import CheckoutService
import Foundation
import MarketplaceAPI
import ServiceKit
import Testing

/// The cancellation's decisions, fed events by hand: no store, no service, no process.
@Suite("Cancellation state machine") struct CancellationMachineTests {
    static let id = UUID(uuidString: "0C4A5E11-0000-4000-8000-000000000002")!

    static func machine(_ state: CancellationState = .started, attempts: Int = 0) -> CancellationMachine {
        CancellationMachine(CancellationRecord(id: id, orderID: "o-1", userID: "u-1", idempotencyKey: "k-1", state: state,
                                               recoveryAttempts: attempts))
    }

    static func outcome(_ result: CancellationResult) -> CancellationOutcome { CancellationOutcome(result, orderID: "o-1") }

    @discardableResult
    static func script(_ start: CancellationMachine, _ steps: [(CancellationEvent, [CancellationAction])], sourceLocation: SourceLocation = #_sourceLocation) -> CancellationMachine {
        sagaScript(start, steps, sourceLocation: sourceLocation)
    }

    static let refund = CancellationEffect.refund(orderID: "o-1", reason: "order cancelled")
    static let givenBack = OrderRefund(transactionId: "t-1", amount: Money("42.50")!, refundedAt: Date(timeIntervalSince1970: 1_800_000_000))
    /// The refund answered, then written on the order.
    static let refunded: [(CancellationEvent, [CancellationAction])] = [
        (.refunded(givenBack), [.note(.refunded), .perform(.recordRefund(orderID: "o-1", refund: givenBack))]),
        (.done, [.perform(.release(orderID: "o-1"))]),
    ]

    /// The order cancelled and written down: from here only forward.
    static let committed: [(CancellationEvent, [CancellationAction])] = [
        (.start, [.perform(.cancelOrder(orderID: "o-1"))]),
        (.done, [.perform(.writeProgress(.orderCancelled))]),
        (.done, [.perform(refund)]),
    ]

    static func answered(_ state: CancellationState, _ result: CancellationResult) -> [(CancellationEvent, [CancellationAction])] {
        [(.done, [.note(.finished(state: state, outcome: outcome(result).name)), .finish(outcome(result))])]
    }

    @Test func aCancellationCancelsTheOrderThenRefundsThenWritesTheRefundThenReleasesTheStock() {
        let machine = Self.script(Self.machine(), Self.committed + Self.refunded + [
            (.done, [.perform(.writeAnswer(.completed, Self.outcome(.cancelled(refunded: true))))]),
        ] + Self.answered(.completed, .cancelled(refunded: true)))
        #expect(machine.isSettled)
        #expect(machine.record.state == .completed)
    }

    @Test func anOrderNeverPaidIsCancelledWithNothingToRefund() {
        Self.script(Self.machine(), Self.committed + [
            (.refunded(nil), [.perform(.release(orderID: "o-1"))]),
            (.done, [.perform(.writeAnswer(.completed, Self.outcome(.cancelled(refunded: false))))]),
        ] + Self.answered(.completed, .cancelled(refunded: false)))
    }

    @Test func anOrderWithAShippedPartIsNotCancellableAndNothingMoves() {
        let message = "Cannot change an order from Shipped to Cancelled"
        let result = CancellationResult.notCancellable(message: "The order can no longer be cancelled: \(message)")
        for code in [ErrorCode.illegalTransition, .orderNotCancellable] {
            Self.script(Self.machine(), [
                (.start, [.perform(.cancelOrder(orderID: "o-1"))]),
                (.failed(.refused(code: code, message: message)), [.perform(.writeAnswer(.failed, Self.outcome(result)))]),
            ] + Self.answered(.failed, result))
        }
    }

    @Test func anOrderTheOrderServiceRefusesForAnotherReasonAnswersItsCode() {
        let result = CancellationResult.refused(code: .notFound, message: "Order not found")
        Self.script(Self.machine(), [
            (.start, [.perform(.cancelOrder(orderID: "o-1"))]),
            (.failed(.refused(code: .notFound, message: "Order not found")), [.perform(.writeAnswer(.failed, Self.outcome(result)))]),
        ] + Self.answered(.failed, result))
    }

    @Test func anUnreachableOrderServiceChangesNothingAndIsLeftToRecovery() {
        let answer = Self.outcome(.interrupted(committed: false))
        let machine = Self.script(Self.machine(), [
            (.start, [.perform(.cancelOrder(orderID: "o-1"))]),
            (.failed(.unavailable("orders down")), [.note(.interrupted(state: .started, detail: "orders down", stuck: false)), .perform(.keepAnswer(answer))]),
            (.done, [.finish(answer)]),
        ])
        #expect(!machine.isSettled)
    }

    @Test func afterTheOrderIsCancelledEveryFailureIsLeftToRecoveryNeverUndone() {
        let answer = Self.outcome(.interrupted(committed: true))
        for (failure, stuck) in [(StepFailure.unavailable("payments down"), false), (.refused(code: .forbidden, message: "no"), true)] {
            // At the refund.
            Self.script(Self.machine(), Self.committed + [
                (.failed(failure), [.note(.interrupted(state: .orderCancelled, detail: failure == .unavailable("payments down") ? "payments down" : "no", stuck: stuck)),
                                    .perform(.keepAnswer(answer))]),
                (.failed(.superseded), [.finish(answer)]),
            ])
            // At the refund's writing on the order, and at the release.
            Self.script(Self.machine(), Self.committed + [
                (.refunded(Self.givenBack), [.note(.refunded), .perform(.recordRefund(orderID: "o-1", refund: Self.givenBack))]),
                (.failed(failure), [.note(.interrupted(state: .orderCancelled, detail: failure == .unavailable("payments down") ? "payments down" : "no", stuck: stuck)),
                                    .perform(.keepAnswer(answer))]),
                (.done, [.finish(answer)]),
            ])
            Self.script(Self.machine(), Self.committed + Self.refunded + [
                (.failed(failure), [.note(.interrupted(state: .orderCancelled, detail: failure == .unavailable("payments down") ? "payments down" : "no", stuck: stuck)),
                                    .perform(.keepAnswer(answer))]),
                (.done, [.finish(answer)]),
            ])
        }
    }

    @Test func recoveryReplaysACrashAtEachStep() {
        // Before the order was cancelled: asked again.
        Self.script(Self.machine(.started, attempts: 1), [(.start, [.perform(.cancelOrder(orderID: "o-1"))])])
        // After: the refund and the release again (each safe to repeat), however many takeovers it took.
        for attempts in [1, 7, 40] {
            Self.script(Self.machine(.orderCancelled, attempts: attempts), [
                (.start, [.perform(Self.refund)]),
            ] + Self.refunded + [
                (.done, [.perform(.writeAnswer(.completed, Self.outcome(.cancelled(refunded: true))))]),
            ] + Self.answered(.completed, .cancelled(refunded: true)))
        }
    }

    @Test func aSlowDriverTakenOverStopsWithoutWriting() {
        Self.script(Self.machine(), [
            (.start, [.perform(.cancelOrder(orderID: "o-1"))]),
            (.done, [.perform(.writeProgress(.orderCancelled))]),
            (.failed(.superseded), [.note(.takenOver), .finish(Self.outcome(.interrupted(committed: true)))]),
        ])
    }

    @Test func aFinishedCancellationAnswersWhatItAnswered() {
        var record = Self.machine(.completed).record
        record.outcome = Self.outcome(.cancelled(refunded: true))
        Self.script(CancellationMachine(record), [(.start, [.finish(Self.outcome(.cancelled(refunded: true)))])])
    }

    @Test func anErrorThatIsNoDecisionGoesUpAndAnUnexpectedEventStops() {
        Self.script(Self.machine(), [(.start, [.perform(.cancelOrder(orderID: "o-1"))]), (.failed(.other("PSQLError")), [.propagate])])
        Self.script(Self.machine(), [(.start, [.perform(.cancelOrder(orderID: "o-1"))]), (.refunded(nil), [.note(.unexpected("refunded(nil)")), .propagate])])
    }

    @Test func eachOutcomeHasItsAnswer() {
        #expect(Self.outcome(.cancelled(refunded: true)).failure == nil)
        #expect(Self.outcome(.notCancellable(message: "shipped")).failure?.0 == .conflict)
        #expect(Self.outcome(.notCancellable(message: "shipped")).failure?.1.code == .orderNotCancellable)
        #expect(Self.outcome(.inProgress).failure?.1.code == .cancellationInProgress)
        #expect(Self.outcome(.interrupted(committed: true)).failure?.0 == .serviceUnavailable)
        #expect(Self.outcome(.refused(code: .notFound, message: "gone")).failure?.0.code == 404)
    }
}
