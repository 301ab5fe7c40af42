-- A checkout's answer is kept as the shop's result (placed, cart_empty,
-- short_stock, declined, interrupted) with its order and payment; the HTTP
-- status and body are made from it when it is sent, in one place. Answers
-- already kept are carried over.
ALTER TABLE checkouts ADD COLUMN outcome JSONB;

UPDATE checkouts SET outcome = jsonb_strip_nulls(jsonb_build_object(
    'orderID', outcome_body -> 'orderId',
    'transactionID', outcome_body -> 'transactionId',
    'result', CASE
        WHEN outcome_status = 200 THEN jsonb_build_object('placed', '{}'::jsonb)
        WHEN outcome_status = 400 THEN jsonb_build_object('cartEmpty', '{}'::jsonb)
        WHEN outcome_status = 402 THEN jsonb_build_object('declined', jsonb_build_object(
            'reason', COALESCE(outcome_body -> 'reason', '"declined"'::jsonb)))
        WHEN outcome_status = 409 THEN jsonb_build_object('shortStock', jsonb_build_object(
            'items', COALESCE((SELECT jsonb_agg(e.value || jsonb_build_object('name', e.value -> 'productId'))
                               FROM jsonb_array_elements(outcome_body -> 'shortages') AS e(value)), '[]'::jsonb)))
        WHEN state = 'failed' THEN jsonb_build_object('interrupted', jsonb_build_object('stage', '"undone"'::jsonb))
        ELSE jsonb_build_object('interrupted', jsonb_build_object('stage', '"finishing"'::jsonb))
    END))
WHERE outcome_status IS NOT NULL AND outcome_body IS NOT NULL;

ALTER TABLE checkouts DROP COLUMN outcome_status, DROP COLUMN outcome_body;
