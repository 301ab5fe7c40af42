-- A cancelled order that was paid shows its refund: which payment was given
-- back, how much and when. The cancellation writes it after the payment service
-- has refunded (safe to repeat: the same values are written again).
ALTER TABLE orders
    ADD COLUMN refund_transaction_id UUID,
    ADD COLUMN refund_amount NUMERIC(10,2) CHECK (refund_amount >= 0),
    ADD COLUMN refunded_at TIMESTAMPTZ;
