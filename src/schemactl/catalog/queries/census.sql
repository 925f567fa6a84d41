-- Which kinds of object the database holds any of, created after initdb (16384 is
-- PostgreSQL's FirstNormalObjectId: every object initdb made has a lower oid, every one
-- created since, by a user or an extension, a higher one). Each answer is an index probe
-- of the highest oids, or a look at a catalog that is empty unless someone filled it; a
-- kind the database has none of needs none of its catalog queries.
SELECT
    EXISTS (SELECT FROM pg_class WHERE oid >= 16384) AS relations,
    EXISTS (SELECT FROM pg_class WHERE oid >= 16384 AND relkind IN ('v', 'm')) AS views,
    EXISTS (SELECT FROM pg_class WHERE oid >= 16384 AND relkind = 'S') AS sequences,
    EXISTS (SELECT FROM pg_index WHERE indexrelid >= 16384) AS indexes,
    EXISTS (SELECT FROM pg_partitioned_table) AS partitioned,
    EXISTS (SELECT FROM pg_constraint WHERE oid >= 16384) AS constraints,
    EXISTS (SELECT FROM pg_type WHERE oid >= 16384) AS types,
    EXISTS (SELECT FROM pg_type WHERE oid >= 16384 AND typtype = 'd') AS domains,
    EXISTS (SELECT FROM pg_proc WHERE oid >= 16384) AS routines,
    EXISTS (SELECT FROM pg_proc WHERE oid >= 16384 AND prokind = 'a') AS aggregates,
    EXISTS (SELECT FROM pg_operator WHERE oid >= 16384) AS operators,
    EXISTS (SELECT FROM pg_opfamily WHERE oid >= 16384) AS operator_families,
    EXISTS (SELECT FROM pg_opclass WHERE oid >= 16384) AS operator_classes,
    EXISTS (SELECT FROM pg_cast WHERE oid >= 16384) AS casts,
    EXISTS (SELECT FROM pg_collation WHERE oid >= 16384) AS collations,
    EXISTS (SELECT FROM pg_ts_dict WHERE oid >= 16384) AS text_search_dictionaries,
    EXISTS (SELECT FROM pg_ts_config WHERE oid >= 16384) AS text_search_configurations,
    EXISTS (SELECT FROM pg_trigger) AS triggers,
    EXISTS (SELECT FROM pg_event_trigger) AS event_triggers,
    EXISTS (SELECT FROM pg_rewrite WHERE oid >= 16384) AS rules,
    EXISTS (SELECT FROM pg_policy) AS policies,
    EXISTS (SELECT FROM pg_statistic_ext) AS statistics,
    EXISTS (SELECT FROM pg_publication) AS publications,
    EXISTS (SELECT FROM pg_default_acl) AS default_privileges
