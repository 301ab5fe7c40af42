import Foundation
import MarketplaceAPI

/// What the payment service asks a card processor to do.
public struct ProviderCharge: Sendable, Equatable {
    public var amount: Money
    public var currency: String
    public var paymentMethod: String
    /// The processor charges once per key, however often it is asked.
    public var idempotencyKey: String

    public init(amount: Money, currency: String, paymentMethod: String, idempotencyKey: String) {
        self.amount = amount
        self.currency = currency
        self.paymentMethod = paymentMethod
        self.idempotencyKey = idempotencyKey
    }
}

public enum ProviderOutcome: Sendable, Equatable {
    case succeeded(providerTransactionID: String)
    case declined(providerTransactionID: String?, reason: String)
}

/// A card processor. Throwing means the outcome is unknown (unreachable, timed
/// out): the transaction stays Pending and a retry with the same key finds out.
public protocol PaymentProvider: Sendable {
    func charge(_ charge: ProviderCharge) async throws -> ProviderOutcome
    /// Gives a successful charge back in full. Throwing means the refund is not
    /// confirmed; asking again with the same key refunds at most once.
    func refund(providerTransactionID: String, amount: Money, idempotencyKey: String) async throws
}

/// A processor for development, tests and benchmarks, following Stripe's test
/// tokens: `tok_visa` (and the plan's default "Credit Card") succeed,
/// `tok_chargeDeclined` is declined. `failureRate` declines that share of other
/// charges as a processing error; `latency` delays every answer.
public actor SandboxPaymentProvider: PaymentProvider {
    public static let succeeding: Set<String> = ["tok_visa", "tok_mastercard", "Credit Card"]
    public static let declines: [String: String] = [
        "tok_chargeDeclined": "Your card was declined",
        "tok_chargeDeclinedInsufficientFunds": "Your card has insufficient funds",
        "tok_chargeDeclinedExpiredCard": "Your card has expired",
    ]

    public let latency: Duration
    public let failureRate: Double
    private var outcomes: [String: Task<ProviderOutcome, Never>] = [:]
    /// Charges actually made (replays of a key are not counted), for tests and benchmarks.
    public private(set) var chargeCount = 0

    public init(latency: Duration = .zero, failureRate: Double = 0) {
        precondition((0...1).contains(failureRate), "failureRate is a share from 0 to 1")
        self.latency = latency
        self.failureRate = failureRate
    }

    public func charge(_ charge: ProviderCharge) async throws -> ProviderOutcome {
        // The first request with a key decides; later ones (even concurrent) get its answer.
        if let existing = outcomes[charge.idempotencyKey] { return await existing.value }
        chargeCount += 1
        let latency = self.latency
        let fails = failureRate > 0 && Double.random(in: 0..<1) < failureRate
        let task = Task { () -> ProviderOutcome in
            if latency > .zero { try? await Task.sleep(for: latency) }
            return Self.decide(charge, simulatedFailure: fails)
        }
        outcomes[charge.idempotencyKey] = task
        return await task.value
    }

    /// Refunds made (replays of a key are not counted).
    public private(set) var refundCount = 0
    private var refunds: Set<String> = []

    public func refund(providerTransactionID: String, amount: Money, idempotencyKey: String) async throws {
        if latency > .zero { try? await Task.sleep(for: latency) }
        if refunds.insert(idempotencyKey).inserted { refundCount += 1 }
    }

    static func decide(_ charge: ProviderCharge, simulatedFailure: Bool) -> ProviderOutcome {
        let id = "ch_sandbox_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(24)
        if let reason = declines[charge.paymentMethod] {
            return .declined(providerTransactionID: id, reason: reason)
        }
        guard succeeding.contains(charge.paymentMethod) else {
            return .declined(providerTransactionID: nil, reason: "Unsupported payment method")
        }
        if simulatedFailure {
            return .declined(providerTransactionID: id, reason: "The card processor could not complete the charge")
        }
        return .succeeded(providerTransactionID: String(id))
    }
}
