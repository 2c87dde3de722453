-- Nothing to do on PostgreSQL: SQLite's sessions move from a WITHOUT ROWID table keyed by the
-- random `id_hash` to an append-only rowid table; PostgreSQL's heap already appends rows and
-- keeps `id_hash` in a separate index.
SELECT 1;
