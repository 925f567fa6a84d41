-- Fine-grained behaviour log, range-partitioned by month on occurred_at.
-- Partitions for calendar year 2026; rows outside that range land in the DEFAULT
-- partition until the matching monthly partition is declared.

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
