-- Text search dictionaries of the schemas in scope; dictinitoption is the options'
-- text as PostgreSQL serialized it: name = 'value', ...
SELECT n.nspname AS schema,
       d.dictname AS name,
       quote_ident(n.nspname) || '.' || quote_ident(d.dictname) AS ident,
       quote_ident(tn.nspname) || '.' || quote_ident(t.tmplname) AS template,
       d.dictinitoption AS options,
       obj_description(d.oid, 'pg_ts_dict') AS comment
FROM pg_ts_dict d
JOIN pg_namespace n ON n.oid = d.dictnamespace
JOIN pg_ts_template t ON t.oid = d.dicttemplate
JOIN pg_namespace tn ON tn.oid = t.tmplnamespace
WHERE d.dictnamespace = ANY(%(namespaces)s::oid[])
  AND NOT EXISTS (
        SELECT 1 FROM pg_depend dep
        WHERE dep.classid = 'pg_ts_dict'::regclass AND dep.objid = d.oid AND dep.deptype = 'e'
          AND dep.refclassid = 'pg_extension'::regclass)
ORDER BY 3
