-- Event triggers are database-wide; those whose function lives in a schema in scope
-- belong to the schema. Extension-owned event triggers are left out.
SELECT e.evtname AS name,
       quote_ident(e.evtname) AS ident,
       e.evtevent AS event,
       coalesce(e.evttags, '{}') AS tags,
       quote_ident(fn.nspname) || '.' || quote_ident(f.proname) AS function,
       e.evtenabled AS enabled,
       obj_description(e.oid, 'pg_event_trigger') AS comment
FROM pg_event_trigger e
JOIN pg_proc f ON f.oid = e.evtfoid
JOIN pg_namespace fn ON fn.oid = f.pronamespace
WHERE f.pronamespace = ANY(%(namespaces)s::oid[])
  AND NOT EXISTS (
        SELECT 1 FROM pg_depend d
        WHERE d.classid = 'pg_event_trigger'::regclass AND d.objid = e.oid AND d.deptype = 'e'
          AND d.refclassid = 'pg_extension'::regclass)
ORDER BY e.evtname
