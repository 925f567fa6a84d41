-- The bound of each named partition as a boolean expression over its columns (its
-- ancestors' bounds included), as PostgreSQL checks rows against it on ATTACH.
SELECT t.ident, pg_get_partition_constraintdef(to_regclass(t.ident)) AS expression
FROM unnest(%(tables)s::text[]) AS t(ident)
