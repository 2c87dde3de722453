-- Nothing to do on SQLite: the PostgreSQL twin of this file lets a send batch check its callers'
-- sessions in the same call (the guard's session read folded into the send's round trip). The
-- SQLite server keeps its in-memory session cache and checks sessions in the guard. The file
-- exists because every migration has a twin of the same name in the same domain
-- (storage/migrations.test.ts).
SELECT 1;
