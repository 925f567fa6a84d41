-- Named pg_cron jobs. A job of this database has database NULL, so that it compares
-- equal to a declaration that leaves the database to pg_cron.
SELECT j.jobname AS name,
       j.schedule,
       btrim(j.command) AS command,
       NULLIF(j.database, current_database()) AS database,
       j.username,
       j.active
FROM cron.job j
WHERE j.jobname IS NOT NULL
ORDER BY j.jobname
