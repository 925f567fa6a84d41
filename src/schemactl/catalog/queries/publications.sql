-- Publications that name no table out of scope (FOR ALL TABLES, or none yet, count as
-- in scope). Their tables are read by publication_tables.sql.
SELECT p.pubname AS name,
       quote_ident(p.pubname) AS ident,
       p.puballtables AS all_tables,
       ARRAY(SELECT op FROM (VALUES (1, 'insert', p.pubinsert), (2, 'update', p.pubupdate),
                                    (3, 'delete', p.pubdelete), (4, 'truncate', p.pubtruncate))
                             AS o(n, op, yes)
              WHERE yes ORDER BY n) AS publish,
       p.pubviaroot AS via_root,
       obj_description(p.oid, 'pg_publication') AS comment
FROM pg_publication p
WHERE p.pubname <> ALL(%(external_publications)s::text[])  -- a platform's (profiles/)
  AND NOT EXISTS (
        SELECT 1 FROM pg_publication_rel r JOIN pg_class t ON t.oid = r.prrelid
         WHERE r.prpubid = p.oid AND NOT t.relnamespace = ANY(%(namespaces)s::oid[]))
  AND NOT EXISTS (
        SELECT 1 FROM pg_depend d
        WHERE d.classid = 'pg_publication'::regclass AND d.objid = p.oid AND d.deptype = 'e'
          AND d.refclassid = 'pg_extension'::regclass)
ORDER BY 1
