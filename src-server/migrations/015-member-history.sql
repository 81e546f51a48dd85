-- A member's history at the till (src-server/till-sales.ts, shared/history.ts):
-- their newest sales and ledger entries, read by member and till time.
CREATE INDEX sales_member_time ON sales (member_id, till_time DESC, id DESC) WHERE member_id IS NOT NULL;
CREATE INDEX ledger_member_time ON ledger_entries (member_id, till_time DESC, id DESC);
