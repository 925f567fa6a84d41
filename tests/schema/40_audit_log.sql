-- The audit log is append-only and hash-chained: nobody may rewrite it, and its chain
-- verifies after the changes the application makes.

-- test: changes to audited tables are logged
-- expect: rows >= 3
SELECT * FROM audit_log WHERE table_name = 'users';

-- test: the audit log cannot be updated, even by its owner
-- expect: error insufficient_privilege
UPDATE audit_log SET db_role = 'someone else';

-- test: the audit log cannot be deleted from, even by its owner
-- expect: error insufficient_privilege
DELETE FROM audit_log;

-- test: the audit log cannot be truncated
-- expect: error insufficient_privilege
TRUNCATE audit_log;

-- test: the application roles cannot read the audit log
-- as: app_user
-- set: app.user_id = '00000000-0000-0000-0000-00000000a11c'
-- expect: error insufficient_privilege
SELECT * FROM audit_log;

-- test: the hash chain verifies after the application changes rows
-- as: app_user
-- set: app.user_id = '00000000-0000-0000-0000-00000000a11c'
-- expect: 1 row
UPDATE trips SET title = 'Alice''s longer trip', end_date = end_date + 2;

-- as: owner
-- expect: 0 rows
SELECT * FROM verify_audit_log_integrity();

-- test: a tampered entry breaks the chain
-- Only by switching the guard off, as an attacker with owner rights would.
ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update_delete;

UPDATE audit_log SET db_role = 'forged' WHERE id = (SELECT min(id) FROM audit_log);

-- expect: rows >= 1
SELECT * FROM verify_audit_log_integrity();
