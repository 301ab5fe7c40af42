-- Retried payments: the same idempotency key answers the first transaction, and
-- an order is never charged twice whatever keys its callers use.
ALTER TABLE transactions ADD COLUMN order_id VARCHAR(64);
ALTER TABLE transactions ADD COLUMN idempotency_key VARCHAR(255);
ALTER TABLE transactions ADD COLUMN failure_reason VARCHAR(255);
ALTER TABLE transactions ADD COLUMN updated_at TIMESTAMPTZ NOT NULL DEFAULT now();

CREATE UNIQUE INDEX transactions_idempotency_key_key ON transactions (idempotency_key);
-- At most one payment per order that is in flight or went through.
CREATE UNIQUE INDEX transactions_live_order_key ON transactions (order_id)
    WHERE status IN ('Pending', 'Completed');
