-- Whether pg_cron's job table exists in this database and we may read it.
SELECT to_regclass('cron.job') IS NOT NULL
       AND has_table_privilege(to_regclass('cron.job'), 'SELECT') AS available
