import Foundation
import MarketplaceAPI
import PostgresNIO
import ServiceKit

public struct PostgresPaymentRepository: PaymentRepository, PostgresRepository {
    let store: PostgresStore

    public init(store: PostgresStore) {
        self.store = store
    }

    private static let columns = """
        id, user_id, order_id, amount, currency, status::text, payment_method, provider_transaction_id, failure_reason, created_at, refunded_at
        """
    private typealias Row = (UUID, String, String?, Decimal, String, String, String, String?, String?, Date, Date?)

    private func rows(_ query: PostgresQuery) async throws -> [PaymentTransaction] {
        try await store.all(query) { try Self.transaction($0.decode(Row.self)) }
    }

    /// The row an update of one transaction returned, or, when it matched nothing
    /// (another request moved the row first), the row as it is now.
    private func updated(_ transactionID: UUID, _ update: PostgresQuery) async throws -> PaymentTransaction {
        if let updated = try await rows(update).first { return updated }
        guard let current = try await transaction(id: transactionID) else {
            throw AppError(.internalServerError, "Payment \(transactionID) disappeared")
        }
        return current
    }

    public func start(_ charge: PaymentCharge) async throws -> PaymentStart {
        do {
            // The idempotency key's unique index decides between concurrent retries:
            // the second waits for the first to commit, then finds its row.
            let inserted = try await rows("""
                INSERT INTO transactions (user_id, order_id, amount, currency, payment_method, idempotency_key)
                VALUES (\(charge.userID), \(charge.orderID), \(charge.amount.amount), \(charge.currency), \(charge.paymentMethod), \(charge.idempotencyKey))
                ON CONFLICT (idempotency_key) DO NOTHING
                RETURNING \(unescaped: Self.columns)
                """)
            if let transaction = inserted.first { return .started(transaction) }
            guard let key = charge.idempotencyKey,
                  let existing = try await rows("SELECT \(unescaped: Self.columns) FROM transactions WHERE idempotency_key = \(key)").first
            else { throw AppError(.internalServerError, "Payment was not recorded") }
            return .existing(existing)
        } catch let error as PSQLError where error.isUniqueViolation && error.constraintName == "transactions_live_order_key" {
            guard let orderID = charge.orderID, let live = try await rows("""
                SELECT \(unescaped: Self.columns) FROM transactions
                WHERE order_id = \(orderID) AND status IN ('Pending', 'Completed')
                """).first
            else { throw AppError.conflict("This order's payment changed while we recorded it; try again") }
            return .orderTaken(live)
        }
    }

    public func finish(transactionID: UUID, status: PaymentStatus, providerTransactionID: String?, failureReason: String?) async throws -> PaymentTransaction {
        let reason = failureReason.map { String($0.prefix(255)) }
        // Only a Pending row moves: a retry that finished first is not overwritten.
        return try await updated(transactionID, """
            UPDATE transactions SET status = \(status.rawValue)::transaction_status,
                provider_transaction_id = \(providerTransactionID), failure_reason = \(reason), updated_at = now()
            WHERE id = \(transactionID) AND status = 'Pending'
            RETURNING \(unescaped: Self.columns)
            """)
    }

    public func transaction(id: UUID) async throws -> PaymentTransaction? {
        try await rows("SELECT \(unescaped: Self.columns) FROM transactions WHERE id = \(id)").first
    }

    public func payments(orderID: String) async throws -> [(transaction: PaymentTransaction, idempotencyKey: String?)] {
        try await store.all("""
            SELECT \(unescaped: Self.columns), idempotency_key FROM transactions WHERE order_id = \(orderID) ORDER BY created_at, id
            """) { row in
            let row = try row.decode((UUID, String, String?, Decimal, String, String, String, String?, String?, Date, Date?, String?).self)
            return (try Self.transaction((row.0, row.1, row.2, row.3, row.4, row.5, row.6, row.7, row.8, row.9, row.10)), row.11)
        }
    }

    public func markRefunded(transactionID: UUID, reason: String) async throws -> PaymentTransaction {
        try await updated(transactionID, """
            UPDATE transactions SET status = 'Refunded', failure_reason = \(String(reason.prefix(255))), updated_at = now(), refunded_at = now()
            WHERE id = \(transactionID) AND status = 'Completed'
            RETURNING \(unescaped: Self.columns)
            """)
    }

    private static func transaction(_ row: Row) throws -> PaymentTransaction {
        guard let amount = Money(exactly: row.3), let status = PaymentStatus(rawValue: row.5) else {
            throw AppError(.internalServerError, "Stored payment is malformed")
        }
        return PaymentTransaction(
            transactionId: row.0.uuidString.lowercased(), userId: row.1, orderId: row.2, amount: amount, currency: row.4,
            status: status, paymentMethod: row.6, providerTransactionId: row.7, failureReason: row.8, createdAt: row.9, refundedAt: row.10)
    }
}
