-- The gift card ledger (src-server/ingest/gift-cards.ts): each card's state (shared/gift-cards.ts GiftCardState)
-- and every sale's move on it. A card's row is the fold of its moves; tills receive it as the reference document
-- giftcard:<program>:<number>. A move is booked once per sale and card (its key), so a replay changes nothing.
CREATE TABLE gift_cards (
  program_id text NOT NULL,
  number text NOT NULL,
  -- Below zero only when two offline tills spent the same money (flagged gift-card-overdraft).
  balance_minor bigint NOT NULL DEFAULT 0,
  -- The last store-local day the card may be spent; null: never loaded, or the program never expires cards.
  valid_until date,
  -- When money was first put on it; null: nobody sold it (a row made for a sale that named it).
  issued_at timestamptz,
  -- {date, minor}: spent on the latest store-local day, for the tills' offline cap.
  spent_today jsonb,
  -- Per till database (epoch): the highest tillSeq of its sales counted in the row.
  till_marks jsonb NOT NULL DEFAULT '{}'::jsonb,
  PRIMARY KEY (program_id, number)
);
CREATE TABLE gift_card_moves (
  program_id text NOT NULL,
  number text NOT NULL,
  sale_id text NOT NULL,
  till_id text NOT NULL,
  epoch text NOT NULL,
  till_seq bigint NOT NULL,
  at timestamptz NOT NULL,
  -- Put on the card by the sale's lines; paid from it by its tenders (negative: a return gave back to it).
  load_minor bigint NOT NULL,
  paid_minor bigint NOT NULL,
  PRIMARY KEY (sale_id, number)
);
CREATE INDEX gift_card_moves_card ON gift_card_moves (program_id, number, at);
