-- Nothing to do on SQLite: the PostgreSQL twin of this file moves the send batch's counter
-- updates from the message insert's statement trigger into `fluxra_send_messages` (fewer
-- statements per call). SQLite's send keeps its own triggers (20261207T1000). The file exists
-- because every migration has a twin of the same name in the same domain
-- (storage/migrations.test.ts).
SELECT 1;
