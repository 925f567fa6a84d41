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
    -- Why an entry cannot be undone (data it dropped, a down script that does not restore).
    irreversible_reason text,
    applied_by text NOT NULL DEFAULT current_user,
    client_user text,
    applied_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    duration_ms integer NOT NULL,
    -- The schema (in-scope objects) right after the entry: rollback refuses when the live
    -- schema no longer matches the newest entry's. One hash, and one per object for naming.
    fingerprint text,
    fingerprint_objects jsonb,
    -- A migration with statements outside a transaction commits in parts: 'running' until
    -- its last part, with the number of statements done, so a rerun resumes after them.
    state text NOT NULL DEFAULT 'applied' CHECK (state IN ('running', 'applied')),
    progress integer NOT NULL DEFAULT 0,
    rolled_back_at timestamptz,
    -- The rollback entry that undid this one.
    rolled_back_by bigint
);
REVOKE ALL ON schemactl.history FROM PUBLIC;
