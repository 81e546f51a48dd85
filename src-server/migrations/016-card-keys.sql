-- The keys the server signs digital member cards with (shared/digital-card.ts,
-- src-server/privacy/card-keys.ts): Ed25519, the secret kept here only; tills
-- receive the public half of the current key and of the one before it in
-- their store document. At most one current key (retired_at IS NULL).
CREATE TABLE card_keys (
  id text PRIMARY KEY,
  public_key text NOT NULL,
  secret text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  retired_at timestamptz
);
CREATE UNIQUE INDEX card_keys_current ON card_keys ((true)) WHERE retired_at IS NULL;
