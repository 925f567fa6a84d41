-- Indexes attached to a partitioned index (pg_inherits), at every level: which partition
-- each belongs to. Constraint indexes are named after their constraint.
SELECT quote_ident(pn.nspname) || '.' || quote_ident(p.relname) AS parent,
       quote_ident(tn.nspname) || '.' || quote_ident(t.relname) AS "table",
       quote_ident(cn.nspname) || '.' || quote_ident(c.relname) AS index
FROM pg_inherits i
JOIN pg_class c ON c.oid = i.inhrelid AND c.relkind IN ('i', 'I')
JOIN pg_namespace cn ON cn.oid = c.relnamespace
JOIN pg_class p ON p.oid = i.inhparent
JOIN pg_namespace pn ON pn.oid = p.relnamespace
JOIN pg_index x ON x.indexrelid = c.oid
JOIN pg_class t ON t.oid = x.indrelid
JOIN pg_namespace tn ON tn.oid = t.relnamespace
WHERE p.relnamespace = ANY(%(namespaces)s::oid[])
ORDER BY 1, 2
