-- Nothing to do on SQLite: the PostgreSQL twin of this file makes `fluxra_send_messages` and the
-- message insert's counter triggers set-based (one statement per batch instead of per message).
-- The SQLite store runs its steps in-process, where a statement costs no round trip and no
-- executor start-up of a plpgsql function. The file exists because every migration has a twin of
-- the same name in the same domain (storage/migrations.test.ts).
SELECT 1;
