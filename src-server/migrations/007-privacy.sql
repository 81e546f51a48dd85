-- Personal data on tills is the minimum they need (src-server/privacy/).
-- Tills receive a keyed hash of a member's phone, never the phone: the
-- chain's phone keys live here (made on first start, replaced by a
-- rotation); at most one is current (retired_at IS NULL).
CREATE TABLE phone_keys (
  id text PRIMARY KEY,
  secret text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  retired_at timestamptz
);
CREATE UNIQUE INDEX phone_keys_current ON phone_keys ((retired_at IS NULL)) WHERE retired_at IS NULL;

-- The hash tills look a typed phone number up by, and the key that made it
-- (a member whose key is not the current one is re-hashed at start).
ALTER TABLE members ADD COLUMN phone_hash text NOT NULL DEFAULT '';
ALTER TABLE members ADD COLUMN phone_key_id text;
-- Set when the member's personal data was erased on request; the ledger stays, anonymised.
ALTER TABLE members ADD COLUMN erased_at timestamptz;

-- The default region for phone numbers typed without a country code (ISO 3166-1 alpha-2);
-- null: only numbers typed with their country code are found.
ALTER TABLE stores ADD COLUMN country text;
