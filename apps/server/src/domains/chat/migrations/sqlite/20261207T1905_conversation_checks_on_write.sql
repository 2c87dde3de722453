-- Nothing to do on SQLite: the PostgreSQL twin of this file enforces the conversations' and
-- members' CHECK rules by triggers on the columns they read, because PostgreSQL re-evaluates
-- every CHECK of a table on every UPDATE of it (each send updates both tables). SQLite keeps its
-- constraints. The file exists because every migration has a twin of the same name in the same
-- domain (storage/migrations.test.ts).
SELECT 1;
