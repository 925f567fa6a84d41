-- CHECK constraints of the domains in scope (NOT NULL is the domain's typnotnull).
SELECT quote_ident(n.nspname) || '.' || quote_ident(t.typname) AS domain,
       con.conname AS name,
       quote_ident(con.conname) AS ident,
       pg_get_constraintdef(con.oid) AS definition,
       con.convalidated AS validated,
       obj_description(con.oid, 'pg_constraint') AS comment,
       -- The routines it calls: dropping one needs the constraint gone first.
       ARRAY(SELECT DISTINCT quote_ident(pn.nspname) || '.' || quote_ident(p.proname)
                    || '(' || pg_get_function_identity_arguments(p.oid) || ')'
               FROM pg_depend d
               JOIN pg_proc p ON p.oid = d.refobjid
               JOIN pg_namespace pn ON pn.oid = p.pronamespace
              WHERE d.classid = 'pg_constraint'::regclass AND d.objid = con.oid
                AND d.refclassid = 'pg_proc'::regclass
              ORDER BY 1) AS calls
FROM pg_constraint con
JOIN pg_type t ON t.oid = con.contypid
JOIN pg_namespace n ON n.oid = t.typnamespace
WHERE con.contype = 'c'
  AND t.typnamespace = ANY(%(namespaces)s::oid[])
ORDER BY 1, con.conname
