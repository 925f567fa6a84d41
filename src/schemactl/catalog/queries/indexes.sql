-- Indexes not owned by a constraint, and not attached copies of a partitioned parent's index.
-- Indexes of a table that belongs to an extension are the extension's, as pg_dump sees it.
-- Read as tuples, in the order of the select list (catalog/introspect.py: _read_indexes).
SELECT n.nspname AS schema,
       ic.relname AS name,
       quote_ident(n.nspname) || '.' || quote_ident(ic.relname) AS ident,
       quote_ident(tn.nspname) || '.' || quote_ident(c.relname) AS "table",
       def.text AS definition,
       i.indisvalid AS valid,
       c.relkind AS table_kind,
       ARRAY(SELECT DISTINCT quote_ident(a.attname)
               FROM pg_depend d
               JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
              WHERE d.classid = 'pg_class'::regclass AND d.objid = i.indexrelid
                AND d.refclassid = 'pg_class'::regclass AND d.refobjid = i.indrelid
                AND d.refobjsubid > 0) AS columns,
       ARRAY(SELECT DISTINCT quote_ident(pn.nspname) || '.' || quote_ident(p.proname)
                    || '(' || pg_get_function_identity_arguments(p.oid) || ')'
               FROM pg_depend d
               JOIN pg_proc p ON p.oid = d.refobjid
               JOIN pg_namespace pn ON pn.oid = p.pronamespace
              WHERE d.classid = 'pg_class'::regclass AND d.objid = i.indexrelid
                AND d.refclassid = 'pg_proc'::regclass) AS calls,
       coalesce(ic.reloptions, '{}') AS options,
       -- pg_get_indexdef prints each option as name=value, quoting values that are not
       -- plain identifiers, in the order stored.
       CASE WHEN ic.reloptions IS NULL THEN def.text
            ELSE replace(def.text,
                         ' WITH (' || (SELECT string_agg(o.option_name || '=' ||
                                              CASE WHEN quote_ident(o.option_value) = o.option_value
                                                   THEN o.option_value
                                                   ELSE quote_literal(o.option_value) END, ', ')
                                         FROM pg_options_to_table(ic.reloptions) AS o) || ')',
                         '') END AS shape,
       dsc.description AS comment
FROM pg_index i
JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_namespace n ON n.oid = ic.relnamespace
JOIN pg_class c ON c.oid = i.indrelid
JOIN pg_namespace tn ON tn.oid = c.relnamespace
-- The definition, printed once (OFFSET 0 keeps the planner from copying the call).
CROSS JOIN LATERAL (SELECT pg_get_indexdef(i.indexrelid) AS text OFFSET 0) def
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
