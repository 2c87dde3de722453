-- Nothing to do on PostgreSQL: its sends run `fluxra_send_messages` (20261207T0400), which
-- already bumps `next_seq` and the activity columns in its own statement. The SQLite twin moves
-- that bump into the message insert's trigger. The file exists because every migration has a
-- twin of the same name in the same domain (storage/migrations.test.ts).
SELECT 1;
