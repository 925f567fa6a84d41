-- Roles by name, with the attributes CREATE ROLE sets (never the password), and the
-- other databases of the server that depend on each: where it owns objects or holds
-- privileges (pg_shdepend), or that it owns. schemactl's own dev databases do not count.
SELECT r.rolname AS name,
       quote_ident(r.rolname) AS ident,
       r.rolcanlogin AS login,
       r.rolsuper AS superuser,
       r.rolcreatedb AS createdb,
       r.rolcreaterole AS createrole,
       r.rolinherit AS inherit,
       r.rolreplication AS replication,
       r.rolbypassrls AS bypassrls,
       r.rolconnlimit AS connection_limit,
       CASE WHEN r.rolvaliduntil IS NULL OR r.rolvaliduntil = 'infinity' THEN NULL
            ELSE to_char(r.rolvaliduntil AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || '+00'
       END AS valid_until,
       shobj_description(r.oid, 'pg_authid') AS comment,
       ARRAY(
           SELECT d.datname::text FROM pg_database d
           WHERE d.datname <> current_database()
             AND d.datname NOT LIKE 'schemactl\_dev\_%%'
             AND (d.datdba = r.oid
                  OR EXISTS (SELECT FROM pg_shdepend s
                             WHERE s.dbid = d.oid AND s.refclassid = 'pg_authid'::regclass
                               AND s.refobjid = r.oid))
           ORDER BY 1
       ) AS used_in
FROM pg_roles r
WHERE r.rolname = ANY(%(names)s)
ORDER BY r.rolname
