-- The checkout's floor, inventory_service: one reserve_stock per checkout, for the same
-- one to three of the three hot products a cycle of server/bench/checkout.lua buys.
\set n random(1, 3)
\set first random(0, 2)
\set lo :first + 1
\set hi :first + :n
SELECT outcome, line_product, line_quantity, line_available
FROM reserve_stock(gen_random_uuid()::varchar,
                   (ARRAY['f10000000000000000000001','f10000000000000000000002','f10000000000000000000003',
                          'f10000000000000000000001','f10000000000000000000002'])[:lo::int : :hi::int]::varchar[],
                   array_fill(1, ARRAY[:n::int])::int[]);
