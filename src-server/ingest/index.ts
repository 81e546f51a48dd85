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
import type { JournalDoc, SaleDoc } from '../../shared/documents';
import type { PushRequest } from '../../shared/replication';
import type { Db, Query } from '../db';
import { tillRevoked, tokenInvalid, type TillIdentity } from '../auth';
import { notifyChanged, stampMembersPast, stampSeq } from '../seq';
import { flag, park, type Batch, type IngestOptions, type ParkedDoc, type Store } from './batch';
import { takeWaiting, type Walk } from './take';
import { writeMembers } from './members';
import { ensureCardRanges } from '../admin/card-ranges';
import { publishCouponBatch } from '../admin/coupons';
import { emptyReturnBook } from './returns';
import { emptyGiftCardBook, passParkedGiftCards, writeGiftCards } from './gift-cards';

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

type EpochRow = {
  till_id: string;
  epoch: string;
  status: 'open' | 'closed';
  acked_till_seq: string | number;
  clock_offset_ms: string;
};

/** One till's push, checked at the edge, ready to be taken. */
type Ready = { till: TillIdentity; store: Store; push: PushRequest; docs: readonly JournalDoc[] };
type Taken = IngestResult & { membersChanged: boolean; refdataChanged: boolean };

/** A push as the queue hands it over: which till sent it, and what it sent (parsed with the wire schema). */
export type PushItem = { till: TillIdentity; push: PushRequest };

/**
 * Takes a group of pushes, each from a different till, in one transaction: a handful of statements for the
 * whole group (tills locked in id order, one inbox insert, one read of what waits, one write of sales, of
 * entries and of members), so a busy chain pays for one commit per group instead of one per push. Each push
 * is taken as if the group's pushes had committed one after another in the order given.
 */
async function runGroup(q: Query, items: readonly Ready[], opts: IngestOptions): Promise<Taken[]> {
  const tillIds = items.map((i) => i.till.tillId);
  // One push per till at a time: the till row is the lock (taken in id order, so groups never deadlock). The
  // same statement reads each till's token and its databases (epochs).
  const locked = await q<
    { id: string; token_hash: string | null; revoked_at: Date | string | null } & {
      [K in keyof EpochRow]: EpochRow[K] | null;
    }
  >(
    `SELECT t.id, t.token_hash, t.revoked_at, e.till_id, e.epoch, e.status, e.acked_till_seq, e.clock_offset_ms
       FROM tills t LEFT JOIN till_epochs e ON e.till_id = t.id
      WHERE t.id = ANY($1::text[]) ORDER BY t.id FOR UPDATE OF t`,
    [tillIds],
  );
  // A token checked from a server's memory (auth.ts `tillTokens`) must still be the till's, and the till not revoked.
  for (const { till } of items) {
    if (till.tokenHash === undefined) continue;
    const row = locked.find((r) => r.id === till.tillId);
    if (!row || row.token_hash !== till.tokenHash) throw tokenInvalid();
    if (row.revoked_at !== null) throw tillRevoked(till.tillId);
  }
  const epochRows: EpochRow[] = locked.flatMap((r) =>
    r.till_id === null
      ? []
      : [
          {
            till_id: r.till_id,
            epoch: r.epoch!,
            status: r.status!,
            acked_till_seq: r.acked_till_seq!,
            clock_offset_ms: r.clock_offset_ms!,
          },
        ],
  );
  // Member rows, versions and programs are read once for the whole group.
  const shared = {
    memberRows: new Map(),
    versions: new Map(),
    programs: new Map(),
    returns: emptyReturnBook(),
    giftCards: emptyGiftCardBook(),
  } satisfies Pick<Batch, 'memberRows' | 'versions' | 'programs' | 'returns' | 'giftCards'>;
  const batch = (item: Ready, epoch: string): Batch => ({
    till: item.till,
    epoch,
    store: item.store,
    opts,
    facts: new Map(),
    touched: new Set(),
    parked: [],
    offlineRedeemers: new Set(),
    ...shared,
    walk: { from: 0, docs: [] },
    writes: { sales: [], entries: [], order: [] },
    membersChanged: false,
    enrolled: false,
    couponBatches: new Map(),
  });
  const walks: Walk[] = [];
  const closing: Walk[] = [];
  const mine: Walk[] = [];
  const offsets: number[] = [];
  for (const item of items) {
    const { till, push } = item;
    const epochs = epochRows.filter((e) => e.till_id === till.tillId);
    let current = epochs.find((e) => e.epoch === push.epoch);
    if (!current) {
      // A new local database on this till: the old ones are gone. Apply what they left, then start afresh.
      for (const old of epochs.filter((e) => e.status === 'open')) {
        const from = Number(old.acked_till_seq);
        const walk = { b: batch(item, old.epoch), from, closing: true, watermark: from, gaps: 0, inHand: new Map() };
        walks.push(walk);
        closing.push(walk);
      }
      if (epochs.length > 0) {
        await flag(q, 'till-database-replaced', null, till.tillId, push.epoch, {
          previous: epochs.map((e) => ({ epoch: e.epoch, ackedTillSeq: Number(e.acked_till_seq) })),
        });
      }
      await q('INSERT INTO till_epochs (till_id, epoch) VALUES ($1, $2)', [till.tillId, push.epoch]);
      current = { till_id: till.tillId, epoch: push.epoch, status: 'open', acked_till_seq: 0, clock_offset_ms: '0' };
    }
    // The till's clock against ours: kept for review; rules use the till's own time (docs/replication.md).
    const offset = Date.now() - Date.parse(push.sentAt);
    if (Math.abs(offset) > CLOCK_SKEW_FLAG_MS && Math.abs(Number(current.clock_offset_ms)) <= CLOCK_SKEW_FLAG_MS) {
      await flag(q, 'till-clock-skew', null, till.tillId, push.epoch, { offsetMs: offset });
    }
    offsets.push(offset);
    const from = Number(current.acked_till_seq);
    const walk: Walk = {
      b: batch(item, push.epoch),
      from,
      closing: current.status === 'closed',
      watermark: from,
      gaps: 0,
      inHand: new Map(),
    };
    walks.push(walk);
    mine.push(walk);
  }
  // What the inbox already holds of these documents (by id, or by tillSeq under another id), each till's clock
  // offset, and what was already waiting — one statement. The new documents are in hand: they go into the inbox
  // once, with their outcome, when the group's writes are flushed (take.ts `flushWrites`), never to be rewritten.
  const all = items.flatMap((item) => item.docs.map((d) => ({ item, d })));
  const read = await q<{ kind: 'known' | 'seq' | 'waiting'; k: number | null; id: string; doc: unknown }>(
    `WITH offsets AS (
       UPDATE till_epochs SET clock_offset_ms = u.offset_ms
         FROM jsonb_to_recordset($2::jsonb) AS u(till_id text, epoch text, offset_ms bigint)
        WHERE till_epochs.till_id = u.till_id AND till_epochs.epoch = u.epoch)
     SELECT 'known' AS kind, NULL::int AS k, id, NULL::jsonb AS doc FROM journal_inbox WHERE id = ANY($1::text[])
     UNION ALL
     SELECT 'seq', p.k, i.id, NULL
       FROM jsonb_to_recordset($4::jsonb) AS p(k int, till_id text, epoch text, till_seq bigint)
       JOIN journal_inbox i ON i.till_id = p.till_id AND i.epoch = p.epoch AND i.till_seq = p.till_seq
     UNION ALL
     SELECT 'waiting', w.k, i.id, i.doc
       FROM jsonb_to_recordset($3::jsonb) AS w(k int, till_id text, epoch text, from_seq bigint)
       JOIN journal_inbox i ON i.till_id = w.till_id AND i.epoch = w.epoch AND i.outcome IS NULL AND i.till_seq > w.from_seq`,
    [
      all.map(({ d }) => d.id),
      JSON.stringify(items.map((i, k) => ({ till_id: i.till.tillId, epoch: i.push.epoch, offset_ms: offsets[k] }))),
      JSON.stringify(walks.map((w, k) => ({ k, till_id: w.b.till.tillId, epoch: w.b.epoch, from_seq: w.from }))),
      JSON.stringify(
        all.map(({ d, item }, k) => ({ k, till_id: d.tillId, epoch: item.push.epoch, till_seq: d.tillSeq })),
      ),
    ],
  );
  const known = new Set(read.filter((r) => r.kind === 'known').map((r) => r.id));
  const seqTaken = new Map(read.filter((r) => r.kind === 'seq').map((r) => [r.k!, r.id]));
  // A document is new unless its id is stored (a replay) or came earlier in this group (the first one counts).
  const fresh = new Set<string>();
  const reused = new Set<string>();
  for (const [k, { d, item }] of all.entries()) {
    if (known.has(d.id) || fresh.has(d.id)) continue;
    const walk = mine[items.indexOf(item)]!;
    if (seqTaken.has(k)) {
      reused.add(d.id);
      await park(q, walk.b, d, {
        code: 'TILL_SEQ_REUSED',
        reason: `tillSeq ${d.tillSeq} already belongs to another document`,
      });
      continue;
    }
    fresh.add(d.id);
    walk.inHand.set(d.id, d);
  }

  // Each walk's documents in tillSeq order: what waited before this group, and what it brought.
  const waiting = walks.map((w) => [...w.inHand.values()]);
  for (const r of read) if (r.kind === 'waiting') waiting[r.k!]!.push(r.doc as JournalDoc);
  for (const docs of waiting) docs.sort((x, y) => x.tillSeq - y.tillSeq);
  await takeWaiting(q, walks, waiting, [...new Set(items.map((i) => i.store))]);
  await writeMembers(q, walks);
  // A till that enrolled members gets a further card range while it still has 2,000 numbers left (stamped last;
  // its tills pull it with the next refdata change or periodic re-read, long before they need it).
  const enrolling = walks.filter((w) => w.b.enrolled).map((w) => w.b.till.tillId);
  if (enrolling.length > 0) await stampSeq(q, 'refdata', await ensureCardRanges(q, enrolling));
  // Every till hears which coupons were used (a batch's document lists them) and what each gift card holds.
  const batches = new Map(walks.flatMap((w) => [...w.b.couponBatches]));
  const published: string[] = [];
  for (const [programId, batch] of batches.values()) published.push(await publishCouponBatch(q, programId, batch));
  published.push(...(await writeGiftCards(q, shared.giftCards)));
  // Live streams hear of them after the commit, as of members (a NOTIFY here would serialise commits).
  await stampSeq(q, 'refdata', published, { notify: false });
  const closedFor = (item: Ready) => closing.filter((w) => w.b.till.tillId === item.till.tillId);
  return items.map((item, k) => {
    const w = mine[k]!;
    const docIds = new Set(item.docs.map((d) => d.id));
    return {
      accepted: [...w.inHand.keys()].length,
      duplicates: [...docIds].filter((id) => !w.inHand.has(id) && !reused.has(id)).length,
      ackedTillSeq: w.watermark,
      parked: w.b.parked,
      membersChanged: w.b.membersChanged || closedFor(item).some((c) => c.b.membersChanged),
      refdataChanged: published.length > 0,
    };
  });
}

/** Checks a push at the edge (ownership, the store's currency, one document per tillSeq); throws a coded error. */
function ready(item: PushItem, stores: ReadonlyMap<string, Store>): Ready {
  const docs = item.push.rows.map((r) => r.newDocumentState);
  checkOwnership(item.till, docs);
  const store = stores.get(item.till.storeId);
  if (!store) throw new KassaError('FORBIDDEN_STORE', `Store ${item.till.storeId} does not exist`);
  checkEdge(store, docs);
  return { ...item, store, docs };
}

/**
 * Ingests a group of pushes, at most one per till, in one transaction; each push's outcome is its own (a coded
 * error rejects that push alone and writes nothing of it). A failure that is not a coded error (a bug, a value
 * the database refuses, a deadlock) is retried push by push; a push that fails alone too is retried once more
 * with every document parked for review instead of applied, so the same input can never make a push fail
 * twice: the till's watermark moves on and an operator sees what happened.
 */
export async function ingestGroup(
  db: Db,
  items: readonly PushItem[],
  opts: IngestOptions,
  log: (err: unknown) => void = () => undefined,
): Promise<Array<PromiseSettledResult<IngestResult>>> {
  const storeIds = [...new Set(items.map((i) => i.till.storeId))];
  const stores = new Map(
    (
      await db.query<Store>('SELECT id, currency, time_zone, program_id FROM stores WHERE id = ANY($1::text[])', [
        storeIds,
      ])
    ).map((s) => [s.id, s]),
  );
  const outcomes: Array<PromiseSettledResult<Taken>> = items.map(() => ({
    status: 'rejected',
    reason: new Error('not taken'),
  }));
  const ok: Array<{ k: number; r: Ready }> = [];
  items.forEach((item, k) => {
    try {
      ok.push({ k, r: ready(item, stores) });
    } catch (err) {
      outcomes[k] = { status: 'rejected', reason: err };
    }
  });
  if (new Set(ok.map(({ r }) => r.till.tillId)).size !== ok.length) {
    throw new Error('A group holds at most one push per till');
  }
  try {
    const taken = ok.length
      ? await db.tx((q) =>
          runGroup(
            q,
            ok.map(({ r }) => r),
            opts,
          ),
        )
      : [];
    taken.forEach((t, j) => (outcomes[ok[j]!.k] = { status: 'fulfilled', value: t }));
  } catch (err) {
    if (ok.length === 1) outcomes[ok[0]!.k] = await parkOrReject(db, ok[0]!.r, err, log);
    else {
      // Which push it was is not known: each is taken alone, and only the failing one is parked.
      log(err);
      for (const { k, r } of ok) outcomes[k] = await alone(db, r, opts, log);
    }
  }
  // After the commit, outside the transaction: a NOTIFY at commit takes a database-wide lock that would make
  // every push commit one after another. A notification lost to a crash right here only delays live streams
  // until the next change or their periodic re-read (app.ts).
  if (outcomes.some((o) => o.status === 'fulfilled' && o.value.membersChanged)) {
    await notifyChanged(db.query, 'members').catch(log);
  }
  if (outcomes.some((o) => o.status === 'fulfilled' && o.value.refdataChanged)) {
    await notifyChanged(db.query, 'refdata').catch(log);
  }
  return outcomes.map((o) => (o.status === 'fulfilled' ? { status: 'fulfilled', value: result(o.value) } : o));
}

function result({ membersChanged: _, refdataChanged: __, ...taken }: Taken): IngestResult {
  return taken;
}

/** One push of a failed group in its own transaction; if it fails alone too, `parkOrReject`. */
async function alone(
  db: Db,
  r: Ready,
  opts: IngestOptions,
  log: (err: unknown) => void,
): Promise<PromiseSettledResult<Taken>> {
  try {
    return { status: 'fulfilled', value: (await db.tx((q) => runGroup(q, [r], opts)))[0]! };
  } catch (err) {
    return parkOrReject(db, r, err, log);
  }
}

/** A push that failed on its own: a coded error rejects it; anything else parks it whole (`parkWholePush`). */
async function parkOrReject(
  db: Db,
  r: Ready,
  err: unknown,
  log: (err: unknown) => void,
): Promise<PromiseSettledResult<Taken>> {
  if (err instanceof KassaError) return { status: 'rejected', reason: err };
  log(err);
  const message = String(err instanceof Error ? err.message : err);
  return { status: 'fulfilled', value: await db.tx((q) => parkWholePush(q, r.till, r.push, r.docs, message)) };
}

/** Ingests one push (see `ingestGroup`); a coded error is thrown. */
export async function ingestPush(
  db: Db,
  till: TillIdentity,
  push: PushRequest,
  opts: IngestOptions,
  log: (err: unknown) => void = () => undefined,
): Promise<IngestResult> {
  const [outcome] = await ingestGroup(db, [{ till, push }], opts, log);
  if (outcome!.status === 'rejected') throw outcome!.reason;
  return outcome!.value;
}

/** The fallback of `ingestPush`: stores every new document as parked, moves the watermark past them. */
async function parkWholePush(
  q: Query,
  till: TillIdentity,
  push: PushRequest,
  docs: readonly JournalDoc[],
  message: string,
): Promise<Taken> {
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
  const moved = await stampMembersPast(q, members, push.epoch, watermark);
  // And its gift cards' marks (their documents reach the tills with the next refdata pull).
  const sales = docs.filter((d): d is SaleDoc => d.kind === 'sale');
  const cards = await passParkedGiftCards(q, push.epoch, sales, watermark);
  await stampSeq(q, 'refdata', cards, { notify: false });
  return {
    accepted: parked.length,
    duplicates: docs.length - parked.length,
    ackedTillSeq: watermark,
    parked,
    membersChanged: moved.length > 0,
    refdataChanged: cards.length > 0,
  };
}

export { type RuleViolation } from './rules';
