-- Installed extensions whose schema is in scope.
SELECT e.extname AS name,
       quote_ident(e.extname) AS ident,
       quote_ident(n.nspname) AS schema,
       e.extversion AS version
FROM pg_extension e
JOIN pg_namespace n ON n.oid = e.extnamespace
WHERE e.extnamespace = ANY(%(namespaces)s::oid[])
  AND e.extname <> 'plpgsql'
ORDER BY e.extname
