-- People of the admin API, each with their own credential and a role; the
-- audit log says from where an action came.
CREATE TABLE admin_users (
  id text PRIMARY KEY,
  name text NOT NULL,
  role text NOT NULL CHECK (role IN ('admin', 'manager', 'auditor')),
  credential_hash text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  disabled_at timestamptz
);
ALTER TABLE audit_log ADD COLUMN source text;
