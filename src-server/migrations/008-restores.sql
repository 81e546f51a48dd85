-- Restores from a backup (`kassa db restore`). A restore resumes kassa_seq far above the backup's last number
-- (seq.ts, resumeSeqAfterRestore), so the numbers a till saw after the backup — documents this database no longer
-- has — fall in (backup_seq, resumed_seq]: a pull from a checkpoint in that range starts again from 0.
-- Rows are never updated; the table travels with later backups, so every earlier restore's range is still known.
CREATE TABLE restores (
  id bigserial PRIMARY KEY,
  restored_at timestamptz NOT NULL DEFAULT now(),
  backup_created_at timestamptz NOT NULL,
  backup_kind text NOT NULL CHECK (backup_kind IN ('postgres', 'pglite')),
  backup_seq bigint NOT NULL,
  resumed_seq bigint NOT NULL CHECK (resumed_seq > backup_seq),
  detail jsonb NOT NULL DEFAULT '{}'
);
