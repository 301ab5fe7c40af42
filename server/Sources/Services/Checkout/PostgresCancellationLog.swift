import Foundation
import Logging
import MarketplaceAPI
import PostgresNIO
import ServiceKit

/// `CancellationLog` in the checkout service's database (`cancellations`, migration 005).
public struct PostgresCancellationLog: CancellationLog, PostgresRepository {
    let store: PostgresStore

    public init(store: PostgresStore) {
        self.store = store
    }

    private static let columns = "id, order_id, user_id, idempotency_key, state, outcome::text, driver, recovery_attempts"

    public func begin(orderID: String, userID: String, idempotencyKey: String?) async throws -> CancellationBegin {
        // The unique order_id decides between requests racing to cancel one order.
        if let inserted = try await first(store.query("""
            INSERT INTO cancellations (order_id, user_id, idempotency_key) VALUES (\(orderID), \(userID), \(idempotencyKey))
            ON CONFLICT (order_id) DO NOTHING
            RETURNING \(unescaped: Self.columns)
            """)) {
            return .started(inserted)
        }
        guard let existing = try await first(store.query("SELECT \(unescaped: Self.columns) FROM cancellations WHERE order_id = \(orderID)")) else {
            throw AppError(.internalServerError, "Cancellation record vanished")
        }
        return .existing(existing)
    }

    public func record(_ cancellation: CancellationRecord, state: CancellationState) async throws {
        try await expectOne(cancellation, store.query("""
            UPDATE cancellations SET state = \(state.rawValue), updated_at = now()
            WHERE id = \(cancellation.id) AND driver = \(cancellation.driver) RETURNING id
            """))
    }

    public func answer(_ cancellation: CancellationRecord, state: CancellationState, outcome: CancellationOutcome) async throws {
        let body = String(decoding: try JSONBody.encoder.encode(outcome), as: UTF8.self)
        try await expectOne(cancellation, store.query("""
            UPDATE cancellations SET state = \(state.rawValue), outcome = \(body)::jsonb, updated_at = now()
            WHERE id = \(cancellation.id) AND driver = \(cancellation.driver) RETURNING id
            """))
    }

    public func claimStale(staleAfter: Duration) async throws -> CancellationRecord? {
        try await first(store.query("""
            UPDATE cancellations SET updated_at = now(), driver = gen_random_uuid(), recovery_attempts = recovery_attempts + 1
            WHERE id = (
                SELECT id FROM cancellations
                WHERE state NOT IN ('completed', 'failed')
                  AND updated_at < now() - make_interval(secs => \(staleAfter.timeInterval) * power(2, least(recovery_attempts, 6)))
                ORDER BY updated_at
                FOR UPDATE SKIP LOCKED
                LIMIT 1)
            RETURNING \(unescaped: Self.columns)
            """))
    }

    /// No row updated: the lease changed hands.
    private func expectOne(_ cancellation: CancellationRecord, _ rows: PostgresRowSequence) async throws {
        for try await _ in rows { return }
        throw CheckoutSuperseded(checkoutID: cancellation.id)
    }

    private func first(_ rows: PostgresRowSequence) async throws -> CancellationRecord? {
        var found: CancellationRecord?
        for try await row in rows.decode((UUID, String, String, String?, String, String?, UUID, Int).self) {
            guard let state = CancellationState(rawValue: row.4) else { throw AppError(.internalServerError, "Unknown cancellation state \(row.4)") }
            let outcome = try row.5.map { try JSONBody.decoder.decode(CancellationOutcome.self, from: Data($0.utf8)) }
            found = found ?? CancellationRecord(id: row.0, orderID: row.1, userID: row.2, idempotencyKey: row.3, state: state,
                                                outcome: outcome, driver: row.6, recoveryAttempts: row.7)
        }
        return found
    }
}
