-- The coupon ledger (src-server/admin/coupons.ts): every single-use code generated for a program's coupon batch,
-- and the sale that used it (the first the server took; a later one is flagged coupon-reused).
CREATE TABLE coupon_codes (
  program_id text NOT NULL,
  code text NOT NULL,
  batch text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  used_sale_id text,
  used_till_id text,
  used_at timestamptz,
  PRIMARY KEY (program_id, code)
);
CREATE INDEX coupon_codes_batch ON coupon_codes (program_id, batch);
