-- Nothing to do on PostgreSQL: it keeps one `event_recipients` row per recipient (its send
-- function and LISTEN/NOTIFY wake-ups read them). The SQLite twin moves the recipients into the
-- event row. The file exists because every migration has a twin of the same name in the same
-- domain (storage/migrations.test.ts).
SELECT 1;
