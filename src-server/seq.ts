/**
 * Replication checkpoints that are safe under concurrent writers.
 *
 * The hazard: transaction A draws seq 10, transaction B draws seq 11 and
 * commits first; a puller sees 11, moves its checkpoint past 10, and never
 * sees A's row. Serialising the writers (one lock held from the draw to the
 * commit) avoids it but makes every till's push wait for every other's
 * commit. The rule here instead: pullers stop below the lowest seq still in
 * flight, and writers never wait for each other.
 *
 * - A writer (`stampSeq`, the only place a down-collection row gets its seq)
 *   first reads the newest number drawn so far, k, and takes a shared
 *   transaction-level advisory lock on the key IN_FLIGHT + k, held to commit;
 *   only then does it draw. Every seq it draws is above k. Shared locks never
 *   conflict, so writers run and commit side by side.
 * - A reader (`safeSeq`) reads the newest number drawn, S, then the lowest
 *   in-flight key, L, from pg_locks (this database's: another database on
 *   the same server has its own sequence). Every seq ≤ min(S, L) was drawn before S
 *   was read, by a transaction that had announced itself before drawing; it
 *   no longer holds its lock, so it has ended (PostgreSQL releases a
 *   transaction's locks only after its commit is visible to new snapshots).
 *   A writer that announces itself after L was read draws above S. So rows
 *   with seq ≤ min(S, L) are all visible to the next statement, and none can
 *   appear later. Pulls (`pullDocuments`) read only up to it.
 *
 * kassa_seq must keep CACHE 1 (the default): with a per-session cache, a
 * number read as "newest drawn" could be below numbers a session has already
 * reserved but not yet handed out.
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
import { markSql } from './member-marks';

/**
 * In-flight announcements live at IN_FLIGHT + k, far above every other advisory key the server takes (small
 * numbers), so pg_locks tells them apart by their high 32 bits (classid). Seqs stay below 10^15 (tills' schema).
 */
const IN_FLIGHT = 2n ** 62n;
const IN_FLIGHT_CLASSID = Number(IN_FLIGHT >> 32n);
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

/** The newest number kassa_seq has handed out (0 before the first). */
const DRAWN = 'SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END AS drawn FROM kassa_seq';

/**
 * Announces "this transaction draws seqs above k" (k: the newest drawn now) until it ends; see the header.
 * Every writer calls it before its first nextval('kassa_seq') on a down-collection row: `stampSeq` does, and
 * so do bulk seeders that insert rows with their seq drawn in the INSERT (seed-chain.ts).
 */
export async function holdSeqs(q: Query): Promise<void> {
  await q(`SELECT pg_advisory_xact_lock_shared($1::bigint + (${DRAWN}))`, [IN_FLIGHT.toString()]);
}

/**
 * Gives each row its next seq (in id order), records member and program versions, and — unless the caller
 * sends it after commit (`notify: false`) — tells live streams. Call it last in the transaction: the
 * in-flight mark it takes holds back every puller until the transaction ends.
 */
export async function stampSeq(
  q: Query,
  table: DownTable,
  ids: readonly string[],
  options: { notify?: boolean } = {},
): Promise<void> {
  if (ids.length === 0) return;
  await holdSeqs(q);
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
      `INSERT INTO member_versions (member_id, seq, state)
       SELECT id, seq, state FROM members WHERE id = ANY($1::text[]) ON CONFLICT DO NOTHING`,
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
  if (options.notify ?? true) await q(`SELECT pg_notify($1, $2)`, [CHANGES_CHANNEL, table]);
}

/**
 * Writes members' new state and stamps them as `stampSeq` does (the in-flight mark first, then a seq each and
 * its member version), and records the marks that moved (`marks`: an epoch's new mark on a member, at most one
 * per member and epoch; a mark not above the member's current one adds nothing, see member-marks.ts) — the
 * state, the seq, the version and the marks in one statement. Call it last in the transaction; live streams
 * are told after the commit (`notifyChanged`).
 */
export async function writeStampedMembers(
  q: Query,
  rows: ReadonlyArray<{ id: string; state: unknown }>,
  marks: ReadonlyArray<{ id: string; epoch: string; mark: number }>,
): Promise<void> {
  if (rows.length === 0) return;
  await holdSeqs(q);
  await q(
    `WITH written AS (
       UPDATE members SET state = r.state, seq = nextval('kassa_seq')
         FROM (SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(id text, state jsonb) ORDER BY id) AS r
        WHERE members.id = r.id
       RETURNING members.id, members.seq, members.state),
     versions AS (
       INSERT INTO member_versions (member_id, seq, state)
       SELECT id, seq, state FROM written ON CONFLICT DO NOTHING)
     INSERT INTO member_marks (member_id, epoch, seq, mark)
     SELECT w.id, m.epoch, w.seq, m.mark
       FROM written w JOIN jsonb_to_recordset($2::jsonb) AS m(id text, epoch text, mark bigint) ON m.id = w.id
      WHERE m.mark > COALESCE(${markSql('w.id', 'm.epoch')}, 0)`,
    [JSON.stringify(rows), JSON.stringify(marks)],
  );
}

/**
 * Moves epoch `epoch`'s mark on each of the members `ids` that exist up to `mark` (where it is below) and
 * stamps them (`stampSeq`, without telling live streams); returns the ids stamped. For documents taken
 * without their member being written (parked whole): the till stops counting them in its view.
 */
export async function stampMembersPast(
  q: Query,
  ids: readonly string[],
  epoch: string,
  mark: number,
): Promise<string[]> {
  const found = await q<{ id: string }>('SELECT id FROM members WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE', [
    [...ids],
  ]);
  const stamped = found.map((m) => m.id);
  await stampSeq(q, 'members', stamped, { notify: false });
  await q(
    `INSERT INTO member_marks (member_id, epoch, seq, mark)
     SELECT id, $2::text, seq, $3::bigint FROM members
      WHERE id = ANY($1::text[]) AND $3::bigint > COALESCE(${markSql('members.id', '$2::text')}, 0)`,
    [stamped, epoch, mark],
  );
  return stamped;
}

/** Tells every server's live streams that `table` changed (after a commit, outside any transaction). */
export async function notifyChanged(q: Query, table: DownTable): Promise<void> {
  await q(`SELECT pg_notify($1, $2)`, [CHANGES_CHANNEL, table]);
}

/**
 * Every row of `table` with seq ≤ the returned number is committed and visible to a new reader, and no row
 * with seq ≤ it can appear later. It is the newest such row's seq (0 when there is none). Two statements in
 * this order, then the caller's reads, each on its own snapshot (no enclosing transaction needed). Pulls stop
 * here, live streams start here, and a member snapshot is cut here (snapshot.ts).
 */
export async function safeSeq(q: Query, table: DownTable): Promise<number> {
  return Number(
    (
      await q<{ seq: string }>(`SELECT COALESCE(max(seq), 0) AS seq FROM ${table} WHERE seq <= $1`, [await seqBound(q)])
    )[0]?.seq ?? 0,
  );
}

/** min(newest drawn, lowest in-flight mark): the number below which nothing is still being written. */
export async function seqBound(q: Query): Promise<number> {
  const [drawn] = await q<{ drawn: string }>(DRAWN);
  const [held] = await q<{ low: string | null }>(
    `SELECT min(((classid::bigint << 32) | objid::bigint) - $1::bigint) AS low FROM pg_locks
      WHERE locktype = 'advisory' AND objsubid = 1 AND classid::bigint >= $2
        AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    [IN_FLIGHT.toString(), IN_FLIGHT_CLASSID],
  );
  const top = Number(drawn?.drawn ?? 0);
  return held?.low === null || held?.low === undefined ? top : Math.min(top, Number(held.low));
}
