/**
 * Replication checkpoints that are safe under concurrent writers.
 *
 * The hazard: transaction A draws seq 10, transaction B draws seq 11 and
 * commits first; a puller sees 11, moves its checkpoint past 10, and never
 * sees A's row. The rule here: a down-collection row gets its seq only from
 * `stampSeq`, which first takes a transaction-level advisory lock that is held
 * until commit. So the transaction that draws seq n+1 cannot draw it before the
 * one holding n has committed: seq order is commit order, and any row a puller
 * can see has every smaller seq visible too. Writers do all their other work
 * first and stamp last, so the lock is held only for the stamp and the commit.
 *
 * After a restore from a backup the database is back at an older point, but
 * tills may hold checkpoints (and sales may name member versions) from after
 * the backup. So a restore never lets a number be handed out twice: it
 * resumes the sequence far above the backup's last number
 * (`resumeSeqAfterRestore`) and records the skipped range in `restores`. A
 * pull from a checkpoint this database never handed out — in a skipped range,
 * or above the newest number drawn — starts again from 0 (`pullStart`).
 */
import type { Query } from './db';

export const SEQ_LOCK = 7_301_002;
export const CHANGES_CHANNEL = 'kassa_changes';

export type DownTable = 'products' | 'members' | 'refdata';

/**
 * How far above "now" a restore resumes: 100 numbers per millisecond of Unix time. A timeline that began at an
 * earlier restore stays below this line as long as it stamps fewer than 100 rows per ms on average since then
 * (a chain's peak is a few per ms), so a later restore — even of a backup taken before that earlier restore —
 * still resumes above everything that timeline handed out.
 */
export const RESTORE_SEQ_PER_MS = 100;
/** And at least this far above the backup's own last number, whatever the restoring machine's clock says. */
export const RESTORE_SEQ_MARGIN = 10_000_000_000;

/**
 * The first number after a restore (the sequence is set to it; the next row gets one more). Tills keep seqs
 * below 10^15 (their RxDB schema); at 100 per ms of Unix time that lasts until the 23rd century.
 */
export function resumeSeqAfterRestore(lastSeq: number, nowMs: number): number {
  return Math.max(Math.floor(nowMs) * RESTORE_SEQ_PER_MS, lastSeq + RESTORE_SEQ_MARGIN);
}

/**
 * Where a pull from checkpoint `seq` starts: `seq` itself, or 0 when this database never handed out `seq` —
 * it lies in a range a restore skipped (the till pulled documents from after the backup, which are gone), or
 * above the newest number drawn (a checkpoint from another database). The till then receives every document
 * again and its checkpoint moves back to this database's numbers.
 */
export async function pullStart(q: Query, seq: number): Promise<number> {
  if (seq === 0) return 0;
  const [row] = await q<{ foreign: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM restores WHERE $1::bigint > backup_seq AND $1::bigint <= resumed_seq)
         OR $1::bigint > (SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM kassa_seq) AS foreign`,
    [seq],
  );
  return row?.foreign ? 0 : seq;
}

export const stampSeq = async (q: Query, table: DownTable, ids: readonly string[]): Promise<void> => {
  if (ids.length === 0) return;
  await q('SELECT pg_advisory_xact_lock($1)', [SEQ_LOCK]);
  // Sorted ids give a stable seq order inside one transaction.
  await q(
    `UPDATE ${table} AS t SET seq = nextval('kassa_seq')
       FROM (SELECT unnest($1::text[]) AS id ORDER BY 1) AS s
      WHERE t.id = s.id`,
    [[...ids].sort()],
  );
  // Versions a till may quote on (members) or a sale may name (programs) stay readable for re-checks.
  if (table === 'members') {
    await q(
      `INSERT INTO member_versions (member_id, seq, state, till_marks)
       SELECT id, seq, state, till_marks FROM members WHERE id = ANY($1::text[]) ON CONFLICT DO NOTHING`,
      [[...ids]],
    );
  } else if (table === 'refdata') {
    await q(
      `INSERT INTO program_versions (id, version, data)
       SELECT key, (data->>'version')::int, data FROM refdata WHERE id = ANY($1::text[]) AND kind = 'program'
       ON CONFLICT DO NOTHING`,
      [[...ids]],
    );
  }
  await q(`SELECT pg_notify($1, $2)`, [CHANGES_CHANNEL, table]);
};

/**
 * The highest seq of `table` a reader may rely on: every row with seq ≤ it is committed and visible to a new
 * reader, and no row with seq ≤ it can appear later. Seq order is commit order (the lock in `stampSeq`), so
 * that is the highest committed seq. A member snapshot is cut at this number (snapshot.ts).
 */
export async function safeSeq(q: Query, table: DownTable): Promise<number> {
  const [row] = await q<{ seq: string | number | null }>(`SELECT max(seq) AS seq FROM ${table}`);
  return Number(row?.seq ?? 0);
}
