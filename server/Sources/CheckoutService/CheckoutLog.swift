import Foundation
import MarketplaceAPI

/// How far a checkout has gone. Each state names the last step that succeeded,
/// so the saga knows what to finish or undo after a crash.
public enum CheckoutState: String, Sendable, Codable {
    case started
    case orderCreated = "order_created"
    case stockReserved = "stock_reserved"
    case paid
    case completed
    case failed

    public var isFinished: Bool { self == .completed || self == .failed }
}

/// The answer a checkout gave, kept so a repeated Idempotency-Key gets it again.
public struct CheckoutOutcome: Sendable, Equatable, Codable {
    public var status: Int
    public var body: CheckoutResponse

    public init(status: Int, body: CheckoutResponse) {
        self.status = status
        self.body = body
    }
}

public struct CheckoutRecord: Sendable, Equatable {
    public var id: UUID
    public var userID: String
    public var idempotencyKey: String?
    public var state: CheckoutState
    public var address: ShippingAddress
    public var paymentMethod: String
    public var orderID: String?
    public var amount: Money?
    public var transactionID: String?
    public var outcome: CheckoutOutcome?
    /// The lease of whoever drives the checkout now; a takeover by recovery changes it.
    public var driver: UUID

    public init(id: UUID, userID: String, idempotencyKey: String?, state: CheckoutState, address: ShippingAddress,
                paymentMethod: String, orderID: String? = nil, amount: Money? = nil, transactionID: String? = nil, outcome: CheckoutOutcome? = nil,
                driver: UUID = UUID()) {
        self.driver = driver
        self.id = id
        self.userID = userID
        self.idempotencyKey = idempotencyKey
        self.state = state
        self.address = address
        self.paymentMethod = paymentMethod
        self.orderID = orderID
        self.amount = amount
        self.transactionID = transactionID
        self.outcome = outcome
    }
}

public enum CheckoutBegin: Sendable, Equatable {
    case started(CheckoutRecord)
    /// The user already used this Idempotency-Key.
    case existing(CheckoutRecord)
}

/// The checkout was taken over by another driver (recovery, after it went
/// stale); whoever holds the old lease must stop without writing or undoing.
public struct CheckoutSuperseded: Error, Equatable {
    public let checkoutID: UUID

    public init(checkoutID: UUID) {
        self.checkoutID = checkoutID
    }
}

/// Where the saga writes down each step as it succeeds. Writes name the driver's
/// lease and throw `CheckoutSuperseded` when it is no longer the current one.
public protocol CheckoutLog: Sendable {
    func begin(userID: String, idempotencyKey: String?, address: ShippingAddress, paymentMethod: String) async throws -> CheckoutBegin
    /// Writes the step that just succeeded with what it produced (nil leaves a field as it was).
    func record(_ checkout: CheckoutRecord, state: CheckoutState, orderID: String?, amount: Money?, transactionID: String?) async throws
    /// Stores the answer given to the shopper; the state stays as it is when the
    /// checkout is not finished (recovery then completes or undoes it).
    func answer(_ checkout: CheckoutRecord, state: CheckoutState, outcome: CheckoutOutcome) async throws
    /// Takes over one unfinished checkout untouched for `staleAfter` with a new
    /// lease, so neither another instance nor its first driver writes it meanwhile.
    func claimStale(staleAfter: Duration) async throws -> CheckoutRecord?
}
