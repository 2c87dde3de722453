-- Nothing to do on SQLite: the PostgreSQL twin of this file installs `fluxra_send_messages`
-- (sends in one round trip, batched). The SQLite store runs the same steps in-process, where a
-- statement costs no round trip and its own group commit batches sends, so its schema does not
-- change. The file exists because every migration has a twin of the same name in the same
-- domain (storage/migrations.test.ts).
SELECT 1;
