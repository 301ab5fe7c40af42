-- Who is driving a checkout: the request that began it, or the recovery pass
-- that took it over after it went stale. Every step is written only by the
-- current driver, so a checkout taken over while its first driver was merely
-- slow is never finished twice (undone by one and charged by the other).
ALTER TABLE checkouts ADD COLUMN driver UUID NOT NULL DEFAULT gen_random_uuid();
