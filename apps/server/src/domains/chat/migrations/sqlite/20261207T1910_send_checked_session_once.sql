-- Nothing to do on SQLite: the PostgreSQL twin of this file makes the send batch's session check
-- read each distinct session once. The SQLite server checks sessions in the guard. The file
-- exists because every migration has a twin of the same name in the same domain
-- (storage/migrations.test.ts).
SELECT 1;
