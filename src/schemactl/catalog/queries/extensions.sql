-- Installed extensions whose schema is in scope, and those a project installed into a
-- platform's schema (Supabase's "extensions"), except the platform's own extensions.
SELECT e.extname AS name,
       quote_ident(e.extname) AS ident,
       quote_ident(n.nspname) AS schema,
       e.extversion AS version,
       ARRAY(SELECT quote_ident(r.extname)
               FROM pg_depend d JOIN pg_extension r ON r.oid = d.refobjid
              WHERE d.classid = 'pg_extension'::regclass AND d.objid = e.oid
                AND d.refclassid = 'pg_extension'::regclass
              ORDER BY 1) AS requires
FROM pg_extension e
JOIN pg_namespace n ON n.oid = e.extnamespace
WHERE (e.extnamespace = ANY(%(namespaces)s::oid[])
       OR n.nspname = ANY(%(platform_schemas)s::text[]))
  AND e.extname <> 'plpgsql'
  AND e.extname <> ALL(%(external_extensions)s::text[])
ORDER BY e.extname
