-- Till credentials managed through the admin API: revocation and rotation.
-- A revoked till keeps its token hash so its next call is told it was
-- revoked (401 TILL_REVOKED), not merely that the token is unknown.
ALTER TABLE tills ADD COLUMN revoked_at timestamptz;
ALTER TABLE tills ADD COLUMN token_rotated_at timestamptz;
ALTER TABLE tills ADD COLUMN enrol_code_expires_at timestamptz;
