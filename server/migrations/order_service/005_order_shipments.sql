-- Orders after checkout: each vendor ships their part of a Confirmed order.
--
-- An order line knows its vendor: the catalog product's owner (`userId`) when
-- the order was made. Lines of orders made before this migration have none
-- (NULL): those orders get no parts and appear only in the admin's fulfilment
-- list; they are moved as before, as a whole (PUT /api/orders/:id/status).
ALTER TABLE order_items ADD COLUMN vendor_id VARCHAR(64);

CREATE TYPE shipment_status AS ENUM ('Pending', 'Shipped', 'Delivered');

-- One row per order and vendor, made when the order becomes Confirmed.
-- `placed_at` and `order_status` repeat the order's `created_at` and `status`
-- so that a vendor's list (newest first, maybe of one status) is read from one
-- index; `order_status` is kept by the trigger below, whoever moves the order.
CREATE TABLE shipments (
    order_id        UUID NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    vendor_id       VARCHAR(64) NOT NULL,
    status          shipment_status NOT NULL DEFAULT 'Pending',
    carrier         VARCHAR(100),
    tracking_number VARCHAR(64),
    shipped_at      TIMESTAMPTZ,
    delivered_at    TIMESTAMPTZ,
    placed_at       TIMESTAMPTZ NOT NULL,
    order_status    order_status NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (order_id, vendor_id)
);
-- A vendor's list, newest first; and the same of one order status.
CREATE INDEX shipments_vendor_placed_idx ON shipments (vendor_id, placed_at DESC, order_id DESC);
CREATE INDEX shipments_vendor_status_placed_idx ON shipments (vendor_id, order_status, placed_at DESC, order_id DESC);
-- The admin's list: every order newest first; and the same of one status.
CREATE INDEX orders_created_at_idx ON orders (created_at DESC, id DESC);
CREATE INDEX orders_status_created_at_idx ON orders (status, created_at DESC, id DESC);

-- In the same statement as any change of an order's status:
--   Confirmed  one Pending part per vendor of its lines (lines without a vendor get none);
--   Shipped    (the order moved as a whole) its Pending parts become Shipped;
--   Delivered  (likewise) its parts not yet Delivered become Delivered;
-- and every part takes the order's new status. When the order moves because its
-- parts moved (POST .../shipments/ship, .../deliver), the parts are already there.
CREATE FUNCTION order_status_to_shipments() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status = 'Confirmed' THEN
        INSERT INTO shipments (order_id, vendor_id, placed_at, order_status)
            SELECT DISTINCT NEW.id, i.vendor_id, NEW.created_at, NEW.status
            FROM order_items i WHERE i.order_id = NEW.id AND i.vendor_id IS NOT NULL
            ON CONFLICT (order_id, vendor_id) DO NOTHING;
    ELSIF NEW.status = 'Shipped' THEN
        UPDATE shipments SET status = 'Shipped', shipped_at = now(), updated_at = now()
            WHERE order_id = NEW.id AND status = 'Pending';
    ELSIF NEW.status = 'Delivered' THEN
        UPDATE shipments SET status = 'Delivered', shipped_at = COALESCE(shipped_at, now()), delivered_at = now(), updated_at = now()
            WHERE order_id = NEW.id AND status <> 'Delivered';
    END IF;
    UPDATE shipments SET order_status = NEW.status WHERE order_id = NEW.id;
    RETURN NULL;
END
$$;

CREATE TRIGGER orders_status_to_shipments
    AFTER UPDATE OF status ON orders
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION order_status_to_shipments();

-- `create_order` (migration 004) with each line's vendor: `p_products` and
-- `p_vendors` pair every product the service priced with its owner. A cart line
-- whose product is not among them was added after the prices were checked:
-- the answer is 'unpriced' and nothing is made (the service checks again).
-- A retried request whose order exists is answered that order, as before.
-- It answers the rows `create_order` answers, as it does.
CREATE FUNCTION create_order(p_user VARCHAR, p_key VARCHAR, p_street VARCHAR, p_city VARCHAR, p_zip VARCHAR, p_country VARCHAR,
                             p_products VARCHAR[], p_vendors VARCHAR[])
RETURNS TABLE (outcome TEXT, o_id UUID, o_user VARCHAR, o_total NUMERIC, o_status TEXT, o_created TIMESTAMPTZ, o_updated TIMESTAMPTZ,
               i_product VARCHAR, i_name VARCHAR, i_price NUMERIC, i_quantity INTEGER)
LANGUAGE plpgsql AS $$
DECLARE
    cart UUID;
    made UUID;
BEGIN
    SELECT id INTO cart FROM carts WHERE user_id = p_user FOR UPDATE;
    IF (p_key IS NULL OR NOT EXISTS (SELECT 1 FROM orders WHERE idempotency_key = p_key))
       AND EXISTS (SELECT 1 FROM cart_items i WHERE i.cart_id = cart AND i.product_id <> ALL (p_products)) THEN
        outcome := 'unpriced';
        RETURN NEXT;
        RETURN;
    END IF;
    FOR outcome, o_id, o_user, o_total, o_status, o_created, o_updated, i_product, i_name, i_price, i_quantity IN
        SELECT * FROM create_order(p_user, p_key, p_street, p_city, p_zip, p_country)
    LOOP
        IF outcome = 'created' AND made IS NULL THEN
            made := o_id;
            UPDATE order_items SET vendor_id = v.vendor
                FROM unnest(p_products, p_vendors) AS v (product, vendor)
                WHERE order_items.order_id = made AND order_items.product_id = v.product;
        END IF;
        RETURN NEXT;
    END LOOP;
END
$$;
