/**
 * Takes a till's pushed journal into the authoritative ledger.
 *
 * Invariants:
 * - Shape first: the caller has parsed the push with the shared wire schema;
 *   here only ownership and the store's currency are checked before anything
 *   is written (a coded 4xx writes nothing).
 * - Idempotent: a document id already received changes nothing.
 * - Till order per till database (epoch): documents wait in the inbox until
 *   every earlier one of the same epoch is here, then are taken in tillSeq
 *   order — applied, or parked with a reason. The watermark moves over both,
 *   so nothing can wedge a till. A new epoch (the till lost its database)
 *   closes the old one: what it left is applied, gaps and all, and flagged.
 * - Never refuses a sale: every well-formed sale is stored. Its loyalty part
 *   (entries, effects) is applied only when the business rules hold and the
 *   engine, re-run on the sale, gives the same result; otherwise the till's
 *   entries are parked and — where the program says so — the server books
 *   what the engine gives instead.
 * - Member state changes only through the shared projection (shared/ledger);
 *   each touched member's mark for this epoch moves to the watermark, so a
 *   till's view (snapshot + its journal above the mark) is never counted twice.
 * - A member's balance always equals the sum of its effective entries.
 * - Members are locked in id order (no deadlocks); their seqs are stamped last,
 *   and live streams are told after the commit.
 */
import { KassaError } from '../../shared/errors';
import type { JournalDoc } from '../../shared/documents';
import type { PushRequest } from '../../shared/replication';
import type { Db, Query } from '../db';
import type { TillIdentity } from '../auth';
import { notifyChanged, stampSeq } from '../seq';
import { flag, park, type Batch, type IngestOptions, type ParkedDoc, type Store } from './batch';
import { takeWaiting } from './take';
import { writeMembers } from './members';

export type { IngestOptions, ParkedDoc } from './batch';
export type IngestResult = { accepted: number; duplicates: number; ackedTillSeq: number; parked: ParkedDoc[] };

/** A till clock further off than this is flagged (the offset is kept either way). */
const CLOCK_SKEW_FLAG_MS = 5 * 60_000;

export function checkOwnership(till: TillIdentity, docs: readonly JournalDoc[]): void {
  for (const doc of docs) {
    if (doc.tillId !== till.tillId || (doc.kind !== 'entry' && doc.body.storeId !== till.storeId)) {
      throw new KassaError('FORBIDDEN_STORE', `Document ${doc.id} belongs to another till or store`);
    }
  }
}

/** Edge checks that need the store: every sale in the store's currency, one document per tillSeq. */
function checkEdge(store: Store, docs: readonly JournalDoc[]): void {
  const seqs = new Map<number, string>();
  for (const d of docs) {
    if (d.kind === 'sale' && d.body.currency !== store.currency) {
      throw new KassaError(
        'PUSH_MALFORMED',
        `Invalid request: sale ${d.id} is in ${d.body.currency}, this store sells in ${store.currency}`,
      );
    }
    const other = seqs.get(d.tillSeq);
    if (other !== undefined && other !== d.id)
      throw new KassaError(
        'PUSH_MALFORMED',
        `Invalid request: documents ${other} and ${d.id} share tillSeq ${d.tillSeq}`,
      );
    seqs.set(d.tillSeq, d.id);
  }
}

type EpochRow = { epoch: string; status: 'open' | 'closed'; acked_till_seq: string | number; clock_offset_ms: string };

async function runIngest(
  q: Query,
  till: TillIdentity,
  store: Store,
  push: PushRequest,
  docs: readonly JournalDoc[],
  opts: IngestOptions,
): Promise<IngestResult & { membersChanged: boolean }> {
  // One push per till at a time: the till row is the lock.
  await q('SELECT id FROM tills WHERE id = $1 FOR UPDATE', [till.tillId]);
  const epochs = await q<EpochRow>(
    'SELECT epoch, status, acked_till_seq, clock_offset_ms FROM till_epochs WHERE till_id = $1',
    [till.tillId],
  );
  const batches: Batch[] = [];
  const batch = (epoch: string): Batch => {
    const b: Batch = {
      till,
      epoch,
      store,
      opts,
      facts: new Map(),
      touched: new Set(),
      parked: [],
      offlineRedeemers: new Set(),
      programs: new Map(),
      writes: { sales: [], entries: [], order: [] },
      memberRows: new Map(),
      versions: new Map(),
      membersChanged: false,
    };
    batches.push(b);
    return b;
  };
  let current = epochs.find((e) => e.epoch === push.epoch);
  if (!current) {
    // A new local database on this till: the old ones are gone. Apply what they left, then start afresh.
    for (const old of epochs.filter((e) => e.status === 'open')) {
      const b = batch(old.epoch);
      const w = await takeWaiting(q, b, Number(old.acked_till_seq), true);
      await writeMembers(q, b, w);
      await q(
        "UPDATE till_epochs SET status = 'closed', closed_at = now(), acked_till_seq = $3 WHERE till_id = $1 AND epoch = $2",
        [till.tillId, old.epoch, w],
      );
    }
    if (epochs.length > 0) {
      await flag(q, 'till-database-replaced', null, till.tillId, push.epoch, {
        previous: epochs.map((e) => ({ epoch: e.epoch, ackedTillSeq: Number(e.acked_till_seq) })),
      });
    }
    await q('INSERT INTO till_epochs (till_id, epoch) VALUES ($1, $2)', [till.tillId, push.epoch]);
    current = { epoch: push.epoch, status: 'open', acked_till_seq: 0, clock_offset_ms: '0' };
  }

  // The till's clock against ours: kept for review; rules use the till's own time (docs/replication.md).
  const offset = Date.now() - Date.parse(push.sentAt);
  if (Math.abs(offset) > CLOCK_SKEW_FLAG_MS && Math.abs(Number(current.clock_offset_ms)) <= CLOCK_SKEW_FLAG_MS) {
    await flag(q, 'till-clock-skew', null, till.tillId, push.epoch, { offsetMs: offset });
  }
  await q('UPDATE till_epochs SET clock_offset_ms = $3 WHERE till_id = $1 AND epoch = $2', [
    till.tillId,
    push.epoch,
    offset,
  ]);

  const b = batch(push.epoch);
  // Into the inbox once per id; a document reusing another's tillSeq is parked at once.
  const inserted = await q<{ id: string }>(
    `INSERT INTO journal_inbox (id, till_id, epoch, till_seq, kind, member_id, doc)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[], $7::jsonb[])
     ON CONFLICT DO NOTHING RETURNING id`,
    [
      docs.map((d) => d.id),
      docs.map(() => till.tillId),
      docs.map(() => push.epoch),
      docs.map((d) => d.tillSeq),
      docs.map((d) => d.kind),
      docs.map((d) => d.memberId),
      docs.map((d) => JSON.stringify(d)),
    ],
  );
  const fresh = new Set(inserted.map((r) => r.id));
  const others = docs.filter((d) => !fresh.has(d.id));
  const known = others.length
    ? new Set(
        (
          await q<{ id: string }>('SELECT id FROM journal_inbox WHERE id = ANY($1::text[])', [others.map((d) => d.id)])
        ).map((r) => r.id),
      )
    : new Set<string>();
  for (const d of others.filter((x) => !known.has(x.id))) {
    await park(q, b, d, {
      code: 'TILL_SEQ_REUSED',
      reason: `tillSeq ${d.tillSeq} already belongs to another document`,
    });
  }

  const from = Number(current.acked_till_seq);
  const closed = current.status === 'closed';
  const watermark = await takeWaiting(q, b, from, closed);
  await writeMembers(q, b, watermark);
  if (watermark !== from) {
    await q('UPDATE till_epochs SET acked_till_seq = $3 WHERE till_id = $1 AND epoch = $2', [
      till.tillId,
      push.epoch,
      watermark,
    ]);
  }
  return {
    accepted: fresh.size,
    duplicates: known.size,
    ackedTillSeq: watermark,
    parked: b.parked,
    membersChanged: batches.some((x) => x.membersChanged),
  };
}

/**
 * Ingests one push. A failure that is not a coded error (a bug, a value the database refuses) is
 * retried once with every document parked for review instead of applied, so the same input can
 * never make the push fail twice: the till's watermark moves on and an operator sees what happened.
 */
export async function ingestPush(
  db: Db,
  till: TillIdentity,
  push: PushRequest,
  opts: IngestOptions,
  log: (err: unknown) => void = () => undefined,
): Promise<IngestResult> {
  const docs = push.rows.map((r) => r.newDocumentState);
  checkOwnership(till, docs);
  const [store] = await db.query<Store>('SELECT id, currency, time_zone, program_id FROM stores WHERE id = $1', [
    till.storeId,
  ]);
  if (!store) throw new KassaError('FORBIDDEN_STORE', `Store ${till.storeId} does not exist`);
  checkEdge(store, docs);
  let taken: IngestResult & { membersChanged: boolean };
  try {
    taken = await db.tx((q) => runIngest(q, till, store, push, docs, opts));
  } catch (err) {
    if (err instanceof KassaError) throw err;
    log(err);
    taken = await db.tx((q) => parkWholePush(q, till, push, docs, String(err instanceof Error ? err.message : err)));
  }
  const { membersChanged, ...result } = taken;
  // After the commit, outside the transaction: a NOTIFY at commit takes a database-wide lock that would make
  // every push commit one after another. A notification lost to a crash right here only delays live streams
  // until the next change or their periodic re-read (app.ts).
  if (membersChanged) await notifyChanged(db.query, 'members').catch(log);
  return result;
}

/** The fallback of `ingestPush`: stores every new document as parked, moves the watermark past them. */
async function parkWholePush(
  q: Query,
  till: TillIdentity,
  push: PushRequest,
  docs: readonly JournalDoc[],
  message: string,
): Promise<IngestResult & { membersChanged: boolean }> {
  await q('SELECT id FROM tills WHERE id = $1 FOR UPDATE', [till.tillId]);
  await q('INSERT INTO till_epochs (till_id, epoch) VALUES ($1, $2) ON CONFLICT DO NOTHING', [till.tillId, push.epoch]);
  const parked: ParkedDoc[] = [];
  const reason = `The server could not apply this document (${message.slice(0, 200)}); kept for review`;
  for (const d of docs) {
    const rows = await q(
      `INSERT INTO parked_docs (doc_id, till_id, epoch, till_seq, code, reason, doc)
       SELECT $1, $2, $3, $4, 'APPLY_FAILED', $5, $6
        WHERE NOT EXISTS (SELECT 1 FROM journal_inbox WHERE id = $1)
       ON CONFLICT (doc_id, till_seq) DO NOTHING RETURNING id`,
      [d.id, till.tillId, push.epoch, d.tillSeq, reason, JSON.stringify(d)],
    );
    if (rows.length === 0) continue;
    await q(
      `INSERT INTO journal_inbox (id, till_id, epoch, till_seq, kind, member_id, doc, outcome)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'parked') ON CONFLICT DO NOTHING`,
      [d.id, till.tillId, push.epoch, d.tillSeq, d.kind, d.memberId, JSON.stringify(d)],
    );
    parked.push({ id: d.id, code: 'APPLY_FAILED', reason });
  }
  await flag(q, 'push-apply-failed', null, till.tillId, push.epoch, { message: message.slice(0, 500) });
  // Move the watermark over whatever is now contiguous (applied before, or parked just now).
  const [row] = await q<{ acked_till_seq: string }>(
    'SELECT acked_till_seq FROM till_epochs WHERE till_id = $1 AND epoch = $2',
    [till.tillId, push.epoch],
  );
  let watermark = Number(row?.acked_till_seq ?? 0);
  const seqs = await q<{ till_seq: string }>(
    `SELECT till_seq FROM journal_inbox WHERE till_id = $1 AND epoch = $2 AND till_seq > $3 AND outcome IS NOT NULL
      ORDER BY till_seq`,
    [till.tillId, push.epoch, watermark],
  );
  for (const s of seqs) {
    if (Number(s.till_seq) !== watermark + 1) break;
    watermark++;
  }
  await q('UPDATE till_epochs SET acked_till_seq = $3 WHERE till_id = $1 AND epoch = $2', [
    till.tillId,
    push.epoch,
    watermark,
  ]);
  // The till stops counting the parked documents in its view: their members' marks move too.
  const members = [...new Set(docs.flatMap((d) => [d.memberId, d.kind === 'entry' ? d.body.memberId : '']))].filter(
    Boolean,
  );
  const moved = await q<{ id: string }>(
    `UPDATE members SET till_marks = till_marks || jsonb_build_object($2::text, $3::bigint)
      WHERE id = ANY($1::text[]) RETURNING id`,
    [members, push.epoch, watermark],
  );
  await stampSeq(
    q,
    'members',
    moved.map((m) => m.id),
    { notify: false },
  );
  return {
    accepted: parked.length,
    duplicates: docs.length - parked.length,
    ackedTillSeq: watermark,
    parked,
    membersChanged: moved.length > 0,
  };
}

export { type RuleViolation } from './rules';
