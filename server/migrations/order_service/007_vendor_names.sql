-- Each part of an order names its vendor. The catalog names a product's owner
-- (from the accounts); the order service keeps the name the catalog last gave
-- when an order with that vendor's products was made, and shows it on the parts.
CREATE TABLE vendor_names (
    vendor_id  VARCHAR(64) PRIMARY KEY,
    name       TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
