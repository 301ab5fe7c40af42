import Foundation
import MarketplaceAPI
import OrderService
import ServiceKit

/// Takes payments through a `PaymentProvider`, recording each one before the
/// provider is asked, so no charge happens without a row that says so.
public struct PaymentService: Sendable {
    let repository: any PaymentRepository
    let provider: any PaymentProvider
    /// Where a shopper's payment learns the order it is for.
    let orders: any OrdersClient
    let providerTimeout: Duration

    public init(repository: any PaymentRepository, provider: any PaymentProvider, orders: any OrdersClient, providerTimeout: Duration = .seconds(10)) {
        self.repository = repository
        self.provider = provider
        self.orders = orders
        self.providerTimeout = providerTimeout
    }

    /// Charges once per idempotency key and at most once per order. Answers the
    /// transaction Completed or Failed (a decline is an answer, not an error);
    /// throws `providerUnavailable` when the provider's outcome is unknown.
    public func pay(_ charge: PaymentCharge) async throws -> PaymentTransaction {
        try PaymentRules.check(charge)
        let transaction: PaymentTransaction
        switch try await repository.start(charge) {
        case .started(let started):
            transaction = started
        case .existing(let existing):
            guard charge.matches(existing) else { throw PaymentError.idempotencyKeyReused }
            // Finished: replay the answer. Still Pending: the first attempt never
            // learnt the outcome, so ask the provider again under the same key.
            guard existing.status == .pending else { return existing }
            transaction = existing
        case .orderTaken(let live):
            // Paid already, by the same shopper for the same amount (the shopper paid the
            // order while its checkout was charging it): that payment is the order's.
            if live.status == .completed, live.userId == charge.userID, live.amount == charge.amount { return live }
            throw PaymentError.orderAlreadyPaid(orderID: live.orderId ?? "", transactionID: live.transactionId)
        }
        return try await ask(transaction, idempotencyKey: charge.idempotencyKey)
    }

    /// Asks the provider to charge a Pending transaction (again: the provider
    /// answers a repeated key with its first outcome) and records the outcome.
    private func ask(_ transaction: PaymentTransaction, idempotencyKey: String?) async throws -> PaymentTransaction {
        guard let id = UUID(uuidString: transaction.transactionId) else { throw PaymentError.transactionNotFound(transaction.transactionId) }
        let request = ProviderCharge(
            amount: transaction.amount, currency: transaction.currency, paymentMethod: transaction.paymentMethod,
            // Without a caller's key the transaction id is the key: a provider retry inside this call is still safe.
            idempotencyKey: idempotencyKey.map { "key:" + $0 } ?? "txn:" + transaction.transactionId)
        let outcome: ProviderOutcome
        do {
            outcome = try await withDeadline(providerTimeout) { [provider] in try await provider.charge(request) }
        } catch {
            throw PaymentError.providerUnavailable(transactionID: transaction.transactionId)
        }
        switch outcome {
        case .succeeded(let providerID):
            return try await repository.finish(transactionID: id, status: .completed, providerTransactionID: providerID, failureReason: nil)
        case .declined(let providerID, let reason):
            return try await repository.finish(transactionID: id, status: .failed, providerTransactionID: providerID, failureReason: reason)
        }
    }

    /// Gives back every payment of an order whose checkout was abandoned: a
    /// Completed one is refunded, a Pending one is first settled with the
    /// provider (and refunded if it went through). Safe to repeat; an order
    /// with no payment answers an empty list.
    public func refund(_ request: RefundRequest) async throws -> [PaymentTransaction] {
        var validator = Validator()
        let orderID = InputRules.trimmed(request.orderId ?? "")
        if let problem = InputRules.idProblem(orderID, label: "orderId") { validator.fail("orderId", problem) }
        let reason = request.reason ?? "checkout abandoned"
        validator.check(InputRules.length(reason) <= 255 && !InputRules.hasControlCharacters(reason), "reason", "reason must be at most 255 characters, without control characters")
        if !validator.errors.isEmpty { throw PaymentError.invalid(validator.errors) }
        var answered: [PaymentTransaction] = []
        for (stored, key) in try await repository.payments(orderID: orderID) {
            var transaction = stored
            if transaction.status == .pending { transaction = try await ask(transaction, idempotencyKey: key) }
            if transaction.status == .completed {
                guard let id = UUID(uuidString: transaction.transactionId) else { throw PaymentError.transactionNotFound(transaction.transactionId) }
                do {
                    try await withDeadline(providerTimeout) { [provider] in
                        try await provider.refund(providerTransactionID: transaction.providerTransactionId ?? transaction.transactionId,
                                                  amount: transaction.amount, idempotencyKey: "refund:" + transaction.transactionId)
                    }
                } catch {
                    throw PaymentError.refundUnavailable(transactionID: transaction.transactionId)
                }
                transaction = try await repository.markRefunded(transactionID: id, reason: reason)
            }
            answered.append(transaction)
        }
        return answered
    }

    /// Validates a request from `caller`: services pay for anyone; a shopper pays
    /// only a Pending order of their own, for exactly its total as the order
    /// service has it. Nothing is recorded or charged otherwise.
    public func pay(_ request: PaymentRequest, idempotencyKeyHeader: String?, caller: Caller) async throws -> PaymentTransaction {
        let charge = try PaymentRules.validate(request, idempotencyKeyHeader: idempotencyKeyHeader, caller: caller)
        if case .user = caller { try await checkOrder(of: charge) }
        return try await pay(charge)
    }

    private func checkOrder(of charge: PaymentCharge) async throws {
        guard let orderID = charge.orderID else {
            throw PaymentError.invalid([FieldError(field: "orderId", message: "orderId is required: a payment is for one of your Pending orders")])
        }
        guard let order = try await orders.order(id: orderID), order.userId == charge.userID else { throw PaymentError.orderNotFound(orderID) }
        guard order.status == .pending else { throw PaymentError.orderNotPayable(orderID: orderID, status: order.status) }
        guard order.totalAmount == charge.amount, charge.currency == "USD" else {
            throw PaymentError.invalid([FieldError(field: "amount", message: "amount must be the order's total, \(order.totalAmount) USD")])
        }
    }

    /// The owner, an admin or another service may read a transaction; anyone else is told it does not exist.
    public func transaction(id: String, for caller: Caller) async throws -> PaymentTransaction {
        guard let uuid = UUID(uuidString: id), let transaction = try await repository.transaction(id: uuid), caller.mayActFor(transaction.userId) else {
            throw PaymentError.transactionNotFound(id)
        }
        return transaction
    }
}
