-- Tills page through the members by card, by id and by phone hash, and keep
-- them in blocks keyed by ranges of those keys (src-renderer/src/db/member-store.ts).
-- The till compares keys as JavaScript strings do (code units), so the
-- server's order must not depend on the database's locale: byte order ("C").
ALTER TABLE members ALTER COLUMN id TYPE text COLLATE "C";
ALTER TABLE members ALTER COLUMN card_number TYPE text COLLATE "C";
ALTER TABLE members ALTER COLUMN phone_hash TYPE text COLLATE "C";
-- Members sharing a phone are paged by (phone hash, card).
DROP INDEX members_phone_hash;
CREATE INDEX members_phone_hash ON members (phone_hash, card_number) WHERE phone_hash <> '';
