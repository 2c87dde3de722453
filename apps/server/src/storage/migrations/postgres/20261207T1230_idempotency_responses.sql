-- Nothing to do on PostgreSQL: SQLite's twin moves a keyed POST's stored response out of its
-- claim row because growing that row in place rebalanced SQLite's newest B-tree pages at every
-- commit; PostgreSQL writes an updated row as a new heap tuple and keeps its claim-then-update.
SELECT 1;
