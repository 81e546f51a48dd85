-- When each till last called the server (any authenticated till call, recorded at most
-- every 30 s per till per server node), so head office can see tills that stopped syncing.
ALTER TABLE tills ADD COLUMN last_seen_at timestamptz;
