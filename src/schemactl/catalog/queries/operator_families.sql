-- Operator families of the schemas in scope.
SELECT f.oid,
       n.nspname AS schema,
       f.opfname AS name,
       quote_ident(n.nspname) || '.' || quote_ident(f.opfname) AS ident,
       am.amname AS method,
       obj_description(f.oid, 'pg_opfamily') AS comment
FROM pg_opfamily f
JOIN pg_namespace n ON n.oid = f.opfnamespace
JOIN pg_am am ON am.oid = f.opfmethod
WHERE f.opfnamespace = ANY(%(namespaces)s::oid[])
  AND NOT EXISTS (
        SELECT 1 FROM pg_depend d
        WHERE d.classid = 'pg_opfamily'::regclass AND d.objid = f.oid AND d.deptype = 'e'
          AND d.refclassid = 'pg_extension'::regclass)
ORDER BY 4, 5
