-- Members enrolled at tills (shared/enrolment.ts, src-server/ingest/enrolment.ts)
-- and the card numbers tills give out themselves (shared/member-card.ts).

-- Ranges of EAN-13 member-card numbers (their first twelve digits), each
-- assigned to one till. Ranges never overlap: each starts after the highest
-- number assigned before it (assigned under an advisory lock).
CREATE TABLE card_ranges (
  first text COLLATE "C" PRIMARY KEY,
  last text COLLATE "C" NOT NULL,
  till_id text NOT NULL REFERENCES tills(id),
  assigned_at timestamptz NOT NULL DEFAULT now(),
  CHECK (first ~ '^\d{12}$' AND last ~ '^\d{12}$' AND first <= last)
);
CREATE INDEX card_ranges_till ON card_ranges (till_id);

-- What an enrolment brings beside the name, phone and e-mail: the birth year
-- when given (the month-day is in the state), the marketing consent as given
-- (yes or no, when, which text), and where the member was enrolled.
ALTER TABLE members ADD COLUMN birth_year integer;
ALTER TABLE members ADD COLUMN consent jsonb;
ALTER TABLE members ADD COLUMN enrolled_at_till text;

-- A new member's phone or e-mail already used by another member is flagged:
-- both are looked up at every enrolment.
CREATE INDEX members_phone ON members (phone) WHERE phone <> '';
CREATE INDEX members_email ON members (lower(email)) WHERE email <> '';
