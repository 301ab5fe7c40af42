-- Carts and orders (plan: Order Service Database).
CREATE TYPE order_status AS ENUM ('Pending', 'Confirmed', 'Shipped', 'Delivered', 'Cancelled');

CREATE TABLE carts (
    id          UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id     VARCHAR(64) NOT NULL,
    total_price NUMERIC(10,2) NOT NULL DEFAULT 0 CHECK (total_price >= 0),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX carts_user_id_key ON carts (user_id);

CREATE TABLE cart_items (
    id         UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    cart_id    UUID NOT NULL REFERENCES carts (id) ON DELETE CASCADE,
    product_id VARCHAR(64) NOT NULL,
    name       VARCHAR(255),
    price      NUMERIC(10,2) CHECK (price >= 0),
    quantity   INTEGER NOT NULL DEFAULT 1 CHECK (quantity > 0)
);
CREATE INDEX cart_items_cart_id_idx ON cart_items (cart_id);
CREATE UNIQUE INDEX cart_items_cart_product_key ON cart_items (cart_id, product_id);

CREATE TABLE orders (
    id           UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id      VARCHAR(64) NOT NULL,
    total_amount NUMERIC(10,2) NOT NULL CHECK (total_amount >= 0),
    status       order_status NOT NULL DEFAULT 'Pending',
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX orders_user_id_idx ON orders (user_id);
CREATE INDEX orders_status_idx ON orders (status);

CREATE TABLE order_items (
    id         UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    order_id   UUID NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    product_id VARCHAR(64) NOT NULL,
    name       VARCHAR(255),
    price      NUMERIC(10,2) CHECK (price >= 0),
    quantity   INTEGER NOT NULL CHECK (quantity > 0)
);
CREATE INDEX order_items_order_id_idx ON order_items (order_id);

CREATE TABLE shipping_addresses (
    id       UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    order_id UUID NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    street   VARCHAR(255),
    city     VARCHAR(100),
    zip      VARCHAR(20),
    country  VARCHAR(100)
);
CREATE INDEX shipping_addresses_order_id_idx ON shipping_addresses (order_id);
