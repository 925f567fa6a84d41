-- Per-column settings beyond the definition (ALTER TABLE ... ALTER COLUMN ... SET):
-- statistics target, storage other than the type's, compression, attribute options.
-- Every column of the tables in scope counts, inherited and partition columns too.
-- attstattarget is -1 for the default up to PostgreSQL 16 and NULL from 17.
-- pg_attver is no setting: newer minor releases (15.20 among them) stamp it on every
-- column they create or rewrite, with a value of their own; SET and RESET leave it, and
-- pg_dump leaves it out. Read as an option, every column of two databases would differ.
SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS "table",
       a.attname AS name,
       quote_ident(a.attname) AS ident,
       nullif(coalesce(a.attstattarget::int, -1), -1) AS statistics,
       CASE WHEN a.attstorage <> t.typstorage THEN a.attstorage::text END AS storage,
       CASE a.attcompression WHEN 'p' THEN 'pglz' WHEN 'l' THEN 'lz4' END AS compression,
       ARRAY(SELECT o FROM unnest(a.attoptions) AS o
              WHERE o NOT LIKE 'pg\_attver=%%' ORDER BY o) AS options,
       format_type(a.atttypid, a.atttypmod) AS type,
       t.typstorage::text AS type_storage
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_type t ON t.oid = a.atttypid
WHERE c.relkind IN ('r', 'p')
  AND c.relnamespace = ANY(%(namespaces)s::oid[])
  AND a.attnum > 0
  AND NOT a.attisdropped
  AND (coalesce(a.attstattarget::int, -1) <> -1
       OR a.attstorage <> t.typstorage
       OR a.attcompression <> ''
       -- more options than the stamp: counted, as unnesting every column's took longer
       OR cardinality(a.attoptions)
          > CASE WHEN a.attoptions::text LIKE '%%pg\_attver=%%' THEN 1 ELSE 0 END)
ORDER BY 1, a.attnum
