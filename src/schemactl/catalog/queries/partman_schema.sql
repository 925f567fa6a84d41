-- The schema pg_partman is installed in, if it is, and whether its config is readable.
SELECT quote_ident(n.nspname) AS schema
FROM pg_extension e
JOIN pg_namespace n ON n.oid = e.extnamespace
WHERE e.extname = 'pg_partman'
  AND has_table_privilege(to_regclass(format('%%I.part_config', n.nspname)), 'SELECT')
