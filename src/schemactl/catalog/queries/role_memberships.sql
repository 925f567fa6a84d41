-- The memberships of the named roles: which roles each is a member of, with ADMIN OPTION
-- when any grantor gave it (PostgreSQL 16 keeps one row per grantor).
SELECT m.rolname AS member,
       g.rolname AS role,
       quote_ident(g.rolname) AS ident,
       bool_or(a.admin_option) AS admin
FROM pg_auth_members a
JOIN pg_roles m ON m.oid = a.member
JOIN pg_roles g ON g.oid = a.roleid
WHERE m.rolname = ANY(%(names)s)
GROUP BY m.rolname, g.rolname
ORDER BY m.rolname, g.rolname
