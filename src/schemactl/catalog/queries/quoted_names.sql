-- Names as this server quotes identifiers (quote_ident follows its own keyword list).
SELECT n AS name, quote_ident(n) AS ident FROM unnest(%(names)s::text[]) AS n
