-- Triggers declared on a table or view in scope. Internal triggers (those behind foreign
-- keys) and the clones a partitioned table's trigger leaves on its partitions
-- (tgparentid <> 0) are left out: the trigger is planned once, on the parent.
SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS "table",
       t.tgname AS name,
       quote_ident(t.tgname) AS ident,
       pg_get_triggerdef(t.oid, false) AS definition,
       t.tgenabled AS enabled,
       t.tgconstraint <> 0 AS "constraint",
       ARRAY(SELECT DISTINCT quote_ident(fn.nspname) || '.' || quote_ident(f.proname)
                    || '(' || pg_get_function_identity_arguments(f.oid) || ')'
               FROM pg_depend d
               JOIN pg_proc f ON f.oid = d.refobjid
               JOIN pg_namespace fn ON fn.oid = f.pronamespace
              WHERE d.classid = 'pg_trigger'::regclass AND d.objid = t.oid
                AND d.refclassid = 'pg_proc'::regclass
              ORDER BY 1) AS functions,
       ARRAY(SELECT quote_ident(a.attname)
               FROM pg_depend d
               JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
              WHERE d.classid = 'pg_trigger'::regclass AND d.objid = t.oid
                AND d.refclassid = 'pg_class'::regclass AND d.refobjsubid > 0
              ORDER BY 1) AS columns,
       obj_description(t.oid, 'pg_trigger') AS comment
FROM pg_trigger t
JOIN pg_class c ON c.oid = t.tgrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE NOT t.tgisinternal
  AND t.tgparentid = 0
  AND c.relnamespace = ANY(%(namespaces)s::oid[])
  AND NOT EXISTS (
        SELECT 1 FROM pg_depend d
        WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e'
          AND d.refclassid = 'pg_extension'::regclass)
ORDER BY 1, 2
