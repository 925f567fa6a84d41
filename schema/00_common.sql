-- Shared helpers used by triggers and row-level security policies.

-- The application sets the acting user per transaction:
--   SET LOCAL app.user_id = '<uuid>';
-- Returns NULL when the setting is absent or empty (never raises on '').
CREATE OR REPLACE FUNCTION app_current_user_id()
RETURNS uuid
LANGUAGE sql
STABLE
PARALLEL SAFE
AS $$
    SELECT nullif(current_setting('app.user_id', true), '')::uuid
$$;

COMMENT ON FUNCTION app_current_user_id() IS
    'Acting application user from the app.user_id setting, or NULL. Used by RLS policies and audit triggers.';

-- BEFORE UPDATE trigger: stamp updated_at on every modified row.
CREATE OR REPLACE FUNCTION set_updated_at()
RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;

COMMENT ON FUNCTION set_updated_at() IS 'Trigger function: sets NEW.updated_at to the transaction timestamp.';
