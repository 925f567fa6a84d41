-- NOT NULL constraints as constraints of their own: PostgreSQL 18 records each in
-- pg_constraint (contype 'n'), with a name, NO INHERIT and NOT VALID; earlier versions
-- keep only pg_attribute.attnotnull, and this query finds nothing there. Every column
-- of a table in scope is read, inherited ones too: a partition's constraints carry
-- names of their own (pg_dump prints them), which CREATE TABLE ... LIKE and ATTACH
-- PARTITION take from elsewhere.
SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS "table",
       a.attname AS "column",
       con.conname AS name,
       quote_ident(con.conname) AS ident,
       con.connoinherit AS no_inherit,
       con.convalidated AS valid,
       dsc.description AS comment,
       con.coninhcount > 0 AS inherited,
       -- The name the column's constraint has on the first parent: what a partition or
       -- an inheriting table created now would be given.
       (SELECT pcon.conname
          FROM pg_inherits i
          JOIN pg_attribute pa ON pa.attrelid = i.inhparent AND pa.attname = a.attname
          JOIN pg_constraint pcon
            ON pcon.conrelid = i.inhparent AND pcon.contype = 'n' AND pcon.conkey = ARRAY[pa.attnum]
         WHERE i.inhrelid = c.oid AND NOT pcon.connoinherit
         ORDER BY i.inhseqno
         LIMIT 1) AS parent_name
FROM pg_constraint con
JOIN pg_class c ON c.oid = con.conrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = con.conkey[1]
LEFT JOIN pg_description dsc
       ON dsc.objoid = con.oid AND dsc.classoid = 'pg_constraint'::regclass AND dsc.objsubid = 0
WHERE con.contype = 'n'
  AND c.relkind IN ('r', 'p')
  AND c.relnamespace = ANY(%(namespaces)s::oid[])
  AND NOT EXISTS (
        SELECT 1 FROM pg_depend d
        WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e'
          AND d.refclassid = 'pg_extension'::regclass)
ORDER BY 1, a.attnum
