-- Collations of the schemas in scope. The ICU locale moved between catalog columns
-- (collcollate up to 14, colliculocale in 15 and 16, colllocale from 17): read through
-- to_jsonb so one query serves every version.
SELECT n.nspname AS schema,
       co.collname AS name,
       quote_ident(n.nspname) || '.' || quote_ident(co.collname) AS ident,
       CASE co.collprovider WHEN 'c' THEN 'libc' WHEN 'i' THEN 'icu' WHEN 'b' THEN 'builtin' END
         AS provider,
       co.collisdeterministic AS deterministic,
       CASE WHEN co.collprovider = 'c' THEN j ->> 'collcollate' END AS lc_collate,
       CASE WHEN co.collprovider = 'c' THEN j ->> 'collctype' END AS lc_ctype,
       CASE WHEN co.collprovider <> 'c'
            THEN coalesce(j ->> 'colllocale', j ->> 'colliculocale', j ->> 'collcollate') END
         AS locale,
       j ->> 'collicurules' AS rules,
       obj_description(co.oid, 'pg_collation') AS comment
FROM pg_collation co
CROSS JOIN LATERAL to_jsonb(co) AS j
JOIN pg_namespace n ON n.oid = co.collnamespace
WHERE co.collnamespace = ANY(%(namespaces)s::oid[])
  AND NOT EXISTS (
        SELECT 1 FROM pg_depend d
        WHERE d.classid = 'pg_collation'::regclass AND d.objid = co.oid AND d.deptype = 'e'
          AND d.refclassid = 'pg_extension'::regclass)
ORDER BY 3
