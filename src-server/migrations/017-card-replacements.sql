-- Lost cards replaced at tills (src-server/ingest/card-replace.ts): the old
-- number stays blocked for good (never given to anyone else), with the member
-- it was replaced for.
CREATE TABLE blocked_cards (
  card_number text COLLATE "C" PRIMARY KEY,
  member_id text NOT NULL,
  till_id text NOT NULL,
  doc_id text NOT NULL,
  blocked_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX blocked_cards_member ON blocked_cards (member_id);
