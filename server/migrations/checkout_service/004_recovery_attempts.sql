-- How many times recovery has taken a checkout over. Each further attempt waits
-- twice as long (up to 64 × the stale delay), so a checkout stuck on a service
-- that stays down is retried ever more calmly and is counted as stuck.
ALTER TABLE checkouts ADD COLUMN recovery_attempts INTEGER NOT NULL DEFAULT 0;
