-- Extended statistics objects on tables in scope. stxstattarget is -1 for the default up
-- to PostgreSQL 16 and NULL from 17.
SELECT n.nspname AS schema,
       s.stxname AS name,
       quote_ident(n.nspname) || '.' || quote_ident(s.stxname) AS ident,
       quote_ident(tn.nspname) || '.' || quote_ident(t.relname) AS "table",
       pg_get_statisticsobjdef(s.oid) AS definition,
       nullif(coalesce(s.stxstattarget::int, -1), -1) AS target,
       obj_description(s.oid, 'pg_statistic_ext') AS comment,
       -- The columns it covers, named or read by its expressions (pg_depend): dropping
       -- one drops the statistics object with it.
       ARRAY(SELECT quote_ident(a.attname)
               FROM pg_depend d
               JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
              WHERE d.classid = 'pg_statistic_ext'::regclass AND d.objid = s.oid
                AND d.refclassid = 'pg_class'::regclass AND d.refobjsubid > 0
              ORDER BY a.attnum) AS columns
FROM pg_statistic_ext s
JOIN pg_namespace n ON n.oid = s.stxnamespace
JOIN pg_class t ON t.oid = s.stxrelid
JOIN pg_namespace tn ON tn.oid = t.relnamespace
WHERE s.stxnamespace = ANY(%(namespaces)s::oid[])
  AND NOT EXISTS (
        SELECT 1 FROM pg_depend d
        WHERE d.classid = 'pg_class'::regclass AND d.objid = t.oid AND d.deptype = 'e'
          AND d.refclassid = 'pg_extension'::regclass)
ORDER BY 3
