-- How CREATE DATABASE leaves the public schema on this server: its owner (PostgreSQL 15
-- gave it to pg_database_owner and took CREATE away from PUBLIC), quoted as the privilege
-- query quotes owners, and NULL when that owner is the role reading the catalog.
WITH fresh AS (
    SELECT CASE WHEN current_setting('server_version_num')::int >= 150000
                THEN 'pg_database_owner'
                ELSE (SELECT rolname FROM pg_roles WHERE oid = 10) END::text AS owner
)
SELECT owner,
       CASE WHEN owner = current_user THEN NULL ELSE quote_ident(owner) END AS stated_owner,
       current_setting('server_version_num')::int < 150000 AS public_may_create
FROM fresh
