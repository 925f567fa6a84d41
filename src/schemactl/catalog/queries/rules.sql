-- Rules on tables and views in scope; a view's own _RETURN rule is its definition.
SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS "table",
       r.rulename AS name,
       quote_ident(r.rulename) AS ident,
       rtrim(pg_get_ruledef(r.oid), ';') AS definition,
       r.ev_enabled AS enabled,
       obj_description(r.oid, 'pg_rewrite') AS comment,
       -- The table columns it reads (pg_depend): PostgreSQL refuses to change their type
       -- or drop them while it stands.
       ARRAY(SELECT DISTINCT quote_ident(dn.nspname) || '.' || quote_ident(dc.relname)
                    || '.' || quote_ident(a.attname)
               FROM pg_depend d
               JOIN pg_class dc ON dc.oid = d.refobjid
               JOIN pg_namespace dn ON dn.oid = dc.relnamespace
               JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
              WHERE d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid
                AND d.refclassid = 'pg_class'::regclass AND d.refobjsubid > 0
              ORDER BY 1) AS columns
FROM pg_rewrite r
JOIN pg_class c ON c.oid = r.ev_class
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE r.rulename <> '_RETURN'
  AND c.relnamespace = ANY(%(namespaces)s::oid[])
  AND NOT EXISTS (
        SELECT 1 FROM pg_depend d
        WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e'
          AND d.refclassid = 'pg_extension'::regclass)
ORDER BY 1, 2
