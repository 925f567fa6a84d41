-- Casts created in this database (not built in, not an extension's, not made along with
-- a range type for its multirange) whose types and
-- function all live in schemas in scope or in pg_catalog: casts have no schema of their
-- own, and one naming an object out of scope is not this schema's.
SELECT format_type(c.castsource, NULL) AS source,
       format_type(c.casttarget, NULL) AS target,
       c.castmethod AS method,
       c.castcontext AS context,
       CASE WHEN c.castfunc <> 0 THEN c.castfunc::regprocedure::text END AS function,
       obj_description(c.oid, 'pg_cast') AS comment
FROM pg_cast c
JOIN pg_type st ON st.oid = c.castsource
JOIN pg_type tt ON tt.oid = c.casttarget
LEFT JOIN pg_proc p ON p.oid = c.castfunc
WHERE c.oid >= 16384
  AND (st.typnamespace = ANY(%(namespaces)s::oid[]) OR st.typnamespace = 'pg_catalog'::regnamespace)
  AND (tt.typnamespace = ANY(%(namespaces)s::oid[]) OR tt.typnamespace = 'pg_catalog'::regnamespace)
  AND (p.oid IS NULL OR p.pronamespace = ANY(%(namespaces)s::oid[])
       OR p.pronamespace = 'pg_catalog'::regnamespace)
  AND NOT EXISTS (
        SELECT 1 FROM pg_depend d
        WHERE d.classid = 'pg_cast'::regclass AND d.objid = c.oid AND d.deptype IN ('e', 'i'))
ORDER BY 1, 2
