-- Text search configurations of the schemas in scope, with their mappings: per token
-- type (by the parser's alias), the dictionaries in the order they are consulted.
SELECT n.nspname AS schema,
       c.cfgname AS name,
       quote_ident(n.nspname) || '.' || quote_ident(c.cfgname) AS ident,
       quote_ident(pn.nspname) || '.' || quote_ident(p.prsname) AS parser,
       ARRAY(SELECT ARRAY[t.alias, string_agg(m.mapdict::regdictionary::text, ', '
                                             ORDER BY m.mapseqno)]
               FROM pg_ts_config_map m
               JOIN ts_token_type(c.cfgparser) AS t ON t.tokid = m.maptokentype
              WHERE m.mapcfg = c.oid
              GROUP BY t.alias
              ORDER BY t.alias) AS mappings,
       obj_description(c.oid, 'pg_ts_config') AS comment
FROM pg_ts_config c
JOIN pg_namespace n ON n.oid = c.cfgnamespace
JOIN pg_ts_parser p ON p.oid = c.cfgparser
JOIN pg_namespace pn ON pn.oid = p.prsnamespace
WHERE c.cfgnamespace = ANY(%(namespaces)s::oid[])
  AND NOT EXISTS (
        SELECT 1 FROM pg_depend dep
        WHERE dep.classid = 'pg_ts_config'::regclass AND dep.objid = c.oid AND dep.deptype = 'e'
          AND dep.refclassid = 'pg_extension'::regclass)
ORDER BY 3
