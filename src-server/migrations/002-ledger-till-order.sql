-- Entries are applied to balances in each till's own order (see ingest.ts):
-- find a till's entries by sequence number quickly.
CREATE INDEX ledger_till_seq ON ledger_entries (till_id, till_seq);
