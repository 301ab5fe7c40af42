-- The cancellation saga's progress: one row per order, whoever asked and with
-- whatever Idempotency-Key, so concurrent or repeated cancellations of one order
-- make one refund; a cancellation interrupted by a crash is finished by recovery.
CREATE TABLE cancellations (
    id                UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    order_id          VARCHAR(64) NOT NULL UNIQUE,
    user_id           VARCHAR(64) NOT NULL,
    idempotency_key   VARCHAR(255),
    state             VARCHAR(32) NOT NULL DEFAULT 'started'
                      CHECK (state IN ('started', 'order_cancelled', 'completed', 'failed')),
    -- The answer, replayed for a repeated request.
    outcome           JSONB,
    driver            UUID NOT NULL DEFAULT gen_random_uuid(),
    recovery_attempts INTEGER NOT NULL DEFAULT 0,
    created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at        TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX cancellations_unfinished_idx ON cancellations (updated_at) WHERE state NOT IN ('completed', 'failed');
