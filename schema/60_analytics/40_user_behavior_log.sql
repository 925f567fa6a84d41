-- Fine-grained behaviour log, range-partitioned by month on occurred_at.
-- The rule below keeps monthly partitions three months ahead and twelve months back:
-- plan and apply create those due (and `schemactl partitions` or the monthly job does
-- the upkeep alone); older ones are detached and kept as tables. Rows that arrive in the
-- DEFAULT partition before their month's partition exists move into it when it is made.

-- schemactl:partition interval=1 month premake=3 retain=12 months
CREATE TABLE user_behavior_log (
    id           uuid         NOT NULL DEFAULT gen_random_uuid(),
    user_id      uuid         NOT NULL,
    session_id   varchar(100) COLLATE "C",
    action       varchar(50)  NOT NULL,
    entity_type  varchar(30),
    entity_id    uuid,
    action_data  jsonb        NOT NULL DEFAULT '{}',
    occurred_at  timestamptz  NOT NULL DEFAULT now(),

    CONSTRAINT user_behavior_log_pkey PRIMARY KEY (id, occurred_at),
    CONSTRAINT user_behavior_log_user_id_fkey FOREIGN KEY (user_id)
        REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT user_behavior_log_action_data_object_chk CHECK (jsonb_typeof(action_data) = 'object')
) PARTITION BY RANGE (occurred_at);

COMMENT ON TABLE user_behavior_log IS 'High-volume user interaction log (monthly partitions, 12 months retained) for persona and prediction models.';
COMMENT ON COLUMN user_behavior_log.action_data IS 'Action payload: filters used, items compared, dwell time, scroll depth.';

-- Indexes on the parent cascade to every partition, present and future.
CREATE INDEX user_behavior_log_action_data_gin ON user_behavior_log USING gin (action_data);
CREATE INDEX user_behavior_log_user_time_idx ON user_behavior_log (user_id, occurred_at DESC);
CREATE INDEX user_behavior_log_action_time_idx ON user_behavior_log (action, occurred_at);

CREATE TABLE user_behavior_log_2026_01 PARTITION OF user_behavior_log
    FOR VALUES FROM ('2026-01-01 00:00:00+00') TO ('2026-02-01 00:00:00+00');
CREATE TABLE user_behavior_log_2026_02 PARTITION OF user_behavior_log
    FOR VALUES FROM ('2026-02-01 00:00:00+00') TO ('2026-03-01 00:00:00+00');
CREATE TABLE user_behavior_log_2026_03 PARTITION OF user_behavior_log
    FOR VALUES FROM ('2026-03-01 00:00:00+00') TO ('2026-04-01 00:00:00+00');
CREATE TABLE user_behavior_log_2026_04 PARTITION OF user_behavior_log
    FOR VALUES FROM ('2026-04-01 00:00:00+00') TO ('2026-05-01 00:00:00+00');
CREATE TABLE user_behavior_log_2026_05 PARTITION OF user_behavior_log
    FOR VALUES FROM ('2026-05-01 00:00:00+00') TO ('2026-06-01 00:00:00+00');
CREATE TABLE user_behavior_log_2026_06 PARTITION OF user_behavior_log
    FOR VALUES FROM ('2026-06-01 00:00:00+00') TO ('2026-07-01 00:00:00+00');
CREATE TABLE user_behavior_log_2026_07 PARTITION OF user_behavior_log
    FOR VALUES FROM ('2026-07-01 00:00:00+00') TO ('2026-08-01 00:00:00+00');
CREATE TABLE user_behavior_log_2026_08 PARTITION OF user_behavior_log
    FOR VALUES FROM ('2026-08-01 00:00:00+00') TO ('2026-09-01 00:00:00+00');
CREATE TABLE user_behavior_log_2026_09 PARTITION OF user_behavior_log
    FOR VALUES FROM ('2026-09-01 00:00:00+00') TO ('2026-10-01 00:00:00+00');
CREATE TABLE user_behavior_log_2026_10 PARTITION OF user_behavior_log
    FOR VALUES FROM ('2026-10-01 00:00:00+00') TO ('2026-11-01 00:00:00+00');
CREATE TABLE user_behavior_log_2026_11 PARTITION OF user_behavior_log
    FOR VALUES FROM ('2026-11-01 00:00:00+00') TO ('2026-12-01 00:00:00+00');
CREATE TABLE user_behavior_log_2026_12 PARTITION OF user_behavior_log
    FOR VALUES FROM ('2026-12-01 00:00:00+00') TO ('2027-01-01 00:00:00+00');

CREATE TABLE user_behavior_log_default PARTITION OF user_behavior_log DEFAULT;

-- Partition upkeep inside the database, for the monthly pg_cron job: creates the next
-- months' partitions the way the rule above names and secures them, moving any rows
-- already waiting in the DEFAULT partition. schemactl recognises what it makes.
CREATE OR REPLACE FUNCTION ensure_user_behavior_log_partitions(months_ahead integer DEFAULT 3)
RETURNS integer
LANGUAGE plpgsql
SET search_path = public, pg_temp
AS $$
DECLARE
    month_start date;
    partition_name text;
    made integer := 0;
BEGIN
    FOR i IN 0 .. months_ahead LOOP
        month_start := (date_trunc('month', now() AT TIME ZONE 'UTC') + make_interval(months => i))::date;
        partition_name := format('user_behavior_log_%s', to_char(month_start, 'YYYY_MM'));
        CONTINUE WHEN to_regclass(partition_name) IS NOT NULL;
        ALTER TABLE user_behavior_log DETACH PARTITION user_behavior_log_default;
        EXECUTE format(
            'CREATE TABLE %I PARTITION OF user_behavior_log FOR VALUES FROM (%L) TO (%L)',
            partition_name,
            month_start::timestamp AT TIME ZONE 'UTC',
            (month_start + interval '1 month')::timestamp AT TIME ZONE 'UTC');
        EXECUTE format(
            'WITH moved AS (DELETE FROM user_behavior_log_default WHERE occurred_at >= %L AND occurred_at < %L RETURNING *) '
            'INSERT INTO %I SELECT * FROM moved',
            month_start::timestamp AT TIME ZONE 'UTC',
            (month_start + interval '1 month')::timestamp AT TIME ZONE 'UTC',
            partition_name);
        ALTER TABLE user_behavior_log ATTACH PARTITION user_behavior_log_default DEFAULT;
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', partition_name);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', partition_name);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO app_user, app_admin', partition_name);
        made := made + 1;
    END LOOP;
    RETURN made;
END;
$$;

COMMENT ON FUNCTION ensure_user_behavior_log_partitions(integer) IS
    'Creates the coming months'' user_behavior_log partitions (run monthly by pg_cron); returns how many it made.';
