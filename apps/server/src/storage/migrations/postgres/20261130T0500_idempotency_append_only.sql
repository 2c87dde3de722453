-- Nothing to do on PostgreSQL: SQLite's 013 moves idempotency records to an append-only rowid
-- table because its WITHOUT ROWID layout scattered them over random pages; PostgreSQL's heap
-- already appends rows and keeps the key in a separate index.
--
-- Migration numbers are one sequence shared by both backends (storage/README.md): a number one
-- backend needs and the other does not is a no-op there, so a version means the same change in
-- both `schema_migrations` tables.
SELECT 1;
