-- Aggregates in scope, spelled as the CREATE OR REPLACE AGGREGATE that makes them (the
-- way pg_dump spells them: options left at their default are left out), by signature
-- so the reader can join them to functions.sql.
SELECT quote_ident(n.nspname) || '.' || quote_ident(p.proname) || '('
         || coalesce(nullif(pg_get_function_identity_arguments(p.oid), ''), '*') || ')' AS signature,
       'CREATE OR REPLACE AGGREGATE ' || quote_ident(n.nspname) || '.' || quote_ident(p.proname)
         || '(' || coalesce(nullif(pg_get_function_arguments(p.oid), ''), '*') || ') ('
         || E'\n    '
         || concat_ws(E',\n    ',
              'SFUNC = ' || a.aggtransfn::regproc::text,
              'STYPE = ' || format_type(a.aggtranstype, NULL),
              CASE WHEN a.aggtransspace <> 0 THEN 'SSPACE = ' || a.aggtransspace END,
              CASE WHEN a.aggfinalfn <> 0 THEN 'FINALFUNC = ' || a.aggfinalfn::regproc::text END,
              CASE WHEN a.aggfinalextra THEN 'FINALFUNC_EXTRA' END,
              CASE WHEN a.aggfinalfn <> 0
                        AND a.aggfinalmodify <> CASE WHEN a.aggkind = 'n' THEN 'r' ELSE 'w' END
                   THEN 'FINALFUNC_MODIFY = ' || CASE a.aggfinalmodify WHEN 'r' THEN 'READ_ONLY'
                                                    WHEN 's' THEN 'SHAREABLE'
                                                    ELSE 'READ_WRITE' END END,
              CASE WHEN a.aggcombinefn <> 0 THEN 'COMBINEFUNC = ' || a.aggcombinefn::regproc::text END,
              CASE WHEN a.aggserialfn <> 0 THEN 'SERIALFUNC = ' || a.aggserialfn::regproc::text END,
              CASE WHEN a.aggdeserialfn <> 0
                   THEN 'DESERIALFUNC = ' || a.aggdeserialfn::regproc::text END,
              'INITCOND = ' || quote_literal(a.agginitval),
              CASE WHEN a.aggmtransfn <> 0 THEN 'MSFUNC = ' || a.aggmtransfn::regproc::text END,
              CASE WHEN a.aggminvtransfn <> 0
                   THEN 'MINVFUNC = ' || a.aggminvtransfn::regproc::text END,
              CASE WHEN a.aggmtranstype <> 0 THEN 'MSTYPE = ' || format_type(a.aggmtranstype, NULL) END,
              CASE WHEN a.aggmtransspace <> 0 THEN 'MSSPACE = ' || a.aggmtransspace END,
              CASE WHEN a.aggmfinalfn <> 0 THEN 'MFINALFUNC = ' || a.aggmfinalfn::regproc::text END,
              CASE WHEN a.aggmfinalextra THEN 'MFINALFUNC_EXTRA' END,
              CASE WHEN a.aggmfinalfn <> 0 AND a.aggmfinalmodify <> 'r'
                   THEN 'MFINALFUNC_MODIFY = ' || CASE a.aggmfinalmodify WHEN 's' THEN 'SHAREABLE'
                                                     ELSE 'READ_WRITE' END END,
              'MINITCOND = ' || quote_literal(a.aggminitval),
              CASE WHEN a.aggsortop <> 0
                   THEN 'SORTOP = OPERATOR(' || quote_ident(opn.nspname) || '.' || op.oprname || ')' END,
              CASE p.proparallel WHEN 's' THEN 'PARALLEL = SAFE'
                                 WHEN 'r' THEN 'PARALLEL = RESTRICTED' END,
              CASE WHEN a.aggkind = 'h' THEN 'HYPOTHETICAL' END)
         || E'\n)' AS definition
FROM pg_aggregate a
JOIN pg_proc p ON p.oid = a.aggfnoid
JOIN pg_namespace n ON n.oid = p.pronamespace
LEFT JOIN pg_operator op ON op.oid = a.aggsortop
LEFT JOIN pg_namespace opn ON opn.oid = op.oprnamespace
WHERE p.pronamespace = ANY(%(namespaces)s::oid[])
ORDER BY 1
