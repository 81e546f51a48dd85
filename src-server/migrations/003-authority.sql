-- The server as the authority (see src-server/ingest/): till databases
-- (epochs), an inbox of every document received, parked documents,
-- member-state and program versions for re-checking sales, overdrafts.

-- One row per till database. A till whose local database was lost pushes a
-- new epoch; the old one is closed and what it left is applied.
CREATE TABLE till_epochs (
  till_id text NOT NULL,
  epoch text NOT NULL,
  acked_till_seq bigint NOT NULL DEFAULT 0,
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
  clock_offset_ms bigint NOT NULL DEFAULT 0,
  started_at timestamptz NOT NULL DEFAULT now(),
  closed_at timestamptz,
  PRIMARY KEY (till_id, epoch)
);

-- Every journal document as received (verbatim), once per id. `outcome` is
-- null while it waits for the documents before it, then applied or parked.
CREATE TABLE journal_inbox (
  id text PRIMARY KEY,
  till_id text NOT NULL,
  epoch text NOT NULL,
  till_seq bigint NOT NULL,
  kind text NOT NULL,
  member_id text NOT NULL,
  doc jsonb NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  outcome text CHECK (outcome IN ('applied', 'parked'))
);
CREATE UNIQUE INDEX journal_inbox_seq ON journal_inbox (till_id, epoch, till_seq);
CREATE INDEX journal_inbox_member ON journal_inbox (till_id, epoch, member_id, till_seq);

ALTER TABLE sales ADD COLUMN epoch text NOT NULL DEFAULT '';
-- The effects the server applied (the engine's own when the re-check disagreed).
ALTER TABLE sales ADD COLUMN effects jsonb;
ALTER TABLE sales ADD COLUMN check_status text NOT NULL DEFAULT 'unchecked';
ALTER TABLE ledger_entries ADD COLUMN epoch text NOT NULL DEFAULT '';

-- Documents not applied as sent: kept verbatim with their reason until an
-- operator resolves (dismisses) or replays them.
CREATE TABLE parked_docs (
  id bigserial PRIMARY KEY,
  doc_id text NOT NULL,
  till_id text NOT NULL,
  epoch text NOT NULL,
  till_seq bigint NOT NULL,
  code text NOT NULL,
  reason text NOT NULL,
  doc jsonb NOT NULL,
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved', 'replayed')),
  created_at timestamptz NOT NULL DEFAULT now(),
  resolved_at timestamptz,
  resolved_by text,
  note text
);
CREATE INDEX parked_docs_open ON parked_docs (status, id);
CREATE UNIQUE INDEX parked_docs_doc ON parked_docs (doc_id, till_seq);

-- Every member state a till could have quoted on, by the member's seq.
CREATE TABLE member_versions (
  member_id text NOT NULL,
  seq bigint NOT NULL,
  state jsonb NOT NULL,
  till_marks jsonb NOT NULL,
  PRIMARY KEY (member_id, seq)
);
INSERT INTO member_versions (member_id, seq, state, till_marks)
  SELECT id, seq, state, till_marks FROM members ON CONFLICT DO NOTHING;

-- Every program version a sale can name.
CREATE TABLE program_versions (
  id text NOT NULL,
  version integer NOT NULL,
  data jsonb NOT NULL,
  PRIMARY KEY (id, version)
);
INSERT INTO program_versions (id, version, data)
  SELECT key, (data->>'version')::int, data FROM refdata WHERE kind = 'program' ON CONFLICT DO NOTHING;

-- A balance driven below zero by redemptions merged from tills: a debt,
-- recovered by the member's next earnings (it closes when the balance is
-- back at zero or above).
CREATE TABLE overdrafts (
  id bigserial PRIMARY KEY,
  member_id text NOT NULL,
  points bigint NOT NULL,
  till_id text NOT NULL,
  ref_id text NOT NULL,
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'recovered')),
  created_at timestamptz NOT NULL DEFAULT now(),
  recovered_at timestamptz
);
CREATE INDEX overdrafts_open ON overdrafts (member_id) WHERE status = 'open';
