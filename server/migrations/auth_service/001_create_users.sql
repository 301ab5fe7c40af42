-- Accounts of the marketplace (plan: Auth Service Database).
CREATE TYPE user_role AS ENUM ('customer', 'admin', 'vendor');

CREATE TABLE users (
    id            UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    name          VARCHAR(255) NOT NULL,
    -- Stored lower-cased, so the unique index makes Ann@x.io and ann@x.io one account.
    email         VARCHAR(255) NOT NULL CHECK (email = lower(email)),
    password_hash VARCHAR(255) NOT NULL,
    role          user_role NOT NULL DEFAULT 'customer',
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE UNIQUE INDEX users_email_key ON users (email);
