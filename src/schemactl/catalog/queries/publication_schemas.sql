-- FOR TABLES IN SCHEMA (PostgreSQL 15 and later): publication name, schema ident.
SELECT p.pubname AS name,
       quote_ident(n.nspname) AS schema
FROM pg_publication_namespace pn
JOIN pg_publication p ON p.oid = pn.pnpubid
JOIN pg_namespace n ON n.oid = pn.pnnspid
ORDER BY 1, 2
