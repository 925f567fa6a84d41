-- The server and session a catalog read runs on, and how large the catalog is (whether a
-- second connection would pay: catalog/second_connection.py).
SELECT current_setting('server_version') AS version,
       current_setting('server_version_num') AS version_num,
       quote_ident(current_user) AS role,
       (SELECT count(*) FROM pg_class) AS relations,
       pg_is_in_recovery() AS recovering
