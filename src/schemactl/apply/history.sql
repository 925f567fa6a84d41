CREATE SCHEMA IF NOT EXISTS schemactl;
REVOKE ALL ON SCHEMA schemactl FROM PUBLIC;
CREATE TABLE IF NOT EXISTS schemactl.history (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    version text NOT NULL,
    name text NOT NULL DEFAULT '',
    kind text NOT NULL CHECK (kind IN ('apply', 'migration', 'rollback')),
    up_sql text NOT NULL,
    down_sql text NOT NULL,
    checksum text NOT NULL,
    reversible boolean NOT NULL DEFAULT true,
    applied_by text NOT NULL DEFAULT current_user,
    client_user text,
    applied_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    duration_ms integer NOT NULL,
    rolled_back_at timestamptz
);
REVOKE ALL ON schemactl.history FROM PUBLIC;
