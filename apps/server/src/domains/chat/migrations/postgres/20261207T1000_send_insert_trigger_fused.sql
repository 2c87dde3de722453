-- Nothing to do on PostgreSQL: the SQLite twin of this file fuses the message insert's three
-- triggers into one (SQLite runs each fired trigger as a sub-program of its own). PostgreSQL's
-- insert counters are already set-based statement triggers (20261207T0930_send_set_based). The
-- file exists because every migration has a twin of the same name in the same domain
-- (storage/migrations.test.ts).
SELECT 1;
