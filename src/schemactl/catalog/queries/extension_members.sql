-- Extensions that own any of the named routines, relations or types (a schema naming
-- extensions.uuid_generate_v4() names a member of uuid-ossp), with the extensions they
-- require, so that a dev database can be given the extension instead of its members.
WITH RECURSIVE wanted AS (
    SELECT w.schema, w.name
    FROM unnest(%(schemas)s::text[], %(names)s::text[]) AS w(schema, name)
), members AS (
    SELECT 'pg_proc'::regclass AS classid, p.oid AS objid
    FROM pg_proc p
    JOIN pg_namespace n ON n.oid = p.pronamespace
    JOIN wanted w ON w.schema = n.nspname AND w.name = p.proname
    UNION ALL
    SELECT 'pg_class'::regclass, c.oid
    FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    JOIN wanted w ON w.schema = n.nspname AND w.name = c.relname
    UNION ALL
    SELECT 'pg_type'::regclass, t.oid
    FROM pg_type t
    JOIN pg_namespace n ON n.oid = t.typnamespace
    JOIN wanted w ON w.schema = n.nspname AND w.name = t.typname
), owners(oid) AS (
    SELECT d.refobjid
    FROM members m
    JOIN pg_depend d ON d.classid = m.classid AND d.objid = m.objid
    WHERE d.deptype = 'e' AND d.refclassid = 'pg_extension'::regclass
    UNION
    SELECT d.refobjid
    FROM owners o
    JOIN pg_depend d ON d.classid = 'pg_extension'::regclass AND d.objid = o.oid
    WHERE d.refclassid = 'pg_extension'::regclass
)
SELECT e.extname AS name,
       quote_ident(e.extname) AS ident,
       quote_ident(n.nspname) AS schema,
       e.extversion AS version
FROM pg_extension e
JOIN pg_namespace n ON n.oid = e.extnamespace
WHERE e.oid IN (SELECT oid FROM owners)
  AND e.extname <> 'plpgsql'
ORDER BY e.extname
