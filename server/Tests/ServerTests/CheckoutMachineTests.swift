@testable import CheckoutService
import Foundation
import MarketplaceAPI
import OrderService
import PaymentService
import ServiceKit
import Testing

/// The checkout's decisions, fed events by hand: no store, no service, no process.
/// Each test is a script: an event, then exactly the actions the machine asks for.
@Suite("Checkout state machine") struct CheckoutMachineTests {
    static let id = UUID(uuidString: "6F1C2A8E-0000-4000-8000-000000000001")!
    static let address = ShippingAddress(street: "1 Main St", city: "Gent", zip: "9000", country: "Belgium")
    static let lamp = LineItem(productId: "p-lamp", name: "Lamp", price: Money("12.50")!, quantity: 2)
    static let mug = LineItem(productId: "p-mug", name: "Mug", price: Money("4.00")!, quantity: 1)
    static let total = Money("29.00")!
    static let order = Order(id: "o-1", userId: "u-1", items: [lamp, mug], totalAmount: total, status: .pending,
                             shippingAddress: address, createdAt: Date(timeIntervalSince1970: 0), updatedAt: Date(timeIntervalSince1970: 0))
    static let lines = [StockLine(productId: "p-lamp", quantity: 2), StockLine(productId: "p-mug", quantity: 1)]
    static let charge = ChargeRequest(userID: "u-1", orderID: "o-1", amount: total, paymentMethod: "tok_visa",
                                      idempotencyKey: "checkout-6f1c2a8e-0000-4000-8000-000000000001")
    static let down = StepFailure.unavailable("inventory service unavailable: connection refused")
    static let refusal = StepFailure.refused(code: .illegalTransition, message: "Cannot change an order from Cancelled to Confirmed")

    static func record(_ state: CheckoutState = .started, order: Bool = false, amount: Money? = nil, attempts: Int = 0) -> CheckoutRecord {
        CheckoutRecord(id: id, userID: "u-1", idempotencyKey: "key-1", state: state, address: address, paymentMethod: "tok_visa",
                       orderID: order ? "o-1" : nil, amount: order ? (amount ?? total) : nil, recoveryAttempts: attempts)
    }

    static func live(_ record: CheckoutRecord = record()) -> CheckoutMachine { CheckoutMachine(record, mode: .live) }

    static func resumed(_ record: CheckoutRecord, giveUpAfter: Int = 3) -> CheckoutMachine {
        CheckoutMachine(record, mode: .recovering(giveUpAfter: giveUpAfter))
    }

    static func outcome(_ result: CheckoutResult, order: Bool = true, transaction: String? = nil) -> CheckoutOutcome {
        CheckoutOutcome(result, orderID: order ? "o-1" : nil, transactionID: transaction)
    }

    /// Feeds the events in order and checks the actions after each; answers the machine at the end.
    @discardableResult
    static func script(_ start: CheckoutMachine, _ steps: [(CheckoutEvent, [CheckoutAction])], sourceLocation: SourceLocation = #_sourceLocation) -> CheckoutMachine {
        sagaScript(start, steps, sourceLocation: sourceLocation)
    }

    /// The live checkout up to the moment its stock is reserved and written down.
    static let toReserved: [(CheckoutEvent, [CheckoutAction])] = [
        (.start, [.perform(.createOrder)]),
        (.orderCreated(order), [.perform(.writeProgress(.orderCreated))]),
        (.done, [.perform(.reserve(orderID: "o-1", lines: lines))]),
        (.reserved, [.perform(.writeProgress(.stockReserved))]),
        (.done, [.perform(.charge(charge))]),
    ]

    /// Undoing an order that exists: stock back, order Cancelled, the answer written, the cart back.
    static func undone(_ outcome: CheckoutOutcome, after event: CheckoutEvent, notes: [CheckoutAction] = []) -> [(CheckoutEvent, [CheckoutAction])] {
        [
            (event, notes + [.perform(.release(orderID: "o-1"))]),
            (.done, [.perform(.cancelOrder(orderID: "o-1"))]),
            (.done, [.perform(.writeAnswer(.failed, outcome))]),
            (.done, [.note(.finished(state: .failed, outcome: outcome.name)), .perform(.restoreCart(orderID: "o-1"))]),
            (.done, [.finish(outcome)]),
        ]
    }

    // MARK: Going forward

    @Test func aCheckoutCreatesReservesChargesConfirmsAndAnswers() {
        let placed = Self.outcome(.placed, transaction: "t-1")
        let machine = Self.script(Self.live(), Self.toReserved + [
            (.charged(transactionID: "t-1", status: .completed, failureReason: nil), [.perform(.confirm(orderID: "o-1"))]),
            (.done, [.perform(.writeAnswer(.completed, placed))]),
            (.done, [.note(.finished(state: .completed, outcome: "placed")), .finish(placed)]),
        ])
        #expect(machine.record.state == .completed)
        #expect(machine.record.outcome == placed)
        #expect(machine.record.transactionID == "t-1")
        #expect(machine.isSettled)
    }

    @Test func aFreeOrderIsConfirmedWithoutACharge() {
        var free = Self.order
        free.totalAmount = .zero
        let placed = Self.outcome(.placed)
        Self.script(Self.live(), [
            (.start, [.perform(.createOrder)]),
            (.orderCreated(free), [.perform(.writeProgress(.orderCreated))]),
            (.done, [.perform(.reserve(orderID: "o-1", lines: Self.lines))]),
            (.reserved, [.perform(.writeProgress(.stockReserved))]),
            (.done, [.perform(.confirm(orderID: "o-1"))]),
            (.done, [.perform(.writeAnswer(.completed, placed))]),
            (.done, [.note(.finished(state: .completed, outcome: "placed")), .finish(placed)]),
        ])
    }

    // MARK: Each failure at each step

    @Test func anEmptyCartOrChangedPricesAnswerAtOnceWithNothingToUndo() {
        let change = PriceChange(productId: "p-lamp", name: "Lamp", oldPrice: Money("12.50")!, newPrice: Money("13.00")!)
        for (failure, result) in [(StepFailure.cartEmpty, CheckoutResult.cartEmpty), (.pricesChanged([change]), .pricesChanged(changes: [change]))] {
            let answer = Self.outcome(result, order: false)
            let machine = Self.script(Self.live(), [
                (.start, [.perform(.createOrder)]),
                (.failed(failure), [.perform(.writeAnswer(.failed, answer))]),
                (.done, [.note(.finished(state: .failed, outcome: answer.name)), .finish(answer)]),
            ])
            #expect(machine.record.state == .failed)
        }
    }

    @Test func theOrderServiceRefusingOrNotAnsweringCreatesNothing() {
        let refused = Self.outcome(.refused(code: .illegalTransition, message: "Cannot change an order from Cancelled to Confirmed"), order: false)
        Self.script(Self.live(), [
            (.start, [.perform(.createOrder)]),
            (.failed(Self.refusal), [.note(.refused(code: .illegalTransition, message: "Cannot change an order from Cancelled to Confirmed")),
                                     .perform(.writeAnswer(.failed, refused))]),
            (.done, [.note(.finished(state: .failed, outcome: "refused")), .finish(refused)]),
        ])
        let interrupted = Self.outcome(.interrupted(stage: .nothingCharged), order: false)
        let machine = Self.script(Self.live(), [
            (.start, [.perform(.createOrder)]),
            (.failed(Self.down), [.note(.interrupted(state: .started, detail: "inventory service unavailable: connection refused")),
                                  .perform(.keepAnswer(interrupted))]),
            (.done, [.finish(interrupted)]),
        ])
        #expect(machine.record.state == .started, "left to recovery")
        #expect(!machine.isSettled)
    }

    @Test func theLogFailingAfterTheOrderUndoesTheOrderNow() {
        let answer = Self.outcome(.interrupted(stage: .notReserved))
        Self.script(Self.live(), [
            (.start, [.perform(.createOrder)]),
            (.orderCreated(Self.order), [.perform(.writeProgress(.orderCreated))]),
        ] + Self.undone(answer, after: .failed(.unavailable("the checkout log is unavailable")),
                        notes: [.note(.undoing(after: "the checkout log is unavailable"))]))
    }

    @Test func shortStockUndoesTheOrderAndNamesTheShortItems() {
        let short = StockShortage(productId: "p-lamp", requested: 2, available: 1)
        let answer = Self.outcome(.shortStock(items: [ShortItem(short, name: "Lamp")]))
        Self.script(Self.live(), Array(Self.toReserved.prefix(3)) + Self.undone(answer, after: .short([short])))
    }

    @Test func aRefusedReservationIsUndoneNow() {
        let answer = Self.outcome(.refused(code: .illegalTransition, message: "Cannot change an order from Cancelled to Confirmed"))
        Self.script(Self.live(), Array(Self.toReserved.prefix(3)) + Self.undone(
            answer, after: .failed(Self.refusal),
            notes: [.note(.refused(code: .illegalTransition, message: "Cannot change an order from Cancelled to Confirmed"))]))
    }

    @Test func anUnreachableInventoryIsUndoneNowWhenItAnswersTheUndo() {
        let answer = Self.outcome(.interrupted(stage: .notReserved))
        Self.script(Self.live(), Array(Self.toReserved.prefix(3)) + Self.undone(
            answer, after: .failed(Self.down), notes: [.note(.undoing(after: "inventory service unavailable: connection refused"))]))
    }

    @Test func anUnreachableInventoryThatCannotBeUndoneIsLeftToRecovery() {
        let interrupted = Self.outcome(.interrupted(stage: .nothingCharged))
        for failure in [Self.down, Self.refusal] {
            let machine = Self.script(Self.live(), Array(Self.toReserved.prefix(3)) + [
                (.failed(Self.down), [.note(.undoing(after: "inventory service unavailable: connection refused")), .perform(.release(orderID: "o-1"))]),
                (.failed(failure), [.note(.interrupted(state: .orderCreated, detail: failure.detail)), .perform(.keepAnswer(interrupted))]),
                (.failed(.superseded), [.finish(interrupted)]),
            ])
            #expect(machine.record.state == .orderCreated)
            #expect(machine.record.outcome == interrupted, "kept, even when the write of it failed")
        }
    }

    @Test func aRefusedReleaseOfAnOrderBeingUndoneGoesUpAsItIs() {
        let short = StockShortage(productId: "p-lamp", requested: 2, available: 0)
        Self.script(Self.live(), Array(Self.toReserved.prefix(3)) + [
            (.short([short]), [.perform(.release(orderID: "o-1"))]),
            (.failed(Self.refusal), [.propagate]),
        ])
    }

    @Test func anOrderThatCannotBeCancelledOrACartThatCannotBeRefilledIsLoggedAndTheUndoGoesOn() {
        let short = StockShortage(productId: "p-mug", requested: 1, available: 0)
        let answer = Self.outcome(.shortStock(items: [ShortItem(short, name: "Mug")]))
        Self.script(Self.live(), Array(Self.toReserved.prefix(3)) + [
            (.short([short]), [.perform(.release(orderID: "o-1"))]),
            (.done, [.perform(.cancelOrder(orderID: "o-1"))]),
            (.failed(Self.refusal), [.note(.orderNotCancelled(orderID: "o-1", detail: "Cannot change an order from Cancelled to Confirmed")),
                                     .perform(.writeAnswer(.failed, answer))]),
            (.done, [.note(.finished(state: .failed, outcome: "short_stock")), .perform(.restoreCart(orderID: "o-1"))]),
            (.failed(.other("decoding failed")), [.note(.cartNotRestored(orderID: "o-1", detail: "decoding failed")), .finish(answer)]),
        ])
    }

    @Test func aDeclinedPaymentIsUndone() {
        let answer = Self.outcome(.declined(reason: "card_declined"), transaction: "t-1")
        Self.script(Self.live(), Self.toReserved + Self.undone(
            answer, after: .charged(transactionID: "t-1", status: .failed, failureReason: "card_declined")))
    }

    @Test func aPaymentAlreadyGivenBackIsUndone() {
        let answer = Self.outcome(.interrupted(stage: .undone), transaction: "t-1")
        Self.script(Self.live(), Self.toReserved + Self.undone(
            answer, after: .charged(transactionID: "t-1", status: .refunded, failureReason: nil)))
    }

    @Test func aRefusedChargeIsUndoneForNothingWasTaken() {
        let answer = Self.outcome(.refused(code: .validationFailed, message: "paymentMethod is not accepted"))
        Self.script(Self.live(), Self.toReserved + Self.undone(
            answer, after: .failed(.refused(code: .validationFailed, message: "paymentMethod is not accepted")),
            notes: [.note(.refused(code: .validationFailed, message: "paymentMethod is not accepted"))]))
    }

    @Test func aPaymentOfUnknownOutcomeOrAnUnreachablePaymentServiceIsLeftToRecovery() {
        let finishing = Self.outcome(.interrupted(stage: .finishing))
        let machine = Self.script(Self.live(), Self.toReserved + [
            (.failed(.unavailable("payments service unavailable: timed out")),
             [.note(.interrupted(state: .stockReserved, detail: "payments service unavailable: timed out")), .perform(.keepAnswer(finishing))]),
            (.done, [.finish(finishing)]),
        ])
        #expect(machine.record.state == .stockReserved, "recovery charges again with the same key")
        let pending = Self.outcome(.interrupted(stage: .finishing), transaction: "t-1")
        Self.script(Self.live(), Self.toReserved + [
            (.charged(transactionID: "t-1", status: .pending, failureReason: nil),
             [.note(.interrupted(state: .stockReserved, detail: "payments service unavailable: the payment's outcome is not known yet")),
              .perform(.keepAnswer(pending))]),
            (.done, [.finish(pending)]),
        ])
    }

    @Test func aPaidOrderTheOrderServiceRefusesToConfirmIsRefundedAndUndone() {
        let words = "the order could not be confirmed (Cannot change an order from Cancelled to Confirmed); the payment was refunded and your cart is as it was"
        let answer = Self.outcome(.refused(code: .illegalTransition, message: words), transaction: "t-1")
        let reason = "the order could not be confirmed: Cannot change an order from Cancelled to Confirmed"
        Self.script(Self.live(), Self.toReserved + [
            (.charged(transactionID: "t-1", status: .completed, failureReason: nil), [.perform(.confirm(orderID: "o-1"))]),
            (.failed(Self.refusal), [.note(.abandoned(state: .paid, attempt: 0, reason: reason)),
                                     .perform(.refund(orderID: "o-1", reason: reason))]),
        ] + Self.undone(answer, after: .refunded(true), notes: [.note(.paymentRefunded)]))
    }

    @Test func aRefundThatFailsGoesUpAndLeavesTheCheckoutForTheNextRound() {
        let machine = Self.script(Self.live(), Self.toReserved + [
            (.charged(transactionID: "t-1", status: .completed, failureReason: nil), [.perform(.confirm(orderID: "o-1"))]),
            (.failed(Self.refusal), [.note(.abandoned(state: .paid, attempt: 0, reason: "the order could not be confirmed: Cannot change an order from Cancelled to Confirmed")),
                                     .perform(.refund(orderID: "o-1", reason: "the order could not be confirmed: Cannot change an order from Cancelled to Confirmed"))]),
            (.failed(.unavailable("payments service unavailable")), [.propagate]),
        ])
        #expect(!machine.isSettled)
    }

    @Test func anUnreachableOrderServiceAfterThePaymentIsLeftToRecovery() {
        let finishing = Self.outcome(.interrupted(stage: .finishing), transaction: "t-1")
        for failing in ["confirm", "answer"] {
            var steps = Self.toReserved + [
                (.charged(transactionID: "t-1", status: .completed, failureReason: nil), [.perform(.confirm(orderID: "o-1"))]),
            ]
            if failing == "answer" { steps.append((.done, [.perform(.writeAnswer(.completed, Self.outcome(.placed, transaction: "t-1")))])) }
            steps += [
                (.failed(.unavailable("down")), [.note(.interrupted(state: .paid, detail: "down")), .perform(.keepAnswer(finishing))]),
                (.done, [.finish(finishing)]),
            ]
            let machine = Self.script(Self.live(), steps)
            #expect(machine.record.state == .paid, "\(failing)")
        }
    }

    @Test func aDriverTakenOverByRecoveryStopsWithoutWritingAtAnyStep() {
        let finishing = Self.outcome(.interrupted(stage: .finishing), order: false)
        Self.script(Self.live(), [(.start, [.perform(.createOrder)]), (.failed(.superseded), [.note(.takenOver), .finish(finishing)])])
        for depth in 2...Self.toReserved.count {
            let machine = Self.script(Self.live(), Array(Self.toReserved.prefix(depth)))
            let (_, actions) = CheckoutMachine.next(machine, .failed(.superseded))
            #expect(actions == [.note(.takenOver), .finish(Self.outcome(.interrupted(stage: .finishing)))], "after step \(depth)")
        }
    }

    @Test func anErrorThatIsNoDecisionOfTheCheckoutGoesUpAsItIs() {
        Self.script(Self.live(), [(.start, [.perform(.createOrder)]), (.failed(.other("PSQLError")), [.propagate])])
        Self.script(Self.live(), Array(Self.toReserved.prefix(2)) + [(.failed(.other("PSQLError")), [.propagate])])
    }

    @Test func anEventTheStepDoesNotWaitForStopsTheSaga() {
        Self.script(Self.live(), [
            (.start, [.perform(.createOrder)]),
            (.reserved, [.note(.unexpected("reserved")), .propagate]),
        ])
    }

    // MARK: A crash at each step, replayed from the log

    @Test func aCheckoutThatCrashedBeforeItsOrderWasWrittenDownIsUndone() {
        // The order may exist without the log naming it: created again by its key, then undone.
        let answer = Self.outcome(.interrupted(stage: .undone))
        Self.script(Self.resumed(Self.record()), [
            (.start, [.perform(.createOrder)]),
            (.orderCreated(Self.order), [.perform(.writeProgress(.orderCreated))]),
        ] + Self.undone(answer, after: .done))
    }

    @Test func aCheckoutThatCrashedBeforeItsStockWasWrittenDownIsUndone() {
        let answer = Self.outcome(.interrupted(stage: .undone))
        Self.script(Self.resumed(Self.record(.orderCreated, order: true)), Self.undone(answer, after: .start))
    }

    @Test func aCheckoutThatCrashedAtThePaymentChargesAgainWithTheSameKeyAndFinishes() {
        let placed = Self.outcome(.placed, transaction: "t-1")
        let machine = Self.script(Self.resumed(Self.record(.stockReserved, order: true, attempts: 1)), [
            (.start, [.perform(.charge(Self.charge))]),
            (.charged(transactionID: "t-1", status: .completed, failureReason: nil), [.perform(.confirm(orderID: "o-1"))]),
            (.done, [.perform(.writeAnswer(.completed, placed))]),
            (.done, [.note(.finished(state: .completed, outcome: "placed")), .finish(placed)]),
        ])
        #expect(machine.isSettled)
    }

    @Test func aCheckoutThatCrashedAtAPaymentThatWasDeclinedIsUndone() {
        let answer = Self.outcome(.declined(reason: "insufficient_funds"), transaction: "t-1")
        Self.script(Self.resumed(Self.record(.stockReserved, order: true, attempts: 1)), [
            (.start, [.perform(.charge(Self.charge))]),
        ] + Self.undone(answer, after: .charged(transactionID: "t-1", status: .failed, failureReason: "insufficient_funds")))
    }

    @Test func aCheckoutLeftPaidIsConfirmed() {
        let placed = Self.outcome(.placed)
        Self.script(Self.resumed(Self.record(.paid, order: true, attempts: 1)), [
            (.start, [.perform(.confirm(orderID: "o-1"))]),
            (.done, [.perform(.writeAnswer(.completed, placed))]),
            (.done, [.note(.finished(state: .completed, outcome: "placed")), .finish(placed)]),
        ])
    }

    @Test func aFinishedCheckoutAnswersWhatItAnsweredAndDoesNothing() {
        var record = Self.record(.completed, order: true)
        record.outcome = Self.outcome(.placed, transaction: "t-1")
        Self.script(Self.resumed(record), [(.start, [.finish(Self.outcome(.placed, transaction: "t-1"))])])
    }

    // MARK: Retries through the recovery window, then giving up

    @Test func recoveryRetriesAnUnreachablePaymentServiceUntilItsWindowEndsThenRefundsAndUndoes() {
        let finishing = Self.outcome(.interrupted(stage: .finishing))
        for attempt in 1..<3 {
            let machine = Self.script(Self.resumed(Self.record(.stockReserved, order: true, attempts: attempt), giveUpAfter: 3), [
                (.start, [.perform(.charge(Self.charge))]),
                (.failed(.unavailable("down")), [.note(.interrupted(state: .stockReserved, detail: "down")), .perform(.keepAnswer(finishing))]),
                (.done, [.finish(finishing)]),
            ])
            #expect(!machine.isSettled, "attempt \(attempt) leaves it for the next round")
        }
        let undone = Self.outcome(.interrupted(stage: .undone))
        let machine = Self.script(Self.resumed(Self.record(.stockReserved, order: true, attempts: 3), giveUpAfter: 3), [
            (.start, [.note(.abandoned(state: .stockReserved, attempt: 3, reason: "recovery gave up after 3 attempts")),
                      .perform(.refund(orderID: "o-1", reason: "recovery gave up after 3 attempts"))]),
        ] + Self.undone(undone, after: .refunded(false)))
        #expect(machine.isSettled)
    }

    @Test func givingUpBeforeAnyChargeRefundsNothing() {
        let undone = Self.outcome(.interrupted(stage: .undone))
        Self.script(Self.resumed(Self.record(.orderCreated, order: true, attempts: 2), giveUpAfter: 2), Self.undone(
            undone, after: .start, notes: [.note(.abandoned(state: .orderCreated, attempt: 2, reason: "recovery gave up after 2 attempts"))]))
        let nothing = Self.outcome(.interrupted(stage: .undone), order: false)
        Self.script(Self.resumed(Self.record(.started, attempts: 2), giveUpAfter: 2), [
            (.start, [.note(.abandoned(state: .started, attempt: 2, reason: "recovery gave up after 2 attempts")),
                      .perform(.writeAnswer(.failed, nothing))]),
            (.done, [.note(.finished(state: .failed, outcome: "interrupted_undone")), .finish(nothing)]),
        ])
    }

    @Test func givingUpOnAPaidCheckoutRefundsItsPayment() {
        let undone = Self.outcome(.interrupted(stage: .undone))
        Self.script(Self.resumed(Self.record(.paid, order: true, attempts: 1), giveUpAfter: 1), [
            (.start, [.note(.abandoned(state: .paid, attempt: 1, reason: "recovery gave up after 1 attempts")),
                      .perform(.refund(orderID: "o-1", reason: "recovery gave up after 1 attempts"))]),
        ] + Self.undone(undone, after: .refunded(true), notes: [.note(.paymentRefunded)]))
    }

    // MARK: Permanent or transient

    @Test func failuresAreSortedIntoPermanentTransientAndTheRest() {
        #expect(StepFailure(OrderError.emptyCart) == .cartEmpty)
        #expect(StepFailure(PeerRefused(service: "orders", code: .illegalTransition, message: "no")) == .refused(code: .illegalTransition, message: "no"))
        #expect(StepFailure(ServiceUnavailable(service: "payments", detail: "timed out")) == .unavailable("payments service unavailable: timed out"))
        #expect(StepFailure(CheckoutSuperseded(checkoutID: Self.id)) == .superseded)
        guard case .other = StepFailure(CancellationError()) else {
            Issue.record("a cancellation is no decision of the checkout")
            return
        }
    }
}
