-- CHECK constraints of the domains in scope (NOT NULL is the domain's typnotnull).
SELECT quote_ident(n.nspname) || '.' || quote_ident(t.typname) AS domain,
       con.conname AS name,
       quote_ident(con.conname) AS ident,
       pg_get_constraintdef(con.oid) AS definition,
       con.convalidated AS validated,
       obj_description(con.oid, 'pg_constraint') AS comment,
       EXISTS (SELECT 1 FROM pg_depend d
                WHERE d.classid = 'pg_constraint'::regclass AND d.objid = con.oid
                  AND d.refclassid = 'pg_proc'::regclass) AS uses_functions
FROM pg_constraint con
JOIN pg_type t ON t.oid = con.contypid
JOIN pg_namespace n ON n.oid = t.typnamespace
WHERE con.contype = 'c'
  AND t.typnamespace = ANY(%(namespaces)s::oid[])
ORDER BY 1, con.conname
