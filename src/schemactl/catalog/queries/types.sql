-- User-defined enums, composite types, domains and ranges in scope. Left out: array
-- types (typtype 'b'), the row types of tables and views, multiranges (made with
-- their range) and types an extension owns.
SELECT n.nspname AS schema,
       t.typname AS name,
       quote_ident(n.nspname) || '.' || quote_ident(t.typname) AS ident,
       t.typtype AS kind,
       ARRAY(SELECT e.enumlabel FROM pg_enum e
              WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder) AS labels,
       coalesce((
           SELECT json_agg(json_build_object(
                      'name', a.attname,
                      'ident', quote_ident(a.attname),
                      'type', format_type(a.atttypid, a.atttypmod),
                      'collation', CASE WHEN a.attcollation <> at.typcollation AND a.attcollation <> 0
                                        THEN quote_ident(acn.nspname) || '.' || quote_ident(aco.collname) END)
                      ORDER BY a.attnum)
             FROM pg_attribute a
             JOIN pg_type at ON at.oid = a.atttypid
             LEFT JOIN pg_collation aco ON aco.oid = a.attcollation
             LEFT JOIN pg_namespace acn ON acn.oid = aco.collnamespace
            WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped
       ), '[]'::json) AS attributes,
       CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod) END AS base_type,
       CASE WHEN t.typtype = 'd' THEN pg_get_expr(t.typdefaultbin, 0) END AS "default",
       t.typnotnull AS not_null,
       CASE WHEN t.typtype = 'd' AND t.typcollation <> bt.typcollation AND t.typcollation <> 0
            THEN quote_ident(cn.nspname) || '.' || quote_ident(co.collname) END AS collation,
       CASE WHEN t.typtype = 'r' THEN ARRAY(
           SELECT option FROM (
               SELECT 1, 'SUBTYPE = ' || format_type(r.rngsubtype, NULL)
               UNION ALL
               SELECT 2, 'SUBTYPE_OPCLASS = ' || quote_ident(ocn.nspname) || '.' || quote_ident(oc.opcname)
                 FROM pg_opclass oc JOIN pg_namespace ocn ON ocn.oid = oc.opcnamespace
                WHERE oc.oid = r.rngsubopc AND NOT oc.opcdefault
               UNION ALL
               SELECT 3, 'COLLATION = ' || quote_ident(rcn.nspname) || '.' || quote_ident(rco.collname)
                 FROM pg_collation rco JOIN pg_namespace rcn ON rcn.oid = rco.collnamespace
                WHERE rco.oid = r.rngcollation
                  AND r.rngcollation <> (SELECT st.typcollation FROM pg_type st WHERE st.oid = r.rngsubtype)
               UNION ALL
               SELECT 4, 'CANONICAL = ' || r.rngcanonical::regproc::text WHERE r.rngcanonical <> 0
               UNION ALL
               SELECT 5, 'SUBTYPE_DIFF = ' || r.rngsubdiff::regproc::text WHERE r.rngsubdiff <> 0
               UNION ALL
               -- rngmultitypid exists from PostgreSQL 14 on; read it without naming it
               SELECT 6, 'MULTIRANGE_TYPE_NAME = ' || quote_ident(mn.nspname) || '.' || quote_ident(m.typname)
                 FROM pg_type m JOIN pg_namespace mn ON mn.oid = m.typnamespace
                WHERE m.oid = (to_jsonb(r) ->> 'rngmultitypid')::oid
           ) AS o(position, option) ORDER BY position
       ) ELSE '{}' END AS options,
       obj_description(t.oid, 'pg_type') AS comment,
       ARRAY(
           SELECT DISTINCT format_type(coalesce(el.oid, used.oid), NULL)
             FROM (SELECT t.typbasetype AS oid WHERE t.typtype = 'd'
                   UNION ALL
                   SELECT a.atttypid FROM pg_attribute a
                    WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped
                   UNION ALL
                   SELECT r.rngsubtype WHERE t.typtype = 'r') AS used
             LEFT JOIN pg_type el ON el.typarray = used.oid
       ) AS depends_on,
       -- Routines a domain's default calls (pg_depend): dropping one needs the default
       -- gone first.
       CASE WHEN t.typtype = 'd' AND t.typdefaultbin IS NOT NULL THEN ARRAY(
           SELECT DISTINCT quote_ident(pn.nspname) || '.' || quote_ident(p.proname)
                  || '(' || pg_get_function_identity_arguments(p.oid) || ')'
             FROM pg_depend d
             JOIN pg_proc p ON p.oid = d.refobjid
             JOIN pg_namespace pn ON pn.oid = p.pronamespace
            WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid
              AND d.refclassid = 'pg_proc'::regclass AND d.deptype = 'n'
            ORDER BY 1) END AS default_calls
FROM pg_type t
JOIN pg_namespace n ON n.oid = t.typnamespace
LEFT JOIN pg_type bt ON bt.oid = t.typbasetype
LEFT JOIN pg_collation co ON co.oid = t.typcollation
LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace
LEFT JOIN pg_range r ON r.rngtypid = t.oid
WHERE t.typtype IN ('e', 'c', 'd', 'r')
  AND t.typnamespace = ANY(%(namespaces)s::oid[])
  AND (t.typtype <> 'c' OR (SELECT c.relkind FROM pg_class c WHERE c.oid = t.typrelid) = 'c')
  AND NOT EXISTS (
        SELECT 1 FROM pg_depend d
        WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e'
          AND d.refclassid = 'pg_extension'::regclass)
ORDER BY 3
