-- The checkout saga's progress, so a checkout interrupted by a crash is finished
-- or compensated when the server starts again. The plan gives the checkout
-- service no tables; it needs this one to keep its promises.
CREATE TABLE checkouts (
    id               UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id          VARCHAR(64) NOT NULL,
    idempotency_key  VARCHAR(255),
    state            VARCHAR(32) NOT NULL DEFAULT 'started'
                     CHECK (state IN ('started', 'order_created', 'stock_reserved', 'paid', 'completed', 'failed')),
    shipping_address JSONB NOT NULL,
    payment_method   VARCHAR(50) NOT NULL,
    order_id         VARCHAR(64),
    -- The order's total, recorded with the order, so a resumed checkout charges what the order says.
    amount           NUMERIC(10,2) CHECK (amount >= 0),
    transaction_id   VARCHAR(64),
    -- The answer given to the shopper, replayed for a repeated Idempotency-Key.
    outcome_status   INTEGER,
    outcome_body     JSONB,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE UNIQUE INDEX checkouts_user_idempotency_key ON checkouts (user_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX checkouts_unfinished_idx ON checkouts (updated_at) WHERE state NOT IN ('completed', 'failed');
