-- Nothing to do on PostgreSQL: the SQLite twin of this file folds `message_counts` into the
-- per-author counts (one counter row per send instead of two, keyed (conversation, bucket,
-- author)). PostgreSQL's counters are updated once per batch by set-based statement triggers
-- (20261207T0930_send_set_based), where a second counter table costs one statement per batch,
-- not one per send; its tables stay as they are. The file exists because every migration has a
-- twin of the same name in the same domain (storage/migrations.test.ts).
SELECT 1;
