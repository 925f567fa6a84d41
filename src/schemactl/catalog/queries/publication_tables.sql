-- Tables of publications, with their column lists and row filters (PostgreSQL 15+).
SELECT p.pubname AS publication,
       quote_ident(tn.nspname) || '.' || quote_ident(t.relname) AS "table",
       ARRAY(SELECT quote_ident(a.attname)
               FROM pg_attribute a
              WHERE a.attrelid = r.prrelid AND a.attnum = ANY(r.prattrs)
              ORDER BY a.attnum) AS columns,
       pg_get_expr(r.prqual, r.prrelid) AS row_filter
FROM pg_publication_rel r
JOIN pg_publication p ON p.oid = r.prpubid
JOIN pg_class t ON t.oid = r.prrelid
JOIN pg_namespace tn ON tn.oid = t.relnamespace
ORDER BY 1, 2
