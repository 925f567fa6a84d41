-- Views and materialized views in scope (extension members left out), as PostgreSQL
-- prints them; reloptions sorted so that the order they were set in does not matter.
SELECT c.oid,
       n.nspname AS schema,
       c.relname AS name,
       quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS ident,
       c.relkind AS kind,
       pg_get_viewdef(c.oid, true) AS definition,
       ARRAY(SELECT o FROM unnest(coalesce(c.reloptions, '{}')) AS o ORDER BY 1) AS options,
       c.relispopulated AS populated,
       obj_description(c.oid, 'pg_class') AS comment
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('v', 'm')
  AND c.relnamespace = ANY(%(namespaces)s::oid[])
  AND NOT EXISTS (
        SELECT 1 FROM pg_depend d
        WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e'
          AND d.refclassid = 'pg_extension'::regclass)
ORDER BY 4
