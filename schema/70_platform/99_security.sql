-- Privileges for platform tables.
-- rate_limits is keyed by IP / API key as well as user, so it has no owner and no RLS.

GRANT SELECT, INSERT, UPDATE, DELETE ON rate_limits TO app_user, app_admin;

-- The audit log is written only by the audit trigger (SECURITY DEFINER);
-- nobody gets INSERT/UPDATE/DELETE, administrators may read and verify it.
REVOKE ALL ON audit_log FROM PUBLIC;
GRANT SELECT ON audit_log TO app_admin;

REVOKE ALL ON FUNCTION verify_audit_log_integrity() FROM PUBLIC;
REVOKE ALL ON FUNCTION audit_log_is_intact() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION verify_audit_log_integrity() TO app_admin;
GRANT EXECUTE ON FUNCTION audit_log_is_intact() TO app_admin;
