-- The checkout's floor, checkout_service: the saga's log, written four times per
-- checkout (started, order made, stock reserved, the answer).
INSERT INTO checkouts (user_id, idempotency_key, shipping_address, payment_method)
VALUES (('floor-' || :client_id)::varchar, NULL, '{"city":"Gent","country":"Belgium","street":"1 Bench Rd","zip":"9000"}'::jsonb, 'tok_visa')
ON CONFLICT (user_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
RETURNING id AS checkout, user_id, idempotency_key, state, shipping_address::text, payment_method, order_id, amount, transaction_id, outcome::text, driver, recovery_attempts \gset
UPDATE checkouts SET state = 'order_created',
    order_id = COALESCE(md5(:checkout::text)::varchar, order_id),
    amount = COALESCE(36.99, amount),
    transaction_id = COALESCE(NULL, transaction_id),
    updated_at = now()
WHERE id = :checkout AND driver = :driver
RETURNING id;
UPDATE checkouts SET state = 'stock_reserved',
    order_id = COALESCE(md5(:checkout::text)::varchar, order_id),
    amount = COALESCE(36.99, amount),
    transaction_id = COALESCE(NULL, transaction_id),
    updated_at = now()
WHERE id = :checkout AND driver = :driver
RETURNING id;
UPDATE checkouts SET state = 'completed', outcome = ('{"orderID":"' || md5(:checkout::text) || '","result":{"placed":{}},"transactionID":"' || gen_random_uuid() || '"}')::jsonb,
    order_id = COALESCE(md5(:checkout::text)::varchar, order_id),
    amount = COALESCE(36.99, amount),
    transaction_id = COALESCE(gen_random_uuid()::varchar, transaction_id),
    updated_at = now()
WHERE id = :checkout AND driver = :driver
RETURNING id;
