-- Operators of the schemas in scope, as pg_dump spells them: functions as regproc prints
-- them, commutator and negator as OPERATOR(schema.op).
SELECT n.nspname AS schema,
       o.oprname AS name,
       quote_ident(n.nspname) || '.' || o.oprname AS ident,
       CASE WHEN o.oprleft <> 0 THEN format_type(o.oprleft, NULL) END AS "left",
       format_type(o.oprright, NULL) AS "right",
       o.oprcode::regproc::text AS function,
       (SELECT 'OPERATOR(' || quote_ident(cn.nspname) || '.' || c.oprname || ')'
          FROM pg_operator c JOIN pg_namespace cn ON cn.oid = c.oprnamespace
         WHERE c.oid = o.oprcom) AS commutator,
       (SELECT 'OPERATOR(' || quote_ident(cn.nspname) || '.' || c.oprname || ')'
          FROM pg_operator c JOIN pg_namespace cn ON cn.oid = c.oprnamespace
         WHERE c.oid = o.oprnegate) AS negator,
       CASE WHEN o.oprrest <> 0 THEN o.oprrest::regproc::text END AS restrict,
       CASE WHEN o.oprjoin <> 0 THEN o.oprjoin::regproc::text END AS "join",
       o.oprcanhash AS hashes,
       o.oprcanmerge AS merges,
       obj_description(o.oid, 'pg_operator') AS comment
FROM pg_operator o
JOIN pg_namespace n ON n.oid = o.oprnamespace
WHERE o.oprnamespace = ANY(%(namespaces)s::oid[])
  AND o.oprcode <> 0  -- a shell: named as a commutator before it was defined
  AND NOT EXISTS (
        SELECT 1 FROM pg_depend d
        WHERE d.classid = 'pg_operator'::regclass AND d.objid = o.oid AND d.deptype = 'e'
          AND d.refclassid = 'pg_extension'::regclass)
ORDER BY 3, 4, 5
