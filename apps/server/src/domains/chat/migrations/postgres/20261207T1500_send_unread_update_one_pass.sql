-- Nothing to do on PostgreSQL: the SQLite twin of this file moves the member unread statements'
-- "blocks the author" test from WHERE into SET, so SQLite updates the member rows in one pass
-- instead of collecting their keys in an ephemeral table first. PostgreSQL's counters are
-- set-based statement triggers (20261207T0930_send_set_based) and plan their own joins. The file
-- exists because every migration has a twin of the same name in the same domain
-- (storage/migrations.test.ts).
SELECT 1;
