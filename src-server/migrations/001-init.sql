-- Kassa central schema, version 1.
-- Down tables (products, members, refdata) carry `seq`: the replication
-- checkpoint. Seqs are drawn only under the advisory lock in seq.ts, so seq
-- order equals commit order and a puller never skips a row.

CREATE SEQUENCE kassa_seq;

CREATE TABLE stores (
  id text PRIMARY KEY,
  name text NOT NULL,
  currency text NOT NULL,
  time_zone text NOT NULL,
  program_id text NOT NULL
);

CREATE TABLE tills (
  id text PRIMARY KEY,
  store_id text NOT NULL REFERENCES stores(id),
  name text NOT NULL,
  enrol_code_hash text,
  token_hash text UNIQUE,
  enrolled_at timestamptz,
  acked_till_seq bigint NOT NULL DEFAULT 0
);

CREATE TABLE cashiers (
  id text PRIMARY KEY,
  store_id text NOT NULL REFERENCES stores(id),
  name text NOT NULL,
  role text NOT NULL CHECK (role IN ('cashier', 'supervisor', 'admin')),
  pin_hash text NOT NULL
);

CREATE TABLE products (
  id text PRIMARY KEY,
  doc jsonb NOT NULL,
  seq bigint NOT NULL,
  deleted boolean NOT NULL DEFAULT false
);
CREATE INDEX products_seq ON products (seq);

CREATE TABLE members (
  id text PRIMARY KEY,
  card_number text NOT NULL UNIQUE,
  store_id text NOT NULL,
  name text NOT NULL,
  phone text NOT NULL DEFAULT '',
  email text NOT NULL DEFAULT '',
  enrolled_at timestamptz NOT NULL,
  state jsonb NOT NULL,
  till_marks jsonb NOT NULL DEFAULT '{}',
  seq bigint NOT NULL,
  deleted boolean NOT NULL DEFAULT false
);
CREATE INDEX members_seq ON members (seq);

CREATE TABLE refdata (
  id text PRIMARY KEY,
  kind text NOT NULL,
  key text NOT NULL,
  data jsonb NOT NULL,
  seq bigint NOT NULL,
  deleted boolean NOT NULL DEFAULT false
);
CREATE INDEX refdata_seq ON refdata (seq);

-- Up tables: insert-only. A row is never updated; a correction is a new entry.
CREATE TABLE sales (
  id text PRIMARY KEY,
  till_id text NOT NULL,
  store_id text NOT NULL,
  member_id text,
  till_seq bigint NOT NULL,
  till_time timestamptz NOT NULL,
  total_minor bigint NOT NULL,
  currency text NOT NULL,
  body jsonb NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sales_till ON sales (till_id, till_seq);

CREATE TABLE ledger_entries (
  id text PRIMARY KEY,
  member_id text NOT NULL,
  till_id text NOT NULL,
  sale_id text,
  type text NOT NULL,
  points bigint NOT NULL,
  reason text NOT NULL,
  natural_id text,
  rule_id text,
  till_seq bigint NOT NULL,
  till_time timestamptz NOT NULL,
  -- false when the entry collapsed into an earlier one with the same natural id
  effective boolean NOT NULL DEFAULT true,
  received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ledger_member ON ledger_entries (member_id);
CREATE UNIQUE INDEX ledger_natural_id ON ledger_entries (natural_id) WHERE effective AND natural_id IS NOT NULL;

CREATE TABLE review_flags (
  id bigserial PRIMARY KEY,
  kind text NOT NULL,
  member_id text,
  till_id text,
  ref_id text,
  detail jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  resolved_at timestamptz
);

CREATE TABLE audit_log (
  id bigserial PRIMARY KEY,
  actor text NOT NULL,
  action text NOT NULL,
  target text,
  detail jsonb NOT NULL DEFAULT '{}',
  at timestamptz NOT NULL DEFAULT now()
);
