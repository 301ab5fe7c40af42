-- Stock levels (plan: Inventory Service Database).
CREATE TABLE inventories (
    id                  UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    product_id          VARCHAR(64) NOT NULL,
    quantity            INTEGER NOT NULL CHECK (quantity >= 0),
    low_stock_threshold INTEGER NOT NULL DEFAULT 10 CHECK (low_stock_threshold >= 0),
    last_updated        TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE UNIQUE INDEX inventories_product_id_key ON inventories (product_id);
-- Low-stock listing: WHERE quantity < low_stock_threshold.
CREATE INDEX inventories_quantity_threshold_idx ON inventories (quantity, low_stock_threshold);
