/**
 * Journal compaction: the till's journal keeps what the till still needs and
 * nothing more. The server keeps every document; the till keeps
 *
 * - every document the server has not acknowledged (tillSeq above the
 *   server's watermark for this database, `readAckedTillSeq`): they are the
 *   push queue and the "unconfirmed" part of every member view;
 * - every document younger than the retention period by its till time
 *   (`at`): returns of this till's recent sales read the sale documents;
 * - every document of the shift open on this till (db/shifts.ts), however
 *   old: its Z report counts them;
 * - the document with the highest tillSeq, whatever its age, and before
 *   anything is removed a stored floor for the tillSeq counter
 *   (`storeTillSeqFloor`), so no tillSeq is ever handed out twice.
 *
 * What goes is removed in batches (one short IndexedDB transaction each),
 * and the tombstones RxDB leaves are purged from the storage right after, so
 * removed documents do not stay on disk. RxDB's push replication sees the
 * removals as deletions; the push handler never sends them (replication.ts).
 *
 * A member view stays the same: compacted documents are at or below the
 * server's watermark, so the server's member record holds them (its mark is
 * at or above them) and the view never reads them again.
 */
import type { TillDatabase } from './database';
import { readAckedTillSeq } from './journal-ack';
import { storeTillSeqFloor } from './sales';
import { openShiftSeq } from './shifts';

/**
 * How long the till keeps acknowledged journal documents. Returns of this till's recent sales need their sale
 * documents on the till (a return is priced against the sale it refunds); the server keeps everything, so a
 * return of an older sale is looked up there.
 */
export const JOURNAL_RETENTION_DAYS = 90;

/** Documents per `bulkRemove`: one IndexedDB transaction each, short enough never to be a long task. */
const REMOVE_BATCH = 500;

const DAY_MS = 24 * 60 * 60 * 1000;

export type CompactionOptions = { now?: Date; retentionDays?: number };

/**
 * Removes acknowledged journal documents older than the retention period, never the newest one; returns how many
 * were removed. Pages through the acknowledged documents in tillSeq order and stops at the first page holding
 * nothing old enough: documents are written in tillSeq order, so their `at` rises with it, and a document whose
 * till clock was set wrong only delays compaction behind it (it never makes a young document go).
 */
export async function compactJournal(db: TillDatabase, options: CompactionOptions = {}): Promise<number> {
  const now = options.now ?? new Date();
  const retentionDays = options.retentionDays ?? JOURNAL_RETENTION_DAYS;
  const cutoff = new Date(now.getTime() - retentionDays * DAY_MS).toISOString();

  const top = await db.journal.findOne({ selector: { tillSeq: { $gt: 0 } }, sort: [{ tillSeq: 'desc' }] }).exec();
  if (!top) return 0;
  const shiftSeq = await openShiftSeq(db);
  const upTo = Math.min(await readAckedTillSeq(db), top.tillSeq - 1, shiftSeq === null ? Infinity : shiftSeq - 1);
  if (upTo < 1) return 0;
  await storeTillSeqFloor(db, top.tillSeq + 1);

  let removed = 0;
  let after = 0;
  for (;;) {
    const page = await db.journal
      .find({ selector: { tillSeq: { $gt: after, $lte: upTo } }, sort: [{ tillSeq: 'asc' }], limit: REMOVE_BATCH })
      .exec();
    if (page.length === 0) break;
    after = page[page.length - 1]!.tillSeq;
    // ISO timestamps in UTC compare as strings.
    const old = page.filter((d) => d.at < cutoff).map((d) => d.id);
    if (old.length === 0) break;
    const result = await db.journal.bulkRemove(old);
    removed += result.success.length;
    if (page.length < REMOVE_BATCH) break;
  }
  if (removed > 0) await purgeTombstones(db);
  return removed;
}

/**
 * Purges the journal's deleted documents from the storage now. RxDB keeps a removed document as a tombstone so a
 * replication can send the deletion; the journal's deletions are never sent (the server keeps the documents), so
 * there is nothing to wait for.
 */
async function purgeTombstones(db: TillDatabase): Promise<void> {
  // cleanup() answers false while more is left to purge.
  while (!(await db.journal.storageInstance.cleanup(0))) {
    if (db.journal.closed) return;
  }
}
