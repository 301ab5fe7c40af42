-- When a Cancelled order's items went back to its owner's cart. Putting them
-- back is then safe to repeat: only the first call adds anything.
ALTER TABLE orders ADD COLUMN cart_restored_at TIMESTAMPTZ;
