-- ALTER DEFAULT PRIVILEGES entries that apply in scope: database-wide ones and those of
-- schemas in scope. The role reads as NULL when it is the role reading the catalog (the
-- one that loads the schema); a grantee that is the entry's own role reads as OWNER,
-- as it does on the objects the entry will apply to. Entries for a platform's own roles
-- (FOR ROLE supabase_admin) are the platform's, not the project's.
WITH me AS (
    SELECT oid FROM pg_roles WHERE rolname = current_user
)
SELECT CASE WHEN d.defaclrole = (SELECT oid FROM me) THEN NULL
            ELSE quote_ident(pg_get_userbyid(d.defaclrole)) END AS role,
       CASE WHEN d.defaclnamespace = 0 THEN NULL ELSE quote_ident(n.nspname) END AS schema,
       CASE d.defaclobjtype WHEN 'r' THEN 'TABLES' WHEN 'S' THEN 'SEQUENCES'
                            WHEN 'f' THEN 'FUNCTIONS' WHEN 'T' THEN 'TYPES'
                            WHEN 'n' THEN 'SCHEMAS' END AS object_type,
       ARRAY(SELECT ARRAY[CASE WHEN a.grantee = d.defaclrole THEN 'OWNER'
                               WHEN a.grantee = 0 THEN 'PUBLIC'
                               ELSE quote_ident(pg_get_userbyid(a.grantee)) END,
                          a.privilege_type,
                          a.is_grantable::text]
               FROM aclexplode(d.defaclacl) a) AS grants,
       ARRAY(SELECT ARRAY[CASE WHEN a.grantee = d.defaclrole THEN 'OWNER'
                               WHEN a.grantee = 0 THEN 'PUBLIC'
                               ELSE quote_ident(pg_get_userbyid(a.grantee)) END,
                          a.privilege_type,
                          a.is_grantable::text]
               FROM aclexplode(acldefault(CASE WHEN d.defaclobjtype = 'S' THEN 's'
                                               ELSE d.defaclobjtype END, d.defaclrole)) a)
         AS defaults
FROM pg_default_acl d
LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace
WHERE (d.defaclnamespace = 0 OR d.defaclnamespace = ANY(%(namespaces)s::oid[]))
  AND pg_get_userbyid(d.defaclrole) <> ALL(%(external_roles)s::text[])
ORDER BY 1, 2, 3
