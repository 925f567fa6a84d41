-- Row-level security policies of every table in scope (partitions have their own: policies
-- are not inherited), with what their expressions use according to pg_depend.
SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS "table",
       p.polname AS name,
       quote_ident(p.polname) AS ident,
       p.polpermissive AS permissive,
       CASE p.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE'
                     WHEN 'd' THEN 'DELETE' ELSE 'ALL' END AS command,
       ARRAY(SELECT CASE WHEN r.oid = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(r.oid)) END
               FROM unnest(p.polroles) AS r(oid)
              ORDER BY 1) AS roles,
       pg_get_expr(p.polqual, p.polrelid) AS "using",
       pg_get_expr(p.polwithcheck, p.polrelid) AS with_check,
       ARRAY(SELECT DISTINCT ARRAY[quote_ident(dn.nspname) || '.' || quote_ident(dc.relname),
                                   quote_ident(a.attname)]
               FROM pg_depend d
               JOIN pg_class dc ON dc.oid = d.refobjid
               JOIN pg_namespace dn ON dn.oid = dc.relnamespace
               JOIN pg_attribute a ON a.attrelid = dc.oid AND a.attnum = d.refobjsubid
              WHERE d.classid = 'pg_policy'::regclass AND d.objid = p.oid
                AND d.refclassid = 'pg_class'::regclass AND d.refobjsubid > 0
              ORDER BY 1) AS columns,
       ARRAY(SELECT DISTINCT quote_ident(dn.nspname) || '.' || quote_ident(dc.relname)
               FROM pg_depend d
               JOIN pg_class dc ON dc.oid = d.refobjid
               JOIN pg_namespace dn ON dn.oid = dc.relnamespace
              WHERE d.classid = 'pg_policy'::regclass AND d.objid = p.oid
                AND d.refclassid = 'pg_class'::regclass AND d.deptype = 'n'
                AND dc.oid <> c.oid
              ORDER BY 1) AS relations,
       ARRAY(SELECT DISTINCT quote_ident(fn.nspname) || '.' || quote_ident(f.proname) || '('
                    || coalesce(nullif(pg_get_function_identity_arguments(f.oid), ''),
                                CASE WHEN f.prokind = 'a' THEN '*' ELSE '' END) || ')'
               FROM pg_depend d
               JOIN pg_proc f ON f.oid = d.refobjid
               JOIN pg_namespace fn ON fn.oid = f.pronamespace
              WHERE d.classid = 'pg_policy'::regclass AND d.objid = p.oid
                AND d.refclassid = 'pg_proc'::regclass
              ORDER BY 1) AS functions
FROM pg_policy p
JOIN pg_class c ON c.oid = p.polrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relnamespace = ANY(%(namespaces)s::oid[])
  AND NOT EXISTS (
        SELECT 1 FROM pg_depend d
        WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e'
          AND d.refclassid = 'pg_extension'::regclass)
ORDER BY 1, 2
