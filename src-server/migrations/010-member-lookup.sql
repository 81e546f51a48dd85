-- Members looked up one at a time by a till whose snapshot is not complete yet
-- (by card: the UNIQUE index; by phone hash: this one).
CREATE INDEX members_phone_hash ON members (phone_hash) WHERE phone_hash <> '';
