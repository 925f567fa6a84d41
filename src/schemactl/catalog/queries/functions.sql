-- Functions, procedures, window functions and aggregates in scope, keyed by signature.
-- Aggregates get their definition from aggregates.sql (pg_get_functiondef refuses them).
-- What creation order needs comes from pg_depend: the routines and relations a routine
-- depends on (argument defaults, BEGIN ATOMIC bodies, row types and user types in its
-- signature, an aggregate's support functions), and whether anything but a routine, trigger or policy
-- uses it (column defaults, checks, views, domains, indexes), so that it is needed early.
SELECT n.nspname AS schema,
       p.proname AS name,
       quote_ident(n.nspname) || '.' || quote_ident(p.proname) AS ident,
       pg_get_function_identity_arguments(p.oid) AS arguments,
       p.prokind AS kind,
       CASE WHEN p.prokind <> 'a' THEN pg_get_functiondef(p.oid) END AS definition,
       pg_get_function_result(p.oid) AS result,
       p.pronargdefaults AS defaults,
       l.lanname AS language,
       p.prosrc AS source,
       obj_description(p.oid, 'pg_proc') AS comment,
       ARRAY(SELECT DISTINCT quote_ident(rn.nspname) || '.' || quote_ident(r.proname) || '('
                    || coalesce(nullif(pg_get_function_identity_arguments(r.oid), ''),
                                CASE WHEN r.prokind = 'a' THEN '*' ELSE '' END) || ')'
               FROM pg_depend d
               JOIN pg_proc r ON r.oid = d.refobjid
               JOIN pg_namespace rn ON rn.oid = r.pronamespace
              WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid
                AND d.refclassid = 'pg_proc'::regclass AND d.deptype = 'n'
                AND r.oid <> p.oid
              ORDER BY 1) AS requires,
       ARRAY(SELECT DISTINCT quote_ident(rn.nspname) || '.' || quote_ident(r.relname)
               FROM pg_depend d
               LEFT JOIN pg_type t ON d.refclassid = 'pg_type'::regclass AND t.oid = d.refobjid
               LEFT JOIN pg_type e ON e.oid = t.typelem
               JOIN pg_class r ON r.oid = CASE WHEN d.refclassid = 'pg_class'::regclass
                                               THEN d.refobjid
                                               ELSE coalesce(nullif(t.typrelid, 0), e.typrelid) END
               JOIN pg_namespace rn ON rn.oid = r.relnamespace
              WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'n'
                AND d.refclassid IN ('pg_class'::regclass, 'pg_type'::regclass)
                AND r.relkind IN ('r', 'p', 'v', 'm', 'f')
              ORDER BY 1) AS relations,
       -- User types in its signature or BEGIN ATOMIC body (an array as its element):
       -- PostgreSQL refuses to drop a type, to replace it, while the routine stands.
       ARRAY(SELECT DISTINCT quote_ident(tn.nspname) || '.' || quote_ident(t.typname)
               FROM pg_depend d
               JOIN pg_type u ON u.oid = d.refobjid
               JOIN pg_type t ON t.oid = CASE WHEN u.typcategory = 'A' AND u.typelem <> 0
                                              THEN u.typelem ELSE u.oid END
               JOIN pg_namespace tn ON tn.oid = t.typnamespace
              WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'n'
                AND d.refclassid = 'pg_type'::regclass
              ORDER BY 1) AS types,
       -- Table columns a BEGIN ATOMIC body reads: PostgreSQL refuses to change their
       -- type or drop them while the routine stands.
       ARRAY(SELECT DISTINCT quote_ident(rn.nspname) || '.' || quote_ident(r.relname)
                    || '.' || quote_ident(a.attname)
               FROM pg_depend d
               JOIN pg_class r ON r.oid = d.refobjid
               JOIN pg_namespace rn ON rn.oid = r.relnamespace
               JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
              WHERE p.prosqlbody IS NOT NULL
                AND d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'n'
                AND d.refclassid = 'pg_class'::regclass AND d.refobjsubid > 0
              ORDER BY 1) AS columns,
       EXISTS (SELECT 1 FROM pg_depend d
                WHERE d.refclassid = 'pg_proc'::regclass AND d.refobjid = p.oid
                  AND d.deptype = 'n'
                  AND d.classid NOT IN ('pg_proc'::regclass, 'pg_trigger'::regclass,
                                        'pg_policy'::regclass, 'pg_event_trigger'::regclass))
         AS needed_early
FROM pg_proc p
JOIN pg_namespace n ON n.oid = p.pronamespace
JOIN pg_language l ON l.oid = p.prolang
WHERE p.pronamespace = ANY(%(namespaces)s::oid[])
  AND NOT EXISTS (
        SELECT 1 FROM pg_depend d
        WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype IN ('e', 'i'))
ORDER BY 3, 4
