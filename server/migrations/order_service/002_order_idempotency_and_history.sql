-- A retried "create order" carries the same key and gets the first order back
-- instead of finding an emptied cart.
ALTER TABLE orders ADD COLUMN idempotency_key VARCHAR(255);
CREATE UNIQUE INDEX orders_idempotency_key_key ON orders (idempotency_key);

-- Order history: a user's orders, newest first.
CREATE INDEX orders_user_id_created_at_idx ON orders (user_id, created_at DESC, id DESC);
