-- Returns name their original sale in body.refundOf: the server reads a
-- sale's returns (from every till) when it takes another return of it and
-- when a till looks the sale up (src-server/ingest/returns.ts, till-sales.ts).
CREATE INDEX sales_refund_of ON sales ((body->>'refundOf')) WHERE body->>'refundOf' IS NOT NULL;
-- A till's receipts by number (a receipt label typed at a return).
CREATE INDEX sales_till_receipt ON sales (till_id, ((body->>'receiptNo')::bigint)) WHERE body->>'receiptNo' IS NOT NULL;
