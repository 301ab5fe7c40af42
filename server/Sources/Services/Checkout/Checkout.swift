import Foundation
import HTTPTypes
import MarketplaceAPI
import OrderService

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

/// How a checkout ended, in the shop's words. `CheckoutController` turns it into
/// an HTTP answer in one place; the log keeps it so a repeated Idempotency-Key
/// gets the same answer.
public enum CheckoutResult: Sendable, Equatable, Codable {
    /// The order is Confirmed and paid.
    case placed
    /// There was nothing in the cart.
    case cartEmpty
    /// Some items are short; the order was cancelled and the cart kept.
    case shortStock(items: [ShortItem])
    /// The cart's prices were out of date: no order was made and the cart now has the current ones.
    case pricesChanged(changes: [PriceChange])
    /// The payment provider refused; the order was cancelled and the cart kept.
    case declined(reason: String)
    /// A service refused a step for good (nothing was charged); the order was
    /// cancelled and the cart kept. The code and message are the refusing service's.
    case refused(code: ErrorCode, message: String)
    /// Another request with the same Idempotency-Key is still working on it (never stored).
    case inProgress
    /// A service did not answer; see the stage for what the shopper is told.
    case interrupted(stage: Interruption)
}

/// What an interrupted checkout has become, as far as the shopper is concerned.
public enum Interruption: String, Sendable, Equatable, Codable {
    /// Nothing was charged; the checkout will be undone and the cart kept.
    case nothingCharged = "nothing_charged"
    /// Stock could not be reserved; already undone, nothing charged.
    case notReserved = "not_reserved"
    /// Resumed by recovery before the payment and undone.
    case undone
    /// Past the payment step: it will finish (or be undone) by itself.
    case finishing
}

/// An item the checkout could not reserve, with the name the order gave it.
public struct ShortItem: Sendable, Equatable, Codable {
    public var productId: String
    public var name: String
    public var requested: Int
    public var available: Int

    public init(_ shortage: StockShortage, name: String) {
        self.productId = shortage.productId
        self.name = name
        self.requested = shortage.requested
        self.available = shortage.available
    }

    public var shortage: StockShortage { StockShortage(productId: productId, requested: requested, available: available) }
}

/// The result of a checkout with the order and payment it made, if any.
public struct CheckoutOutcome: Sendable, Equatable, Codable {
    public var result: CheckoutResult
    public var orderID: String?
    public var transactionID: String?

    public init(_ result: CheckoutResult, orderID: String? = nil, transactionID: String? = nil) {
        self.result = result
        self.orderID = orderID
        self.transactionID = transactionID
    }

    /// Its name in logs and metrics: `placed`, `cart_empty`, `short_stock`, ...
    public var name: String {
        switch result {
        case .placed: "placed"
        case .cartEmpty: "cart_empty"
        case .shortStock: "short_stock"
        case .pricesChanged: "prices_changed"
        case .declined: "declined"
        case .refused: "refused"
        case .inProgress: "in_progress"
        case .interrupted(let stage): "interrupted_" + stage.rawValue
        }
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
    /// How many times recovery has taken it over (this time included).
    public var recoveryAttempts: Int

    public init(id: UUID, userID: String, idempotencyKey: String?, state: CheckoutState, address: ShippingAddress,
                paymentMethod: String, orderID: String? = nil, amount: Money? = nil, transactionID: String? = nil, outcome: CheckoutOutcome? = nil,
                driver: UUID = UUID(), recoveryAttempts: Int = 0) {
        self.driver = driver
        self.recoveryAttempts = recoveryAttempts
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

/// Where the saga writes down how far a checkout has gone: when it begins, when
/// its order is made, when its stock is reserved (before any charge) and when it
/// is answered. The payment needs no write of its own: it is found again by its
/// idempotency key ("checkout-" and the checkout's id).
/// Writes name the driver's lease and throw `CheckoutSuperseded` when it is no
/// longer the current one.
public protocol CheckoutLog: Sendable {
    func begin(userID: String, idempotencyKey: String?, address: ShippingAddress, paymentMethod: String) async throws -> CheckoutBegin
    /// Writes the step that just succeeded with what it produced (nil leaves a field as it was).
    func record(_ checkout: CheckoutRecord, state: CheckoutState, orderID: String?, amount: Money?, transactionID: String?) async throws
    /// Stores the answer given to the shopper, with the record's order, amount and
    /// transaction; the state stays as it is when the checkout is not finished
    /// (recovery then completes or undoes it).
    func answer(_ checkout: CheckoutRecord, state: CheckoutState, outcome: CheckoutOutcome) async throws
    /// Takes over one unfinished checkout untouched for `staleAfter` (doubled for each
    /// earlier takeover, up to 64 times) with a new lease, so neither another instance
    /// nor its first driver writes it meanwhile.
    func claimStale(staleAfter: Duration) async throws -> CheckoutRecord?
}

extension CheckoutOutcome {
    /// What the shopper is told about a checkout's result: the one place it becomes an HTTP answer.
    public var answer: (HTTPResponse.Status, CheckoutResponse) {
        func failure(_ status: HTTPResponse.Status, _ code: ErrorCode, _ message: String) -> (HTTPResponse.Status, CheckoutResponse) {
            (status, CheckoutResponse(success: false, code: code, message: message, orderId: orderID, transactionId: transactionID))
        }
        switch result {
        case .placed:
            return (.ok, CheckoutResponse(success: true, message: "Order placed successfully", orderId: orderID, transactionId: transactionID))
        case .cartEmpty:
            return failure(.badRequest, .cartEmpty, "Your cart is empty")
        case .shortStock(let items):
            let words = items.map { "\($0.name) (\($0.available) left, \($0.requested) wanted)" }
            var answer = failure(.conflict, .outOfStock, "Not enough stock for " + words.joined(separator: ", "))
            answer.1.shortages = items.map(\.shortage)
            return answer
        case .pricesChanged(let changes):
            var answer = failure(.conflict, .priceChanged, OrderError.describe(changes))
            answer.1.priceChanges = changes
            return answer
        case .declined(let reason):
            var answer = failure(HTTPResponse.Status(code: 402, reasonPhrase: "Payment Required"), .paymentDeclined, "Payment was declined: \(reason)")
            answer.1.reason = reason
            return answer
        case .refused(let code, let message):
            return failure(HTTPResponse.Status(code: code.status), code, "We could not place your order: \(message)")
        case .inProgress:
            return failure(.conflict, .checkoutInProgress, "A checkout with this Idempotency-Key is still in progress; try again in a moment")
        case .interrupted(let stage):
            let message = switch stage {
            case .nothingCharged: "We could not finish your checkout just now; nothing was charged. Please try again shortly"
            case .notReserved: "We could not reserve your items just now; nothing was charged and your cart is as it was. Please try again shortly"
            case .undone: "The checkout was interrupted and has been undone; your cart is as it was"
            case .finishing: "Your checkout is taking longer than expected. It will finish shortly and appear in your orders, or be cancelled with nothing charged and your cart restored"
            }
            return failure(.serviceUnavailable, .checkoutInterrupted, message)
        }
    }
}
