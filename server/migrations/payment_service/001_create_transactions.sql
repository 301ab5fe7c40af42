-- Payments (plan: Payment Service Database).
CREATE TYPE transaction_status AS ENUM ('Pending', 'Completed', 'Failed');

CREATE TABLE transactions (
    id                      UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id                 VARCHAR(64) NOT NULL,
    amount                  NUMERIC(10,2) NOT NULL CHECK (amount >= 0),
    currency                VARCHAR(3) NOT NULL DEFAULT 'USD',
    status                  transaction_status NOT NULL DEFAULT 'Pending',
    payment_method          VARCHAR(50) NOT NULL DEFAULT 'Credit Card',
    provider_transaction_id VARCHAR(255),
    created_at              TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX transactions_user_id_idx ON transactions (user_id);
CREATE INDEX transactions_provider_transaction_id_idx ON transactions (provider_transaction_id);
CREATE INDEX transactions_status_idx ON transactions (status);
