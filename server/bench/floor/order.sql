-- The checkout's floor, order_service: what one shopper's cycle of server/bench/checkout.lua
-- sends to this database, statement for statement as the server sends them (unnamed
-- extended-protocol statements, each its own transaction): one to three cart adds
-- (cart_add), then the checkout's order step (the order under this key or else the
-- cart, in one read; create_order) and its confirmation (the status change and the parts' read).
-- Run by server/bench/floor.sh with pgbench -M extended; :client_id is the shopper.
\set n random(1, 3)
\set first random(0, 2)
\set second (:first + 1) % 3
\set third (:first + 2) % 3
\set key random(1, 999999999999)
SELECT c_id, c_user, c_total, c_updated, i_product, i_name, i_price, i_quantity
FROM cart_add(('floor-' || :client_id)::varchar, (ARRAY['f10000000000000000000001','f10000000000000000000002','f10000000000000000000003'])[:first + 1]::varchar,
              (ARRAY['Floor Lamp','Floor Mug','Floor Rug'])[:first + 1]::varchar, (ARRAY[9.99, 4.5, 27])[:first + 1]::numeric, 1::int);
\if :n >= 2
SELECT c_id, c_user, c_total, c_updated, i_product, i_name, i_price, i_quantity
FROM cart_add(('floor-' || :client_id)::varchar, (ARRAY['f10000000000000000000001','f10000000000000000000002','f10000000000000000000003'])[:second + 1]::varchar,
              (ARRAY['Floor Lamp','Floor Mug','Floor Rug'])[:second + 1]::varchar, (ARRAY[9.99, 4.5, 27])[:second + 1]::numeric, 1::int);
\endif
\if :n >= 3
SELECT c_id, c_user, c_total, c_updated, i_product, i_name, i_price, i_quantity
FROM cart_add(('floor-' || :client_id)::varchar, (ARRAY['f10000000000000000000001','f10000000000000000000002','f10000000000000000000003'])[:third + 1]::varchar,
              (ARRAY['Floor Lamp','Floor Mug','Floor Rug'])[:third + 1]::varchar, (ARRAY[9.99, 4.5, 27])[:third + 1]::numeric, 1::int);
\endif
SELECT (SELECT id FROM orders WHERE idempotency_key = ('floor-' || :key)::varchar), c.id, c.user_id, c.total_price, c.updated_at,
       i.product_id, i.name, i.price, i.quantity
FROM (SELECT 1) one
LEFT JOIN carts c ON c.user_id = ('floor-' || :client_id)::varchar
LEFT JOIN cart_items i ON i.cart_id = c.id
ORDER BY i.name, i.product_id;
-- The server reads every row create_order answers; the first carries the order's id.
SELECT o_id FROM create_order(('floor-' || :client_id)::varchar, ('floor-' || :key)::varchar,
                  '1 Bench Rd'::varchar, 'Gent'::varchar, '9000'::varchar, 'Belgium'::varchar,
                  ARRAY['f10000000000000000000001','f10000000000000000000002','f10000000000000000000003']::varchar[],
                  ARRAY['00000000-0000-4000-8000-00000000f100','00000000-0000-4000-8000-00000000f100','00000000-0000-4000-8000-00000000f100']::varchar[])
LIMIT 1 \gset
WITH moved AS (
    UPDATE orders o SET status = 'Confirmed'::order_status, updated_at = now()
    FROM (SELECT id, status::text AS status FROM orders WHERE id = :o_id FOR UPDATE) was
    WHERE o.id = was.id AND o.status::text = ANY('{Pending}'::text[])
      AND NOT ('Confirmed' = 'Cancelled' AND EXISTS (
          SELECT 1 FROM shipments s WHERE s.order_id = o.id AND s.status <> 'Pending'))
    RETURNING o.id, o.user_id, o.total_amount, o.status::text AS status, o.created_at, o.updated_at, was.status AS was)
SELECT m.id, m.user_id, m.total_amount, m.status, m.created_at, m.updated_at, m.was,
       i.product_id, i.name, i.price, i.quantity, i.vendor_id,
       a.street, a.city, a.zip, a.country, a.order_id IS NOT NULL
FROM moved m
LEFT JOIN order_items i ON i.order_id = m.id
LEFT JOIN shipping_addresses a ON a.order_id = m.id
ORDER BY i.name, i.product_id;
SELECT s.order_id, s.vendor_id, n.name, s.status::text, s.carrier, s.tracking_number, s.shipped_at, s.delivered_at
FROM shipments s LEFT JOIN vendor_names n ON n.vendor_id = s.vendor_id
WHERE s.order_id = ANY(ARRAY[:o_id]::uuid[]) ORDER BY s.vendor_id;
