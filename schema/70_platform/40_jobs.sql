-- Scheduled jobs (pg_cron). On a server without pg_cron in this database schemactl says so
-- in a warning and plans no jobs; where pg_cron runs (Supabase, Neon, self-hosted with
-- shared_preload_libraries = 'pg_cron') it schedules, reschedules and unschedules them.

-- The analytics materialized views, refreshed without blocking readers, every hour.
SELECT cron.schedule('refresh-analytics', '0 * * * *', $$SELECT refresh_analytics_views()$$);

-- The behaviour log's partitions for the coming months, on the first of each month.
SELECT cron.schedule('partition-upkeep', '0 0 1 * *', $$SELECT ensure_user_behavior_log_partitions(3)$$);
