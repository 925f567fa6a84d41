-- Indexes not owned by a constraint, and not attached copies of a partitioned parent's index.
-- Indexes of a table that belongs to an extension are the extension's, as pg_dump sees it.
-- Read as tuples, in the order of the select list (catalog/introspect.py: _read_indexes).
-- The indexes are chosen first: printing them is most of the cost, and what they use is
-- read from pg_depend for all of them at once.
WITH idx AS MATERIALIZED (
    SELECT i.indexrelid, i.indrelid, i.indisvalid
    FROM pg_index i
    JOIN pg_class c ON c.oid = i.indrelid
    WHERE c.relkind IN ('r', 'p', 'm')
      AND c.relnamespace = ANY(%(namespaces)s::oid[])
      AND NOT EXISTS (
            SELECT 1 FROM pg_constraint con
            WHERE con.conindid = i.indexrelid AND con.conrelid = i.indrelid
              AND con.contype IN ('p', 'u', 'x'))
      AND NOT EXISTS (SELECT 1 FROM pg_inherits inh WHERE inh.inhrelid = i.indexrelid)
      AND NOT EXISTS (
            SELECT 1 FROM pg_depend d
            WHERE d.classid = 'pg_class'::regclass AND d.objid IN (i.indexrelid, i.indrelid)
              AND d.deptype = 'e' AND d.refclassid = 'pg_extension'::regclass)
), used_columns AS (
    SELECT objid, array_agg(name) AS names
    FROM (SELECT DISTINCT d.objid, quote_ident(a.attname) AS name
            FROM idx
            JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = idx.indexrelid
            JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
           WHERE d.refclassid = 'pg_class'::regclass AND d.refobjid = idx.indrelid
             AND d.refobjsubid > 0
           ORDER BY 1, 2) x
    GROUP BY objid
), used_calls AS (
    SELECT objid, array_agg(name) AS names
    FROM (SELECT DISTINCT d.objid, quote_ident(pn.nspname) || '.' || quote_ident(p.proname)
                 || '(' || pg_get_function_identity_arguments(p.oid) || ')' AS name
            FROM idx
            JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = idx.indexrelid
            JOIN pg_proc p ON p.oid = d.refobjid
            JOIN pg_namespace pn ON pn.oid = p.pronamespace
           WHERE d.refclassid = 'pg_proc'::regclass
           ORDER BY 1, 2) x
    GROUP BY objid
)
SELECT n.nspname AS schema,
       ic.relname AS name,
       quote_ident(n.nspname) || '.' || quote_ident(ic.relname) AS ident,
       quote_ident(tn.nspname) || '.' || quote_ident(c.relname) AS "table",
       def.text AS definition,
       i.indisvalid AS valid,
       c.relkind AS table_kind,
       coalesce(uc.names, '{}') AS columns,
       coalesce(uf.names, '{}') AS calls,
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
FROM idx i
JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_namespace n ON n.oid = ic.relnamespace
JOIN pg_class c ON c.oid = i.indrelid
JOIN pg_namespace tn ON tn.oid = c.relnamespace
LEFT JOIN used_columns uc ON uc.objid = i.indexrelid
LEFT JOIN used_calls uf ON uf.objid = i.indexrelid
-- The definition, printed once (OFFSET 0 keeps the planner from copying the call).
CROSS JOIN LATERAL (SELECT pg_get_indexdef(i.indexrelid) AS text OFFSET 0) def
LEFT JOIN pg_description dsc
       ON dsc.objoid = ic.oid AND dsc.classoid = 'pg_class'::regclass AND dsc.objsubid = 0
ORDER BY 3
