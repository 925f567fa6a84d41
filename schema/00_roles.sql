-- The application's roles. Roles belong to the whole server, not to this database:
-- schemactl creates them where the server lacks them and brings their attributes in line,
-- but never drops one unless a DROP ROLE here says so. Passwords are never kept here.

-- The application: row-level security limits it to the acting user's rows.
CREATE ROLE app_user NOLOGIN;

-- Back office and batch jobs: policies let it see every row.
CREATE ROLE app_admin NOLOGIN;
