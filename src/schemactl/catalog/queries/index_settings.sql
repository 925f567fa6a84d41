-- Statistics targets set on index expression columns (ALTER INDEX ... ALTER COLUMN n
-- SET STATISTICS), and the indexes tables are clustered on (ALTER TABLE ... CLUSTER ON).
SELECT quote_ident(n.nspname) || '.' || quote_ident(ic.relname) AS "index",
       quote_ident(ic.relname) AS index_name,
       quote_ident(tn.nspname) || '.' || quote_ident(c.relname) AS "table",
       i.indisclustered AS clustered,
       ARRAY(SELECT ARRAY[a.attnum::int, a.attstattarget::int]
               FROM pg_attribute a
              WHERE a.attrelid = ic.oid AND a.attnum > 0
                AND coalesce(a.attstattarget::int, -1) <> -1
              ORDER BY a.attnum) AS statistics
FROM pg_index i
JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_namespace n ON n.oid = ic.relnamespace
JOIN pg_class c ON c.oid = i.indrelid
JOIN pg_namespace tn ON tn.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'm')
  AND c.relnamespace = ANY(%(namespaces)s::oid[])
  AND (i.indisclustered OR EXISTS (
        SELECT 1 FROM pg_attribute a
         WHERE a.attrelid = ic.oid AND a.attnum > 0 AND coalesce(a.attstattarget::int, -1) <> -1))
ORDER BY 1
