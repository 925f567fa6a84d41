-- Schemas in scope: user schemas, minus schemactl's own, system and extension-owned ones.
SELECT n.oid,
       n.nspname AS name,
       quote_ident(n.nspname) AS ident,
       pg_get_userbyid(n.nspowner) AS owner,
       obj_description(n.oid, 'pg_namespace') AS comment
FROM pg_namespace n
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'schemactl')
  AND n.nspname !~ '^pg_(toast|temp_|toast_temp_)'
  AND (cardinality(%(include_schemas)s::text[]) = 0 OR n.nspname = ANY(%(include_schemas)s::text[]))
  AND n.nspname <> ALL(%(exclude_schemas)s::text[])
  AND NOT EXISTS (
        SELECT 1 FROM pg_depend d
        WHERE d.classid = 'pg_namespace'::regclass AND d.objid = n.oid AND d.deptype = 'e'
          AND d.refclassid = 'pg_extension'::regclass)
ORDER BY n.nspname
