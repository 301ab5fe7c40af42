-- The stock each order holds, so reserving an order's lines happens once and
-- releasing them returns stock once, however often the checkout retries.
CREATE TABLE reservations (
    order_id    VARCHAR(64) PRIMARY KEY,
    -- 'released' also marks an order whose release came before (or instead of)
    -- its reservation: a late reserve for it is refused rather than holding stock forever.
    status      VARCHAR(16) NOT NULL DEFAULT 'held' CHECK (status IN ('held', 'released')),
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    released_at TIMESTAMPTZ
);

CREATE TABLE reservation_lines (
    order_id   VARCHAR(64) NOT NULL REFERENCES reservations (order_id) ON DELETE CASCADE,
    product_id VARCHAR(64) NOT NULL,
    quantity   INTEGER NOT NULL CHECK (quantity > 0),
    PRIMARY KEY (order_id, product_id)
);
