-- Ordinary and partitioned tables, with partitioning, inheritance and RLS flags.
SELECT c.oid,
       n.nspname AS schema,
       c.relname AS name,
       quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS ident,
       c.relkind AS kind,
       c.relpersistence = 'u' AS unlogged,
       CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END AS partition_key,
       -- The columns the key reads, plain or in expressions (pg_depend, internal):
       -- PostgreSQL refuses to change their type while the table is partitioned by them.
       CASE WHEN c.relkind = 'p' THEN
            ARRAY(SELECT quote_ident(a.attname)
                    FROM pg_depend d
                    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = d.objsubid
                   WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                     AND d.objsubid > 0 AND d.refclassid = 'pg_class'::regclass
                     AND d.refobjid = c.oid AND d.refobjsubid = 0 AND d.deptype = 'i'
                   ORDER BY a.attnum)
       END AS partition_key_columns,
       -- A bound holds constants, no column: printed without its table (see columns.sql).
       CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, 0) END AS partition_bound,
       (SELECT quote_ident(pn.nspname) || '.' || quote_ident(p.relname)
          FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhparent
          JOIN pg_namespace pn ON pn.oid = p.relnamespace
         WHERE i.inhrelid = c.oid AND c.relispartition) AS partition_of,
       ARRAY(SELECT quote_ident(pn.nspname) || '.' || quote_ident(p.relname)
               FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhparent
               JOIN pg_namespace pn ON pn.oid = p.relnamespace
              WHERE i.inhrelid = c.oid AND NOT c.relispartition
              ORDER BY i.inhseqno) AS inherits,
       CASE WHEN c.reloftype <> 0 THEN format_type(c.reloftype, NULL) END AS of_type,
       c.relrowsecurity AS rls_enabled,
       c.relforcerowsecurity AS rls_forced,
       -- storage parameters of the table, then its TOAST table's as toast.name=value
       ARRAY(SELECT o FROM unnest(c.reloptions) AS o
             UNION ALL
             SELECT 'toast.' || o
               FROM pg_class tc, unnest(tc.reloptions) AS o
              WHERE tc.oid = c.reltoastrelid) AS options,
       -- USING INDEX whose index was dropped behaves as NOTHING.
       CASE WHEN c.relreplident = 'i' AND ri.name IS NULL THEN 'n'
            ELSE c.relreplident::text END AS replica_identity,
       CASE WHEN c.relreplident = 'i' THEN ri.name END AS replica_identity_index,
       dsc.description AS comment
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_description dsc
       ON dsc.objoid = c.oid AND dsc.classoid = 'pg_class'::regclass AND dsc.objsubid = 0
LEFT JOIN LATERAL (
       SELECT quote_ident(ic.relname) AS name
         FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
        WHERE i.indrelid = c.oid AND i.indisreplident
       ) ri ON c.relreplident = 'i'
WHERE c.relkind IN ('r', 'p')
  AND c.relnamespace = ANY(%(namespaces)s::oid[])
  AND NOT EXISTS (
        SELECT 1 FROM pg_depend d
        WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e'
          AND d.refclassid = 'pg_extension'::regclass)
ORDER BY n.nspname, c.relname
