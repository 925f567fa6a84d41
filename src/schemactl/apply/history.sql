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
-- Added with versioned migrations and rollback; IF NOT EXISTS upgrades older tables in place.
-- Why an entry cannot be undone (data it dropped, a down script that does not restore).
ALTER TABLE schemactl.history ADD COLUMN IF NOT EXISTS irreversible_reason text;
-- The schema (in-scope objects) right after the entry: rollback refuses when the live
-- schema no longer matches the newest entry's. One hash, and one per object for naming.
ALTER TABLE schemactl.history ADD COLUMN IF NOT EXISTS fingerprint text;
ALTER TABLE schemactl.history ADD COLUMN IF NOT EXISTS fingerprint_objects jsonb;
-- A migration with statements outside a transaction commits in parts: 'running' until
-- its last part, with the number of statements done, so a rerun resumes after them.
ALTER TABLE schemactl.history ADD COLUMN IF NOT EXISTS state text NOT NULL DEFAULT 'applied'
    CHECK (state IN ('running', 'applied'));
ALTER TABLE schemactl.history ADD COLUMN IF NOT EXISTS progress integer NOT NULL DEFAULT 0;
-- The rollback entry that undid this one.
ALTER TABLE schemactl.history ADD COLUMN IF NOT EXISTS rolled_back_by bigint;
