-- Authentication lookups that must work before the acting user is known.
-- RLS hides user_sessions / users rows until app.user_id is set, so these two
-- narrowly scoped SECURITY DEFINER functions bridge the sign-in step.

CREATE OR REPLACE FUNCTION authenticate_session(p_token_hash text)
RETURNS uuid
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
    SELECT s.user_id
    FROM user_sessions s
    JOIN users u ON u.id = s.user_id
    WHERE s.token_hash = p_token_hash
      AND s.is_active
      AND s.expires_at > now()
      AND u.status = 'active'
$$;

COMMENT ON FUNCTION authenticate_session(text) IS
    'Returns the user owning an active, unexpired session token hash, or NULL.';

CREATE OR REPLACE FUNCTION find_login_account(p_email text)
RETURNS TABLE (user_id uuid, password_hash text, status varchar)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
    SELECT u.id, u.password_hash, u.status
    FROM users u
    WHERE lower(u.email) = lower(p_email)
$$;

COMMENT ON FUNCTION find_login_account(text) IS
    'Password sign-in lookup by email (case-insensitive); returns at most one row.';

REVOKE ALL ON FUNCTION authenticate_session(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION find_login_account(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION authenticate_session(text) TO app_user, app_admin;
GRANT EXECUTE ON FUNCTION find_login_account(text) TO app_user, app_admin;
