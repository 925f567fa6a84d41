-- Operators and support functions of the operator families in scope, each with the
-- class it belongs to (pg_depend), or none for a family's loose members.
WITH members AS (
    SELECT 'OPERATOR' AS kind,
           ao.amopfamily AS family,
           ao.amopstrategy::int AS number,
           format_type(ao.amoplefttype, NULL) AS "left",
           format_type(ao.amoprighttype, NULL) AS "right",
           ao.amopopr::regoperator::text AS name,
           (SELECT quote_ident(sn.nspname) || '.' || quote_ident(sf.opfname)
              FROM pg_opfamily sf JOIN pg_namespace sn ON sn.oid = sf.opfnamespace
             WHERE sf.oid = ao.amopsortfamily) AS order_by,
           (SELECT d.refobjid FROM pg_depend d
             WHERE d.classid = 'pg_amop'::regclass AND d.objid = ao.oid
               AND d.refclassid = 'pg_opclass'::regclass) AS class
    FROM pg_amop ao
    UNION ALL
    SELECT 'FUNCTION',
           ap.amprocfamily,
           ap.amprocnum::int,
           format_type(ap.amproclefttype, NULL),
           format_type(ap.amprocrighttype, NULL),
           ap.amproc::regprocedure::text,
           NULL,
           (SELECT d.refobjid FROM pg_depend d
             WHERE d.classid = 'pg_amproc'::regclass AND d.objid = ap.oid
               AND d.refclassid = 'pg_opclass'::regclass)
    FROM pg_amproc ap
)
SELECT m.*
FROM members m
JOIN pg_opfamily f ON f.oid = m.family
WHERE f.opfnamespace = ANY(%(namespaces)s::oid[])
ORDER BY m.family, m.kind DESC, m.number, m."left", m."right"
