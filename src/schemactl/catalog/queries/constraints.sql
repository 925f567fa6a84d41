-- Table constraints declared on the table itself (inherited copies are left out), on
-- tables the user owns (an extension's own tables, and their keys, are the extension's).
-- Read as tuples, in the order of the select list (catalog/introspect.py: _read_constraints).
WITH con AS MATERIALIZED (
    SELECT con.oid, con.conname, con.contype, con.convalidated, con.conrelid, con.confrelid,
           con.conindid, con.conkey, con.confkey, c.relname, c.relnamespace
    FROM pg_constraint con
    JOIN pg_class c ON c.oid = con.conrelid
    WHERE con.contype IN ('p', 'u', 'c', 'f', 'x')
      AND c.relkind IN ('r', 'p')
      AND c.relnamespace = ANY(%(namespaces)s::oid[])
      AND con.conislocal
      AND con.conparentid = 0
      AND NOT EXISTS (
            SELECT 1 FROM pg_depend d
            WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e'
              AND d.refclassid = 'pg_extension'::regclass)
), used_calls AS (
    SELECT objid, array_agg(name) AS names
    FROM (SELECT DISTINCT d.objid, quote_ident(pn.nspname) || '.' || quote_ident(p.proname)
                 || '(' || pg_get_function_identity_arguments(p.oid) || ')' AS name
            FROM con
            JOIN pg_depend d ON d.classid = 'pg_constraint'::regclass AND d.objid = con.oid
            JOIN pg_proc p ON p.oid = d.refobjid
            JOIN pg_namespace pn ON pn.oid = p.pronamespace
           WHERE d.refclassid = 'pg_proc'::regclass
           ORDER BY 1, 2) x
    GROUP BY objid
)
SELECT con.conrelid AS table_oid,
       quote_ident(n.nspname) || '.' || quote_ident(con.relname) AS "table",
       con.conname AS name,
       quote_ident(con.conname) AS ident,
       con.contype AS type,
       def.text AS definition,
       con.convalidated AS validated,
       CASE WHEN con.contype = 'f'
            THEN (SELECT quote_ident(rn.nspname) || '.' || quote_ident(r.relname)
                    FROM pg_class r JOIN pg_namespace rn ON rn.oid = r.relnamespace
                   WHERE r.oid = con.confrelid) END AS "references",
       CASE WHEN con.contype = 'f'
            THEN (SELECT quote_ident(xn.nspname) || '.' || quote_ident(x.relname)
                    FROM pg_class x JOIN pg_namespace xn ON xn.oid = x.relnamespace
                   WHERE x.oid = con.conindid) END AS referenced_index,
       -- The numbers of the columns it stands on, named by the reader from the table's
       -- columns. pg_depend holds the same, and asking it took a quarter of this query:
       -- a key's index columns (INCLUDE ones too), the columns a check names, a foreign
       -- key's own columns and, when it references its own table, the referenced ones.
       coalesce(CASE WHEN con.contype IN ('p', 'u', 'x') THEN ik.indkey::int2[]
                     WHEN con.confrelid = con.conrelid THEN con.conkey || con.confkey
                     ELSE con.conkey END, '{}') AS column_numbers,
       coalesce(uf.names, '{}') AS calls,
       -- The storage parameters of a key's index (pg_get_constraintdef prints them in its
       -- WITH clause), and the definition without them: what only a rebuild changes.
       coalesce(ix.reloptions, '{}') AS index_options,
       CASE WHEN ix.reloptions IS NULL THEN def.text
            ELSE replace(def.text,
                         ' WITH (' || (SELECT string_agg(o.option_name || '=' ||
                                              CASE WHEN quote_ident(o.option_value) = o.option_value
                                                   THEN o.option_value
                                                   ELSE quote_literal(o.option_value) END, ', ')
                                         FROM pg_options_to_table(ix.reloptions) AS o) || ')',
                         '') END AS shape,
       dsc.description AS comment
FROM con
JOIN pg_namespace n ON n.oid = con.relnamespace
LEFT JOIN pg_class ix ON ix.oid = con.conindid AND con.contype IN ('p', 'u', 'x')
LEFT JOIN pg_index ik ON ik.indexrelid = con.conindid AND con.contype IN ('p', 'u', 'x')
LEFT JOIN used_calls uf ON uf.objid = con.oid
-- The definition, printed once (OFFSET 0 keeps the planner from copying the call).
CROSS JOIN LATERAL (SELECT pg_get_constraintdef(con.oid) AS text OFFSET 0) def
LEFT JOIN pg_description dsc
       ON dsc.objoid = con.oid AND dsc.classoid = 'pg_constraint'::regclass AND dsc.objsubid = 0
ORDER BY 1, con.conname
