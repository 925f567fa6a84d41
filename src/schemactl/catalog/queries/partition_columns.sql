-- Columns of partitions whose default or NOT NULL differs from the parent's column:
-- what CREATE TABLE ... PARTITION OF parent (col DEFAULT ..., col NOT NULL) declared.
-- Defaults name no column: printed without their table (see columns.sql). Generated
-- columns are left out (the filter below), so no generation expression is selected.
SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS "table",
       a.attname AS name,
       quote_ident(a.attname) AS ident,
       a.attnum AS position,
       format_type(a.atttypid, a.atttypmod) AS type,
       a.attnotnull AS not_null,
       pg_get_expr(ad.adbin, 0) AS "default",
       a.attidentity AS identity,
       NULL::text AS generated,
       NULL::text AS collation
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_inherits i ON i.inhrelid = c.oid
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
JOIN pg_attribute pa ON pa.attrelid = i.inhparent AND pa.attname = a.attname
LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
LEFT JOIN pg_attrdef pad ON pad.adrelid = pa.attrelid AND pad.adnum = pa.attnum
WHERE c.relispartition
  AND c.relkind IN ('r', 'p')
  AND c.relnamespace = ANY(%(namespaces)s::oid[])
  AND a.attgenerated = ''
  AND (a.attnotnull <> pa.attnotnull
       OR pg_get_expr(ad.adbin, 0) IS DISTINCT FROM pg_get_expr(pad.adbin, 0))
ORDER BY 1, a.attnum
