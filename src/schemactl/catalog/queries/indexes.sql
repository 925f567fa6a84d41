-- Indexes not owned by a constraint, and not attached copies of a partitioned parent's index.
SELECT n.nspname AS schema,
       ic.relname AS name,
       quote_ident(n.nspname) || '.' || quote_ident(ic.relname) AS ident,
       quote_ident(tn.nspname) || '.' || quote_ident(c.relname) AS "table",
       pg_get_indexdef(i.indexrelid) AS definition,
       i.indisvalid AS valid,
       c.relkind AS table_kind,
       dsc.description AS comment
FROM pg_index i
JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_namespace n ON n.oid = ic.relnamespace
JOIN pg_class c ON c.oid = i.indrelid
JOIN pg_namespace tn ON tn.oid = c.relnamespace
LEFT JOIN pg_description dsc
       ON dsc.objoid = ic.oid AND dsc.classoid = 'pg_class'::regclass AND dsc.objsubid = 0
WHERE c.relkind IN ('r', 'p', 'm')
  AND c.relnamespace = ANY(%(namespaces)s::oid[])
  AND NOT EXISTS (
        SELECT 1 FROM pg_constraint con
        WHERE con.conindid = i.indexrelid AND con.conrelid = i.indrelid
          AND con.contype IN ('p', 'u', 'x'))
  AND NOT EXISTS (SELECT 1 FROM pg_inherits inh WHERE inh.inhrelid = i.indexrelid)
  AND NOT EXISTS (
        SELECT 1 FROM pg_depend d
        WHERE d.classid = 'pg_class'::regclass AND d.objid IN (ic.oid, c.oid) AND d.deptype = 'e')
ORDER BY 3
