-- What the query of each view and materialized view uses, from the pg_depend rows of
-- its rewrite rule: relations (refobjsubid 0) and their columns (refobjsubid = attnum),
-- routines (keyed by signature, as functions.sql keys them) and types. The rule's
-- dependency on its own view is left out.
SELECT r.ev_class AS view_oid,
       'relation' AS kind,
       quote_ident(rn.nspname) || '.' || quote_ident(rc.relname) AS target,
       quote_ident(a.attname) AS "column"
FROM pg_rewrite r
JOIN pg_class c ON c.oid = r.ev_class
JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid
JOIN pg_class rc ON d.refclassid = 'pg_class'::regclass AND rc.oid = d.refobjid
JOIN pg_namespace rn ON rn.oid = rc.relnamespace
LEFT JOIN pg_attribute a ON a.attrelid = rc.oid AND a.attnum = d.refobjsubid AND d.refobjsubid > 0
WHERE c.relkind IN ('v', 'm')
  AND c.relnamespace = ANY(%(namespaces)s::oid[])
  AND d.refobjid <> r.ev_class
  AND d.deptype = 'n'
UNION
SELECT r.ev_class,
       'routine',
       quote_ident(pn.nspname) || '.' || quote_ident(p.proname) || '('
           || coalesce(nullif(pg_get_function_identity_arguments(p.oid), ''),
                       CASE WHEN p.prokind = 'a' THEN '*' ELSE '' END) || ')',
       NULL
FROM pg_rewrite r
JOIN pg_class c ON c.oid = r.ev_class
JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid
JOIN pg_proc p ON d.refclassid = 'pg_proc'::regclass AND p.oid = d.refobjid
JOIN pg_namespace pn ON pn.oid = p.pronamespace
WHERE c.relkind IN ('v', 'm')
  AND c.relnamespace = ANY(%(namespaces)s::oid[])
  AND d.deptype = 'n'
UNION
SELECT r.ev_class,
       'type',
       quote_ident(tn.nspname) || '.' || quote_ident(t.typname),
       NULL
FROM pg_rewrite r
JOIN pg_class c ON c.oid = r.ev_class
JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid
JOIN pg_type t ON d.refclassid = 'pg_type'::regclass AND t.oid = d.refobjid
JOIN pg_namespace tn ON tn.oid = t.typnamespace
WHERE c.relkind IN ('v', 'm')
  AND c.relnamespace = ANY(%(namespaces)s::oid[])
  AND d.deptype = 'n'
ORDER BY 1, 2, 3, 4
