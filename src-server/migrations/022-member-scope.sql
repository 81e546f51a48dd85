-- Partial replication: a store's tills hold the whole chain's members ('chain') or its region's ('region'),
-- the members whose home store shares the store's region (a store with no region: its own members).
ALTER TABLE stores ADD COLUMN member_scope text NOT NULL DEFAULT 'chain' CHECK (member_scope IN ('chain', 'region'));
ALTER TABLE stores ADD COLUMN region text;
CREATE INDEX stores_region ON stores (region) WHERE region IS NOT NULL;
