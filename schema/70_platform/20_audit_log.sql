-- Tamper-evident audit trail: every row carries the SHA-256 of its content chained to
-- the hash of the previous row, so editing or removing a row breaks the chain.

CREATE TABLE audit_log (
    id             bigint       GENERATED ALWAYS AS IDENTITY,
    table_name     text         NOT NULL,
    operation      varchar(6)   NOT NULL,
    row_id         uuid,
    old_data       jsonb,
    new_data       jsonb,
    actor_user_id  uuid,
    db_role        text         NOT NULL,
    client_addr    inet,
    txid           bigint       NOT NULL DEFAULT txid_current(),
    changed_at     timestamptz  NOT NULL DEFAULT clock_timestamp(),
    prev_hash      char(64)     COLLATE "C",
    row_hash       char(64)     COLLATE "C" NOT NULL,

    CONSTRAINT audit_log_pkey PRIMARY KEY (id),
    CONSTRAINT audit_log_row_hash_key UNIQUE (row_hash),
    -- Each entry has exactly one successor (and one genesis entry): a concurrent writer
    -- that read a stale chain head fails here instead of forking the chain.
    CONSTRAINT audit_log_prev_hash_key UNIQUE NULLS NOT DISTINCT (prev_hash),
    CONSTRAINT audit_log_operation_chk CHECK (operation IN ('INSERT', 'UPDATE', 'DELETE')),
    CONSTRAINT audit_log_data_chk CHECK (
        (operation = 'INSERT' AND old_data IS NULL AND new_data IS NOT NULL) OR
        (operation = 'UPDATE' AND old_data IS NOT NULL AND new_data IS NOT NULL) OR
        (operation = 'DELETE' AND old_data IS NOT NULL AND new_data IS NULL))
);

CREATE INDEX audit_log_table_row_idx ON audit_log (table_name, row_id, id);
CREATE INDEX audit_log_actor_idx ON audit_log (actor_user_id, changed_at) WHERE actor_user_id IS NOT NULL;
CREATE INDEX audit_log_changed_brin ON audit_log USING brin (changed_at);

COMMENT ON TABLE audit_log IS 'Append-only, hash-chained change log of critical tables (users, trips, bookings). Retained indefinitely.';
COMMENT ON COLUMN audit_log.actor_user_id IS 'Application user (app.user_id) on whose behalf the change was made.';
COMMENT ON COLUMN audit_log.db_role IS 'Database role that made the change (the SET ROLE role, else the session user).';
COMMENT ON COLUMN audit_log.prev_hash IS 'row_hash of the preceding entry; NULL only for the first entry.';
COMMENT ON COLUMN audit_log.row_hash IS 'SHA-256 (hex) over prev_hash and this entry''s content; see audit_log_row_hash().';

-- Canonical hash of an entry. Uses only representations that do not depend on session
-- settings (jsonb text, epoch seconds), so verification gives the same result anywhere.
CREATE OR REPLACE FUNCTION audit_log_row_hash(e audit_log)
RETURNS char(64)
LANGUAGE sql
IMMUTABLE
SET search_path = public, pg_temp
AS $$
    SELECT encode(digest(concat_ws('|',
        coalesce(e.prev_hash, ''),
        e.id::text,
        e.table_name,
        e.operation,
        coalesce(e.row_id::text, ''),
        coalesce(e.old_data::text, ''),
        coalesce(e.new_data::text, ''),
        coalesce(e.actor_user_id::text, ''),
        e.db_role,
        coalesce(host(e.client_addr), ''),
        e.txid::text,
        extract(epoch FROM e.changed_at)::text), 'sha256'), 'hex')
$$;

-- Row trigger on audited tables. SECURITY DEFINER so that the application roles,
-- which have no privileges on audit_log, can still produce entries.
-- TG_ARGV lists columns to leave out of the snapshot (e.g. password_hash).
CREATE OR REPLACE FUNCTION audit_capture()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
DECLARE
    e audit_log;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        e.old_data := to_jsonb(OLD) - coalesce(TG_ARGV, '{}'::text[]);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        e.new_data := to_jsonb(NEW) - coalesce(TG_ARGV, '{}'::text[]);
    END IF;
    IF TG_OP = 'UPDATE' AND e.old_data = e.new_data THEN
        RETURN NULL;  -- nothing audited changed
    END IF;

    -- Serialise writers so that each entry links to the one committed before it.
    PERFORM pg_advisory_xact_lock(hashtext('public.audit_log'), 0);

    SELECT a.row_hash INTO e.prev_hash
    FROM audit_log a
    ORDER BY a.id DESC
    LIMIT 1;

    e.id            := nextval(pg_get_serial_sequence('public.audit_log', 'id'));
    e.table_name    := TG_TABLE_NAME;
    e.operation     := TG_OP;
    e.row_id        := coalesce(e.new_data, e.old_data) ->> 'id';
    e.actor_user_id := app_current_user_id();
    e.db_role       := CASE WHEN current_setting('role') = 'none' THEN session_user::text
                            ELSE current_setting('role') END;
    e.client_addr   := inet_client_addr();
    e.txid          := txid_current();
    e.changed_at    := clock_timestamp();
    e.row_hash      := audit_log_row_hash(e);

    INSERT INTO audit_log OVERRIDING SYSTEM VALUE
    SELECT e.*;
    RETURN NULL;
END;
$$;

COMMENT ON FUNCTION audit_capture() IS
    'AFTER row trigger: appends a hash-chained entry to audit_log. Arguments name columns to exclude.';

-- The log is append-only, even for its owner (short of disabling the triggers, which
-- the integrity check would then reveal).
CREATE OR REPLACE FUNCTION audit_log_reject_change()
RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only (% rejected)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER audit_log_no_update_delete
    BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_reject_change();

CREATE TRIGGER audit_log_no_truncate
    BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_reject_change();

-- Entries whose hash or chain link does not verify; no rows means the log is intact.
CREATE OR REPLACE FUNCTION verify_audit_log_integrity()
RETURNS TABLE (audit_id bigint, problem text, stored_hash char(64), expected_hash char(64))
LANGUAGE sql
STABLE
SET search_path = public, pg_temp
AS $$
    WITH chain AS (
        SELECT a.id,
               a.prev_hash,
               a.row_hash,
               audit_log_row_hash(a)                  AS recomputed,
               lag(a.row_hash) OVER (ORDER BY a.id)   AS previous_row_hash
        FROM audit_log a
    )
    SELECT id, 'content does not match row_hash', row_hash, recomputed
    FROM chain
    WHERE row_hash IS DISTINCT FROM recomputed
    UNION ALL
    SELECT id, 'prev_hash does not match the preceding entry', prev_hash, previous_row_hash
    FROM chain
    WHERE prev_hash IS DISTINCT FROM previous_row_hash
    ORDER BY 1, 2
$$;

COMMENT ON FUNCTION verify_audit_log_integrity() IS
    'Recomputes every audit_log hash and chain link; returns the entries that fail.';

CREATE OR REPLACE FUNCTION audit_log_is_intact()
RETURNS boolean
LANGUAGE sql
STABLE
SET search_path = public, pg_temp
AS $$
    SELECT NOT EXISTS (SELECT 1 FROM verify_audit_log_integrity())
$$;

COMMENT ON FUNCTION audit_log_is_intact() IS 'True when verify_audit_log_integrity() finds no broken entry.';
