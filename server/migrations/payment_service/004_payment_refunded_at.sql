-- When a payment was given back (shown on the order it paid for).
ALTER TABLE transactions ADD COLUMN refunded_at TIMESTAMPTZ;
UPDATE transactions SET refunded_at = updated_at WHERE status = 'Refunded';
