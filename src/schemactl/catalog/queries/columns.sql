-- Columns of every relation in scope, as PostgreSQL prints types and expressions.
-- Read as tuples, in this order (catalog/introspect.py: _read_tables).
-- The routines each default or column depends on, from pg_depend, for all at once.
WITH calls AS (
       SELECT d.classid, d.objid, d.objsubid,
              array_agg(quote_ident(pn.nspname) || '.' || quote_ident(p.proname)
                        || '(' || pg_get_function_identity_arguments(p.oid) || ')'
                        ORDER BY d.refobjid) AS calls
         FROM pg_depend d
         JOIN pg_proc p ON p.oid = d.refobjid
         JOIN pg_namespace pn ON pn.oid = p.pronamespace
        WHERE d.refclassid = 'pg_proc'::regclass
          AND (d.classid = 'pg_attrdef'::regclass
               OR (d.classid = 'pg_class'::regclass AND d.objsubid > 0))
        GROUP BY d.classid, d.objid, d.objsubid
)
SELECT a.attrelid AS relation_oid,
       a.attislocal AS local,
       c.relname AS table_name,
       a.attname AS name,
       quote_ident(a.attname) AS ident,
       a.attnum AS position,
       ft.name AS type,
       a.attnotnull AS not_null,
       CASE WHEN a.attgenerated = '' THEN ex.expr END AS "default",
       a.attidentity AS identity,
       CASE WHEN a.attgenerated IN ('s', 'v') THEN ex.expr END AS generated,
       -- Looked up only for the few columns whose collation is not their type's: joined
       -- for every column, the lookup took a sixth of this query.
       CASE WHEN a.attcollation <> t.typcollation AND a.attcollation <> 0
            THEN (SELECT quote_ident(cn.nspname) || '.' || quote_ident(co.collname)
                    FROM pg_collation co JOIN pg_namespace cn ON cn.oid = co.collnamespace
                   WHERE co.oid = a.attcollation) END AS collation,
       dsc.description AS comment,
       CASE WHEN a.attgenerated = '' AND ad.oid IS NOT NULL THEN vol.volatile
            ELSE false END AS default_volatile,
       coalesce(dc.calls, gc.calls, '{}') AS default_calls,
       -- 'v' (VIRTUAL, computed when read) exists from PostgreSQL 18 on
       CASE WHEN a.attgenerated = 'v' THEN 'VIRTUAL' ELSE 'STORED' END AS generated_storage,
       -- The columns a generation expression reads (asked only of generated columns).
       CASE WHEN a.attgenerated <> '' THEN
            ARRAY(SELECT quote_ident(u.attname)
                    FROM pg_depend d
                    JOIN pg_attribute u ON u.attrelid = d.refobjid AND u.attnum = d.refobjsubid
                   WHERE d.refclassid = 'pg_class'::regclass AND d.refobjid = a.attrelid
                     AND d.refobjsubid > 0 AND d.refobjsubid <> a.attnum
                     -- the expression's (15 and later) or the column's own (14)
                     AND ((d.classid = 'pg_attrdef'::regclass AND d.objid = ad.oid)
                          OR (d.classid = 'pg_class'::regclass AND d.objid = a.attrelid
                              AND d.objsubid = a.attnum))
                   ORDER BY u.attnum)
       END AS generated_uses,
       -- What ALTER COLUMN ... SET adds (catalog/readers/settings.py), for every column of
       -- every table, inherited and partition columns too; NULL where it is the default.
       -- attstattarget is -1 for the default up to PostgreSQL 16 and NULL from 17.
       nullif(coalesce(a.attstattarget::int, -1), -1) AS statistics,
       CASE WHEN a.attstorage <> t.typstorage THEN a.attstorage::text END AS storage,
       CASE a.attcompression WHEN 'p' THEN 'pglz' WHEN 'l' THEN 'lz4' END AS compression,
       -- pg_attver is no setting: newer minor releases (15.20 among them) stamp it on every
       -- column they create or rewrite, with a value of their own; SET and RESET leave it,
       -- and pg_dump leaves it out. Only columns with more options than the stamp are
       -- unnested (told first: unnesting every column's took longer).
       CASE WHEN cardinality(a.attoptions) > 1 OR a.attoptions[1] NOT LIKE 'pg\_attver=%%'
            THEN ARRAY(SELECT o FROM unnest(a.attoptions) AS o
                        WHERE o NOT LIKE 'pg\_attver=%%' ORDER BY o) END AS options,
       t.typstorage::text AS type_storage,
       ids.name AS identity_seq_name,
       ids.ident AS identity_seq_ident,
       ids.seqstart AS identity_seq_start,
       ids.seqincrement AS identity_seq_increment,
       ids.seqmin AS identity_seq_min,
       ids.seqmax AS identity_seq_max,
       ids.seqcache AS identity_seq_cache,
       ids.seqcycle AS identity_seq_cycle
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
-- Each type printed once: a schema has thousands of columns of a few dozen types, and the
-- planner caches this lookup (Memoize) by type and modifier.
LEFT JOIN LATERAL (SELECT format_type(a.atttypid, a.atttypmod) AS name OFFSET 0) ft ON true
-- The default's text, printed once (OFFSET 0 keeps the planner from copying the call).
-- A default names no column, so it is printed without its table (relation 0): given
-- the table, pg_get_expr sets up the names of all its columns for every default (60 ms
-- of this query at 5,000 defaults). A generated column's expression names columns.
LEFT JOIN LATERAL (
       SELECT pg_get_expr(ad.adbin, CASE WHEN a.attgenerated = '' THEN 0
                                         ELSE ad.adrelid END) AS expr
       OFFSET 0) ex ON true
-- Whether it calls a volatile function by name, decided once per distinct default text
-- (most defaults are a few texts: now(), 0, false, gen_random_uuid()).
LEFT JOIN LATERAL (
       SELECT EXISTS (SELECT 1
                        FROM regexp_matches(ex.expr, '([a-z_][a-z0-9_]*)\(', 'g') AS f(name)
                        JOIN pg_proc p ON p.proname = f.name[1]
                       WHERE p.provolatile = 'v') AS volatile
       OFFSET 0) vol ON true
-- The routines defaults call (see calls above).
LEFT JOIN calls dc ON dc.classid = 'pg_attrdef'::regclass AND dc.objid = ad.oid
-- On 14 a generation expression's routines are the column's own dependencies.
LEFT JOIN calls gc ON a.attgenerated <> '' AND gc.classid = 'pg_class'::regclass
                  AND gc.objid = a.attrelid AND gc.objsubid = a.attnum
LEFT JOIN pg_description dsc
       ON dsc.objoid = a.attrelid AND dsc.classoid = 'pg_class'::regclass AND dsc.objsubid = a.attnum
-- An identity column's own sequence (pg_depend 'i'), with its options.
LEFT JOIN LATERAL (
       SELECT s.relname AS name,
              quote_ident(sn.nspname) || '.' || quote_ident(s.relname) AS ident,
              q.seqstart, q.seqincrement, q.seqmin, q.seqmax, q.seqcache, q.seqcycle
         FROM pg_depend d
         JOIN pg_class s ON s.oid = d.objid
         JOIN pg_namespace sn ON sn.oid = s.relnamespace
         JOIN pg_sequence q ON q.seqrelid = s.oid
        WHERE a.attidentity <> ''
          AND d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
          AND d.refobjid = a.attrelid AND d.refobjsubid = a.attnum AND d.deptype = 'i'
       ) ids ON true
WHERE c.relkind IN ('r', 'p')
  AND c.relnamespace = ANY(%(namespaces)s::oid[])
  AND a.attnum > 0
  AND NOT a.attisdropped
ORDER BY a.attrelid, a.attnum
