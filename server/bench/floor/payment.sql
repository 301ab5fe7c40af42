-- The checkout's floor, payment_service: the charge's row, then its outcome.
INSERT INTO transactions (user_id, order_id, amount, currency, payment_method, idempotency_key)
VALUES (('floor-' || :client_id)::varchar, gen_random_uuid()::varchar, 36.99, 'USD', 'tok_visa', 'checkout-' || gen_random_uuid())
ON CONFLICT (idempotency_key) DO NOTHING
RETURNING id, user_id, order_id, amount, currency, status::text, payment_method, provider_transaction_id, failure_reason, created_at, refunded_at \gset
UPDATE transactions SET status = 'Completed'::transaction_status,
    provider_transaction_id = 'ch_sandbox_' || md5(:id::text), failure_reason = NULL, updated_at = now()
WHERE id = :id AND status = 'Pending'
RETURNING id, user_id, order_id, amount, currency, status::text, payment_method, provider_transaction_id, failure_reason, created_at, refunded_at;
