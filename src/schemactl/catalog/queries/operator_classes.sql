-- Operator classes of the schemas in scope.
SELECT c.oid,
       n.nspname AS schema,
       c.opcname AS name,
       quote_ident(n.nspname) || '.' || quote_ident(c.opcname) AS ident,
       am.amname AS method,
       format_type(c.opcintype, NULL) AS type,
       quote_ident(fn.nspname) || '.' || quote_ident(f.opfname) AS family,
       c.opcdefault AS "default",
       CASE WHEN c.opckeytype <> 0 THEN format_type(c.opckeytype, NULL) END AS storage,
       obj_description(c.oid, 'pg_opclass') AS comment
FROM pg_opclass c
JOIN pg_namespace n ON n.oid = c.opcnamespace
JOIN pg_am am ON am.oid = c.opcmethod
JOIN pg_opfamily f ON f.oid = c.opcfamily
JOIN pg_namespace fn ON fn.oid = f.opfnamespace
WHERE c.opcnamespace = ANY(%(namespaces)s::oid[])
  AND NOT EXISTS (
        SELECT 1 FROM pg_depend d
        WHERE d.classid = 'pg_opclass'::regclass AND d.objid = c.oid AND d.deptype = 'e'
          AND d.refclassid = 'pg_extension'::regclass)
ORDER BY 4, 5
