-- Tables of publications up to PostgreSQL 14: no column lists, no row filters.
SELECT p.pubname AS publication,
       quote_ident(tn.nspname) || '.' || quote_ident(t.relname) AS "table",
       ARRAY[]::text[] AS columns,
       NULL::text AS row_filter
FROM pg_publication_rel r
JOIN pg_publication p ON p.oid = r.prpubid
JOIN pg_class t ON t.oid = r.prrelid
JOIN pg_namespace tn ON tn.oid = t.relnamespace
ORDER BY 1, 2
