-- Staff who sign in at tills: active or not, and the cashier refdata documents that carry
-- their PIN hash (PBKDF2, shared/staff/pin.ts) to their own store's tills. A PIN hash from
-- before this migration (scrypt, which tills cannot check) must be set again through the
-- admin API; until then that cashier cannot sign in.
ALTER TABLE cashiers ADD COLUMN active boolean NOT NULL DEFAULT true;
ALTER TABLE cashiers ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
CREATE INDEX refdata_cashier_store ON refdata ((data->>'storeId')) WHERE kind = 'cashier';
