import Foundation
import HTTPTypes
import MarketplaceAPI

/// How far the cancellation of an order has gone. The order's own status is
/// the commit point: once it is Cancelled nothing can ship it, and the money and
/// stock must come back, so from there a cancellation only goes forward.
public enum CancellationState: String, Sendable, Codable {
    case started
    case orderCancelled = "order_cancelled"
    case completed
    case failed

    public var isFinished: Bool { self == .completed || self == .failed }
}

/// How a cancellation ended, in the shop's words; the log keeps it so a repeated
/// request (any key, for the same order) gets the same answer.
public enum CancellationResult: Sendable, Equatable, Codable {
    /// The order is Cancelled, its stock back, its payments (if any) refunded.
    case cancelled(refunded: Bool)
    /// A part of the order has shipped (or it was delivered): it can no longer be cancelled.
    case notCancellable(message: String)
    /// The order service refused for another reason (gone, say).
    case refused(code: ErrorCode, message: String)
    /// Another request is cancelling this order right now (never stored).
    case inProgress
    /// A service did not answer; recovery finishes the cancellation.
    case interrupted(committed: Bool)
}

public struct CancellationOutcome: Sendable, Equatable, Codable {
    public var result: CancellationResult
    public var orderID: String

    public init(_ result: CancellationResult, orderID: String) {
        self.result = result
        self.orderID = orderID
    }

    /// Its name in logs and metrics.
    public var name: String {
        switch result {
        case .cancelled(let refunded): refunded ? "cancelled_refunded" : "cancelled"
        case .notCancellable: "not_cancellable"
        case .refused: "refused"
        case .inProgress: "in_progress"
        case .interrupted: "interrupted"
        }
    }

    /// The HTTP answer of a cancellation that did not end with the order cancelled
    /// (a cancelled one answers the order itself); nil for `cancelled`.
    public var failure: (HTTPResponse.Status, ErrorEnvelope)? {
        switch result {
        case .cancelled:
            return nil
        case .notCancellable(let message):
            return (.conflict, ErrorEnvelope(code: .orderNotCancellable, message: message))
        case .refused(let code, let message):
            return (HTTPResponse.Status(code: code.status), ErrorEnvelope(code: code, message: "The order could not be cancelled: \(message)"))
        case .inProgress:
            return (.conflict, ErrorEnvelope(code: .cancellationInProgress, message: "This order is being cancelled; try again in a moment"))
        case .interrupted(let committed):
            let message = committed
                ? "The order is cancelled; its refund and stock are on their way and will be settled shortly"
                : "We could not cancel the order just now; nothing has changed. Please try again shortly"
            return (.serviceUnavailable, ErrorEnvelope(code: .unavailable, message: message))
        }
    }
}

public struct CancellationRecord: Sendable, Equatable {
    public var id: UUID
    public var orderID: String
    /// Who asked (the order's shopper, or an admin).
    public var userID: String
    public var idempotencyKey: String?
    public var state: CancellationState
    public var outcome: CancellationOutcome? = nil
    /// The lease of whoever drives the cancellation now; a takeover by recovery changes it.
    public var driver = UUID()
    /// How many times recovery has taken it over.
    public var recoveryAttempts = 0
}

public enum CancellationBegin: Sendable, Equatable {
    case started(CancellationRecord)
    /// The order already has a cancellation (whoever asked, with whatever key): it is the one answered.
    case existing(CancellationRecord)
}

/// Where cancellations are written down: one per order (so ten requests make one
/// refund), each step as it succeeds, and the answer. Writes name the driver's
/// lease and throw `CheckoutSuperseded` when it is no longer the current one.
public protocol CancellationLog: Sendable {
    func begin(orderID: String, userID: String, idempotencyKey: String?) async throws -> CancellationBegin
    func record(_ cancellation: CancellationRecord, state: CancellationState) async throws
    /// Stores the answer; the state stays as it is when the cancellation is not finished.
    func answer(_ cancellation: CancellationRecord, state: CancellationState, outcome: CancellationOutcome) async throws
    /// Takes over one unfinished cancellation untouched for `staleAfter` (doubled for each earlier takeover).
    func claimStale(staleAfter: Duration) async throws -> CancellationRecord?
}

extension OrderRefund {
    /// The refund an order shows for its payments as the payment service answered
    /// them; nil when none was given back. An order paid once (the rule) shows that
    /// payment; one paid more than once shows the first payment's id, the sum given
    /// back and the time of the last refund.
    init?(givenBack payments: [PaymentTransaction]) {
        let refunded = payments.filter { $0.status == .refunded }
        guard let first = refunded.first else { return nil }
        self.init(transactionId: first.transactionId,
                  amount: refunded.dropFirst().reduce(first.amount) { $0 + $1.amount },
                  refundedAt: refunded.compactMap(\.refundedAt).max() ?? first.createdAt)
    }
}
