-- Reserving and releasing an order's stock, each as one statement.
--
-- Stock rows are the hottest rows of the shop: every checkout of a product locks
-- its row. Done from the service as a transaction, a row stayed locked for the
-- round trips between the UPDATE and the COMMIT, and every other checkout of that
-- product waited for them. As one statement the lock is held for the statement's
-- own work and its commit. Rows are locked in product-id order (byte order) by
-- both functions, so two orders sharing products cannot deadlock.

-- Answers one row per line:
--   'reserved'  the lines were taken (quantity = the units)
--   'held'      the order had reserved already: the lines it holds
--   'released'  the order was released before (one row, no line)
--   'short'     nothing taken: the short lines, with what is available
CREATE FUNCTION reserve_stock(p_order VARCHAR, p_products VARCHAR[], p_quantities INTEGER[])
RETURNS TABLE (outcome TEXT, line_product VARCHAR, line_quantity INTEGER, line_available INTEGER)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    held_status VARCHAR;
BEGIN
    -- Claims the order first: a concurrent reserve of the same order waits here
    -- for this one to commit, then finds what it holds.
    INSERT INTO reservations (order_id) VALUES (p_order) ON CONFLICT (order_id) DO NOTHING;
    IF NOT FOUND THEN
        SELECT status INTO held_status FROM reservations WHERE order_id = p_order;
        IF held_status = 'released' THEN
            RETURN QUERY SELECT 'released'::TEXT, NULL::VARCHAR, NULL::INTEGER, NULL::INTEGER;
        ELSE
            RETURN QUERY SELECT 'held'::TEXT, l.product_id, l.quantity, NULL::INTEGER
                FROM reservation_lines l WHERE l.order_id = p_order ORDER BY l.product_id COLLATE "C";
        END IF;
        RETURN;
    END IF;

    PERFORM 1 FROM inventories WHERE product_id = ANY (p_products) ORDER BY product_id COLLATE "C" FOR UPDATE;

    RETURN QUERY SELECT 'short'::TEXT, w.product_id, w.quantity, COALESCE(i.quantity, 0)
        FROM unnest(p_products, p_quantities) AS w (product_id, quantity)
        LEFT JOIN inventories i ON i.product_id = w.product_id
        WHERE i.quantity IS NULL OR i.quantity < w.quantity
        ORDER BY w.product_id COLLATE "C";
    IF FOUND THEN
        -- Nothing is taken; the claim goes too, so the order may try again later.
        DELETE FROM reservations WHERE order_id = p_order;
        RETURN;
    END IF;

    UPDATE inventories i SET quantity = i.quantity - w.quantity, last_updated = now()
        FROM unnest(p_products, p_quantities) AS w (product_id, quantity)
        WHERE i.product_id = w.product_id;
    INSERT INTO reservation_lines (order_id, product_id, quantity)
        SELECT p_order, w.product_id, w.quantity FROM unnest(p_products, p_quantities) AS w (product_id, quantity);
    RETURN QUERY SELECT 'reserved'::TEXT, w.product_id, w.quantity, NULL::INTEGER
        FROM unnest(p_products, p_quantities) AS w (product_id, quantity) ORDER BY w.product_id COLLATE "C";
END
$$;

-- Answers one row:
--   'nothing'   the order held nothing; it is marked released, so a reserve that
--               arrives after its compensation (a slow network) cannot hold stock
--   'already'   released before
--   'returned'  the stock went back: one row per line
CREATE FUNCTION release_stock(p_order VARCHAR)
RETURNS TABLE (outcome TEXT, line_product VARCHAR, line_quantity INTEGER)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
BEGIN
    INSERT INTO reservations (order_id, status, released_at) VALUES (p_order, 'released', now())
        ON CONFLICT (order_id) DO NOTHING;
    IF FOUND THEN
        RETURN QUERY SELECT 'nothing'::TEXT, NULL::VARCHAR, NULL::INTEGER;
        RETURN;
    END IF;
    -- Only the call that flips 'held' to 'released' returns the stock.
    UPDATE reservations SET status = 'released', released_at = now() WHERE order_id = p_order AND status = 'held';
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'already'::TEXT, NULL::VARCHAR, NULL::INTEGER;
        RETURN;
    END IF;
    PERFORM 1 FROM inventories
        WHERE product_id IN (SELECT l.product_id FROM reservation_lines l WHERE l.order_id = p_order)
        ORDER BY product_id COLLATE "C" FOR UPDATE;
    UPDATE inventories i SET quantity = i.quantity + l.quantity, last_updated = now()
        FROM reservation_lines l WHERE l.order_id = p_order AND i.product_id = l.product_id;
    RETURN QUERY SELECT 'returned'::TEXT, l.product_id, l.quantity
        FROM reservation_lines l WHERE l.order_id = p_order ORDER BY l.product_id COLLATE "C";
END
$$;
