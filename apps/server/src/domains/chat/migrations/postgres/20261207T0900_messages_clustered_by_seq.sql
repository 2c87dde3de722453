-- Nothing to do on PostgreSQL: the SQLite twin of this file stores messages clustered by
-- (conversation_id, seq) (WITHOUT ROWID) so a send writes fewer B-trees. PostgreSQL keeps its heap
-- and its indexes as they are (a heap has no clustered key to choose). The file exists because
-- every migration has a twin of the same name in the same domain (storage/migrations.test.ts).
SELECT 1;
