import Foundation
import Logging
import MarketplaceAPI
import PostgresNIO
import ServiceKit

public struct PostgresCheckoutLog: CheckoutLog, PostgresRepository {
    let client: PostgresClient
    let logger: Logger

    public init(store: PostgresStore) {
        client = store.client
        logger = store.logger
    }

    private static let columns = """
        id, user_id, idempotency_key, state, shipping_address::text, payment_method, order_id, amount, transaction_id, outcome::text, driver, recovery_attempts
        """

    private typealias Row = (UUID, String, String?, String, String, String, String?, Decimal?, String?, String?, UUID, Int)

    public func begin(userID: String, idempotencyKey: String?, address: ShippingAddress, paymentMethod: String) async throws -> CheckoutBegin {
        let addressJSON = String(decoding: try JSONBody.encoder.encode(address), as: UTF8.self)
        // The partial unique index on (user_id, idempotency_key) decides between two requests racing with one key.
        let inserted = try await one(client.query("""
            INSERT INTO checkouts (user_id, idempotency_key, shipping_address, payment_method)
            VALUES (\(userID), \(idempotencyKey), \(addressJSON)::jsonb, \(paymentMethod))
            ON CONFLICT (user_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
            RETURNING \(unescaped: Self.columns)
            """, logger: logger))
        if let inserted { return .started(inserted) }
        let existing = try await one(client.query("""
            SELECT \(unescaped: Self.columns) FROM checkouts WHERE user_id = \(userID) AND idempotency_key = \(idempotencyKey)
            """, logger: logger))
        guard let existing else { throw AppError(.internalServerError, "Checkout record vanished") }
        return .existing(existing)
    }

    public func record(_ checkout: CheckoutRecord, state: CheckoutState, orderID: String?, amount: Money?, transactionID: String?) async throws {
        try await expectOne(checkout, client.query("""
            UPDATE checkouts SET state = \(state.rawValue),
                order_id = COALESCE(\(orderID), order_id),
                amount = COALESCE(\(amount?.amount), amount),
                transaction_id = COALESCE(\(transactionID), transaction_id),
                updated_at = now()
            WHERE id = \(checkout.id) AND driver = \(checkout.driver)
            RETURNING id
            """, logger: logger))
    }

    public func answer(_ checkout: CheckoutRecord, state: CheckoutState, outcome: CheckoutOutcome) async throws {
        let body = String(decoding: try JSONBody.encoder.encode(outcome), as: UTF8.self)
        try await expectOne(checkout, client.query("""
            UPDATE checkouts SET state = \(state.rawValue), outcome = \(body)::jsonb,
                order_id = COALESCE(\(checkout.orderID), order_id),
                amount = COALESCE(\(checkout.amount?.amount), amount),
                transaction_id = COALESCE(\(checkout.transactionID), transaction_id),
                updated_at = now()
            WHERE id = \(checkout.id) AND driver = \(checkout.driver)
            RETURNING id
            """, logger: logger))
    }

    /// No row updated: the lease changed hands.
    private func expectOne(_ checkout: CheckoutRecord, _ rows: PostgresRowSequence) async throws {
        for try await _ in rows { return }
        throw CheckoutSuperseded(checkoutID: checkout.id)
    }

    public func claimStale(staleAfter: Duration) async throws -> CheckoutRecord? {
        let seconds = staleAfter.timeInterval
        return try await one(client.query("""
            UPDATE checkouts SET updated_at = now(), driver = gen_random_uuid(), recovery_attempts = recovery_attempts + 1
            WHERE id = (
                SELECT id FROM checkouts
                WHERE state NOT IN ('completed', 'failed')
                  AND updated_at < now() - make_interval(secs => \(seconds) * power(2, least(recovery_attempts, 6)))
                ORDER BY updated_at
                FOR UPDATE SKIP LOCKED
                LIMIT 1)
            RETURNING \(unescaped: Self.columns)
            """, logger: logger))
    }

    private func one(_ rows: PostgresRowSequence) async throws -> CheckoutRecord? {
        for try await row in rows.decode(Row.self) {
            return try Self.record(row)
        }
        return nil
    }

    private static func record(_ row: Row) throws -> CheckoutRecord {
        guard let state = CheckoutState(rawValue: row.3) else { throw AppError(.internalServerError, "Unknown checkout state \(row.3)") }
        let address = try JSONBody.decoder.decode(ShippingAddress.self, from: Data(row.4.utf8))
        let outcome = try row.9.map { try JSONBody.decoder.decode(CheckoutOutcome.self, from: Data($0.utf8)) }
        return CheckoutRecord(
            id: row.0, userID: row.1, idempotencyKey: row.2, state: state, address: address, paymentMethod: row.5,
            orderID: row.6, amount: row.7.flatMap { Money(exactly: $0) }, transactionID: row.8, outcome: outcome, driver: row.10, recoveryAttempts: row.11)
    }
}
