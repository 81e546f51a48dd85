-- When each contact field of a member last changed (src-server/ingest/profile.ts):
-- {"phone": <iso>, "email": <iso>, "consent": <iso>}. A till's edit older than
-- the field's last change is not applied (the later one wins).
ALTER TABLE members ADD COLUMN profile_changed_at jsonb NOT NULL DEFAULT '{}';
