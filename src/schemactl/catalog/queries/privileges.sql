-- Privileges and owners of every object in scope that GRANT can name: relations,
-- columns (only those with an ACL of their own), schemas, routines and types.
-- Each ACL is read as in effect: a NULL ACL is acldefault() for the object's kind and owner.
-- Grantees are role idents, PUBLIC, or OWNER for the object's owner (owners may differ
-- between two databases built from the same schema); the owner reads as NULL when it is
-- the role reading the catalog. The grantor is named only when it is not the owner.
-- Read as tuples, in the order of the select list (catalog/readers/privileges.py). The
-- grants come as the text of a text[][]: thousands of objects share a handful of ACLs,
-- and the reader parses each distinct one once.
WITH me AS (
    SELECT oid FROM pg_roles WHERE rolname = current_user
), objects AS (
    SELECT CASE WHEN c.relkind = 'S' THEN 'SEQUENCE' ELSE 'TABLE' END AS kind,
           quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS target,
           quote_ident(n.nspname) AS schema,
           NULL::text AS "column",
           CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                          WHEN 'f' THEN 'FOREIGN TABLE' WHEN 'S' THEN 'SEQUENCE'
                          ELSE 'TABLE' END AS alter_keyword,
           c.relkind = 'S' AND EXISTS (
               SELECT 1 FROM pg_depend d
               WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                 AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i'))
             AS owned_with_table,
           c.relowner AS owner,
           c.relacl AS acl,
           CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END::"char" AS acl_kind,
           CASE WHEN c.relkind = 'S' THEN 'S' ELSE 'r' END AS default_kind
    FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
      AND c.relnamespace = ANY(%(namespaces)s::oid[])
      AND NOT EXISTS (
            SELECT 1 FROM pg_depend d
            WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e'
              AND d.refclassid = 'pg_extension'::regclass)
    UNION ALL
    SELECT 'COLUMN',
           quote_ident(n.nspname) || '.' || quote_ident(c.relname),
           quote_ident(n.nspname),
           quote_ident(a.attname),
           '',
           false,
           c.relowner,
           a.attacl,
           'c'::"char",
           ''
    FROM pg_attribute a
    JOIN pg_class c ON c.oid = a.attrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE a.attacl IS NOT NULL
      AND a.attnum > 0
      AND NOT a.attisdropped
      AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
      AND c.relnamespace = ANY(%(namespaces)s::oid[])
      AND NOT EXISTS (
            SELECT 1 FROM pg_depend d
            WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e'
              AND d.refclassid = 'pg_extension'::regclass)
    UNION ALL
    SELECT 'SCHEMA',
           quote_ident(n.nspname),
           NULL,
           NULL,
           'SCHEMA',
           false,
           n.nspowner,
           n.nspacl,
           'n'::"char",
           'n'
    FROM pg_namespace n
    WHERE n.oid = ANY(%(namespaces)s::oid[])
    UNION ALL
    SELECT CASE WHEN p.prokind = 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END,
           quote_ident(n.nspname) || '.' || quote_ident(p.proname)
               || '(' || pg_get_function_identity_arguments(p.oid) || ')',
           quote_ident(n.nspname),
           NULL,
           CASE p.prokind WHEN 'p' THEN 'PROCEDURE' WHEN 'a' THEN 'AGGREGATE' ELSE 'FUNCTION' END,
           false,
           p.proowner,
           p.proacl,
           'f'::"char",
           'f'
    FROM pg_proc p
    JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE p.pronamespace = ANY(%(namespaces)s::oid[])
      AND NOT EXISTS (
            SELECT 1 FROM pg_depend d
            WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
              AND d.refclassid = 'pg_extension'::regclass)
    UNION ALL
    SELECT 'TYPE',
           format_type(t.oid, NULL),
           quote_ident(n.nspname),
           NULL,
           CASE WHEN t.typtype = 'd' THEN 'DOMAIN' ELSE 'TYPE' END,
           false,
           t.typowner,
           t.typacl,
           'T'::"char",
           'T'
    FROM pg_type t
    JOIN pg_namespace n ON n.oid = t.typnamespace
    LEFT JOIN pg_class r ON r.oid = t.typrelid
    WHERE t.typtype IN ('b', 'c', 'd', 'e', 'r')
      AND (t.typtype <> 'c' OR r.relkind = 'c')
      -- not an array type: looked up through the element's oid (indexed), not typarray
      AND (t.typelem = 0 OR NOT EXISTS (
            SELECT 1 FROM pg_type el WHERE el.oid = t.typelem AND el.typarray = t.oid))
      AND t.typnamespace = ANY(%(namespaces)s::oid[])
      AND NOT EXISTS (
            SELECT 1 FROM pg_depend d
            WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e'
              AND d.refclassid = 'pg_extension'::regclass)
), defaults AS MATERIALIZED (
    -- What an object gets without any GRANT: one computation per kind and owner (kept
    -- apart: inlined, it would be computed again for every object).
    SELECT k.acl_kind, k.owner,
           ARRAY(SELECT ARRAY[CASE WHEN a.grantee = k.owner THEN 'OWNER'
                                   WHEN a.grantee = 0 THEN 'PUBLIC'
                                   ELSE quote_ident(pg_get_userbyid(a.grantee)) END,
                              a.privilege_type,
                              a.is_grantable::text]
                   FROM aclexplode(acldefault(k.acl_kind, k.owner)) a)::text AS grants
    FROM (SELECT DISTINCT acl_kind, owner FROM objects) k
)
SELECT o.kind,
       o.target,
       o.schema,
       o."column",
       o.alter_keyword,
       o.owned_with_table,
       o.default_kind,
       CASE WHEN o.owner = (SELECT oid FROM me) THEN NULL
            ELSE quote_ident(pg_get_userbyid(o.owner)) END AS owner,
       CASE WHEN o.acl IS NULL THEN d.grants
            ELSE ARRAY(SELECT ARRAY[CASE WHEN a.grantee = o.owner THEN 'OWNER'
                                         WHEN a.grantee = 0 THEN 'PUBLIC'
                                         ELSE quote_ident(pg_get_userbyid(a.grantee)) END,
                                    a.privilege_type,
                                    a.is_grantable::text,
                                    CASE WHEN a.grantor = o.owner THEN ''
                                         ELSE quote_ident(pg_get_userbyid(a.grantor)) END]
                         FROM aclexplode(o.acl) a)::text END AS grants,
       d.grants AS defaults
FROM objects o
JOIN defaults d ON d.acl_kind = o.acl_kind AND d.owner = o.owner
ORDER BY 1, 2, 4
