/**
 * Taking a till's waiting documents in till order: a sale with its entries (rule checks, re-check,
 * what is applied and what is parked), a grant outside a sale, and the walk over the inbox that
 * moves the watermark. Writes sales and ledger entries; facts go to the batch for members.ts.
 */
import { monotonicFactory } from 'ulid';
import {
  type EntryDoc,
  type JournalDoc,
  type LedgerEntryBody,
  type MemberEffectsBody,
  type SaleDoc,
} from '../../shared/documents';
import { memberStateSchema } from '../../shared/engine/member-state';
import { entryFact, saleFact } from '../../shared/ledger';
import { grantBonus } from '../../shared/engine';
import type { Query } from '../db';
import { entryViolation, saleViolation } from './rules';
import { recheckSale } from './recheck';
import { addFact, flag, loadProgram, memberRow, park, prefetchMembers, type Batch } from './batch';
import { readHistory, reconstructView } from './views';
import { takeEvent } from './events';

const nextId = monotonicFactory();

type EntryRow = { id: string; tillSeq: number; at: string; epoch: string; body: LedgerEntryBody };

/** Queues a ledger entry and the fact it brings if it is stored as effective (see `flushWrites`). */
function queueEntry(b: Batch, e: EntryRow): void {
  b.writes.entries.push(e);
  b.writes.order.push({ fact: entryFact(e.id, e.at, e.body), entryId: e.id });
}

/** Queues a sale row; `flushWrites` inserts the push's sales in one statement. */
function queueSale(b: Batch, s: SaleDoc, effects: MemberEffectsBody | null, status: string): void {
  b.writes.sales.push({ sale: s, effects, status });
}

const ENTRY_COLUMNS =
  '(id, member_id, till_id, sale_id, type, points, reason, natural_id, rule_id, till_seq, till_time, epoch, effective)';

type QueuedEntry = { b: Batch; e: EntryRow };

/** Inserts ledger entries as effective or not; returns the ids stored now (a replayed id changes nothing). */
async function insertEntries(q: Query, rows: readonly QueuedEntry[], effective: boolean): Promise<string[]> {
  if (rows.length === 0) return [];
  // One JSON array parameter: PostgreSQL types the fields; nothing is escaped row by row.
  const inserted = await q<{ id: string }>(
    `INSERT INTO ledger_entries ${ENTRY_COLUMNS}
     SELECT id, member_id, till_id, sale_id, type, points, reason, natural_id, rule_id, till_seq, till_time, epoch, $2
       FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS a(e, n),
            LATERAL jsonb_to_record(a.e) AS r(id text, member_id text, till_id text, sale_id text, type text,
              points bigint, reason text, natural_id text, rule_id text, till_seq bigint, till_time timestamptz,
              epoch text)
      ORDER BY a.n
     ON CONFLICT DO NOTHING RETURNING id`,
    [
      JSON.stringify(
        rows.map(({ b, e }) => ({
          id: e.id,
          member_id: e.body.memberId,
          till_id: b.till.tillId,
          sale_id: e.body.saleId,
          type: e.body.type,
          points: e.body.points,
          reason: e.body.reason,
          natural_id: e.body.naturalId,
          rule_id: e.body.ruleId,
          till_seq: e.tillSeq,
          till_time: e.at,
          epoch: e.epoch,
        })),
      ),
      effective,
    ],
  );
  return inserted.map((r) => r.id);
}

/**
 * Writes what the group's units queued, batch by batch in till order: every sale, then every ledger entry, in
 * one statement each. An entry id already stored is a replay and changes nothing; an entry whose natural id
 * another effective entry holds (two tills granted it, or two pushes of the group) is kept but moves no
 * balance, and is flagged. Only then are the facts handed to members.ts, in the order the units produced them.
 */
async function flushWrites(q: Query, batches: readonly Batch[]): Promise<void> {
  const sales = batches.flatMap((b) => b.writes.sales.map((r) => ({ b, ...r })));
  if (sales.length > 0) {
    await q(
      `INSERT INTO sales (id, till_id, store_id, member_id, till_seq, till_time, total_minor, currency, body, epoch, effects, check_status)
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(id text, till_id text, store_id text, member_id text,
                       till_seq bigint, till_time timestamptz, total_minor bigint, currency text, body jsonb, epoch text,
                       effects jsonb, check_status text)
       ON CONFLICT (id) DO NOTHING`,
      [
        JSON.stringify(
          sales.map((r) => ({
            id: r.sale.id,
            till_id: r.sale.tillId,
            store_id: r.sale.body.storeId,
            member_id: r.sale.body.memberId,
            till_seq: r.sale.tillSeq,
            till_time: r.sale.at,
            total_minor: r.sale.body.totalMinor,
            currency: r.sale.body.currency,
            body: r.sale.body,
            epoch: r.b.epoch,
            effects: r.effects,
            check_status: r.status,
          })),
        ),
      ],
    );
  }
  const entries = batches.flatMap((b) => b.writes.entries.map((e) => ({ b, e })));
  const effective = new Set(await insertEntries(q, entries, true));
  const others = entries.filter(({ e }) => !effective.has(e.id));
  if (others.length > 0) {
    const stored = new Set(
      (
        await q<{ id: string }>('SELECT id FROM ledger_entries WHERE id = ANY($1::text[])', [
          others.map(({ e }) => e.id),
        ])
      ).map((r) => r.id),
    );
    const collapsed = others.filter(({ e }) => !stored.has(e.id));
    await insertEntries(q, collapsed, false);
    for (const { b, e } of collapsed) {
      await flag(q, 'natural-id-duplicate', e.body.memberId, b.till.tillId, e.id, { naturalId: e.body.naturalId });
      b.touched.add(e.body.memberId);
    }
  }
  for (const b of batches) {
    for (const item of b.writes.order) if (item.entryId === null || effective.has(item.entryId)) addFact(b, item.fact);
    b.writes = { sales: [], entries: [], order: [] };
  }
}

function applyEntries(b: Batch, entries: readonly EntryDoc[]): void {
  for (const e of entries) queueEntry(b, { ...e, epoch: b.epoch });
}

/** Server-written entries for what the program gives a sale (its re-check disagreed with the till). */
function bookServerEntries(b: Batch, sale: SaleDoc, entries: readonly LedgerEntryBody[]): void {
  for (const body of entries) {
    const reason = `Server re-check of sale ${sale.id}: ${body.reason}`.slice(0, 500);
    queueEntry(b, { id: nextId(), tillSeq: 0, at: sale.at, epoch: 'server', body: { ...body, reason } });
  }
}

async function takeSale(q: Query, b: Batch, sale: SaleDoc, entries: EntryDoc[], strays: EntryDoc[]): Promise<void> {
  const broken = saleViolation(sale);
  if (broken) {
    queueSale(b, sale, null, `parked:${broken.code}`);
    await park(q, b, sale, broken);
    for (const e of [...entries, ...strays]) await park(q, b, e, broken);
    return;
  }
  for (const e of strays) {
    await park(q, b, e, {
      code: 'ENTRY_SALE_MISMATCH',
      reason: `The entry follows sale ${sale.id} but the sale does not list it`,
    });
  }
  const memberId = sale.body.memberId;
  if (!memberId) {
    queueSale(b, sale, null, 'anonymous');
    return;
  }
  const known = await memberRow(q, b, memberId);
  if (!known) {
    const v = { code: 'UNKNOWN_MEMBER', reason: `No member ${memberId} on the server` };
    queueSale(b, sale, null, `parked:${v.code}`);
    for (const e of [sale, ...entries]) await park(q, b, e, v);
    return;
  }
  const household = memberStateSchema.parse(known.state).householdId;
  const account = household && household !== memberId ? household : memberId;
  const fine: EntryDoc[] = [];
  for (const e of entries) {
    const v = entryViolation(e, sale, account);
    if (v) await park(q, b, e, v);
    else fine.push(e);
  }
  if (sale.body.entryIds.length !== entries.length) {
    await flag(q, 'sale-entries-missing', memberId, b.till.tillId, sale.id, {
      listed: sale.body.entryIds.length,
      received: entries.length,
    });
  }

  let outcome: { ok: boolean; reason?: string; entries: LedgerEntryBody[]; effects: MemberEffectsBody | null } = {
    ok: true,
    entries: [],
    effects: sale.body.effects,
  };
  let status = 'unchecked';
  if (b.opts.recheck) {
    const named = await loadProgram(q, b, sale.body.programId, sale.body.programVersion);
    const program = named ?? (await loadProgram(q, b, sale.body.programId, null));
    const rebuilt = program ? await reconstructView(q, b, sale) : null;
    if (!program || !rebuilt) {
      await flag(q, 'sale-unverifiable', memberId, b.till.tillId, sale.id, {
        reason: program ? 'member state not found' : `program ${sale.body.programId} unknown`,
      });
    } else {
      if (!named || !rebuilt.exact) {
        await flag(q, 'sale-checked-approximately', memberId, b.till.tillId, sale.id, {
          programVersion: named ? sale.body.programVersion : 'unknown, current used',
          memberSeq: rebuilt.exact ? sale.body.memberSeq : 'unknown, current used',
        });
      }
      outcome = recheckSale({ program, view: rebuilt.view, sale, entries: fine, timeZone: b.store.time_zone });
      status = outcome.ok ? 'verified' : 'corrected';
      if (!outcome.ok) {
        const reason = `Re-check: ${outcome.reason ?? 'mismatch'}`;
        await flag(q, 'sale-recheck-mismatch', memberId, b.till.tillId, sale.id, { reason });
        for (const e of fine) await park(q, b, e, { code: 'RECHECK_MISMATCH', reason });
        fine.length = 0;
        if (program.serverCheck === 'flag') {
          outcome = { ...outcome, entries: [], effects: null };
          status = 'flagged';
        }
      }
    }
  }
  const effects = outcome.ok ? sale.body.effects : outcome.effects;
  queueSale(b, sale, effects, status);
  const fact = saleFact({ ...sale, body: { ...sale.body, effects } });
  if (fact) b.writes.order.push({ fact, entryId: null });
  applyEntries(b, fine);
  if (!outcome.ok) bookServerEntries(b, sale, outcome.entries);
  if (sale.body.offline && (effects?.redeemedPoints ?? 0) > 0) b.offlineRedeemers.add(memberId);
}

/** A grant written outside a sale (sign-up, confirmed e-mail, review): the program must give exactly it. */
async function takeLoneEntry(q: Query, b: Batch, e: EntryDoc): Promise<void> {
  const v = entryViolation(e, null, null);
  if (v) return park(q, b, e, v);
  const row = await memberRow(q, b, e.body.memberId);
  if (!row) return park(q, b, e, { code: 'UNKNOWN_MEMBER', reason: `No member ${e.body.memberId} on the server` });
  const program = await loadProgram(q, b, b.store.program_id, null);
  const kind = e.body.naturalId!.split(':')[0] as 'signup' | 'email-confirmed' | 'review';
  const reviewId = kind === 'review' ? e.body.naturalId!.split(':')[2] : undefined;
  const expected = program
    ? grantBonus({
        program,
        memberId: e.body.memberId,
        state: { ...memberStateSchema.parse(row.state), grants: [] },
        kind,
        ...(reviewId === undefined ? {} : { reviewId }),
      })
    : null;
  if (b.opts.recheck && (!expected || expected.points !== e.body.points || expected.naturalId !== e.body.naturalId)) {
    return park(q, b, e, {
      code: 'BONUS_NOT_IN_PROGRAM',
      reason: `The program gives ${expected ? `${expected.points} points` : 'no bonus'} for ${kind}, the till wrote ${e.body.points}`,
    });
  }
  applyEntries(b, [e]);
}

/** One batch's walk over its epoch's inbox: from its watermark, and (closing) over gaps; `watermark` is the result. */
export type Walk = {
  b: Batch;
  from: number;
  closing: boolean;
  watermark: number;
  gaps: number;
  /** Documents this push put into the inbox just now, by id: not read back. */
  inHand: Map<string, JournalDoc>;
};

type InboxRow = { k: number; id: string; doc: unknown };

/**
 * Takes each walk's waiting documents in tillSeq order: contiguously from the watermark, or — for a closed
 * epoch whose database is gone — all of them, gaps and all. A sale is taken with the entries it lists; while
 * they have not all arrived, an open epoch waits before the sale. Every walk of a group is read, prefetched
 * and written together (a few statements for the whole group); units are taken walk by walk, in order.
 */
export async function takeWaiting(q: Query, walks: readonly Walk[]): Promise<void> {
  if (walks.length === 0) return;
  const inHand = walks.flatMap((w) => [...w.inHand.keys()]);
  const rows = await q<InboxRow>(
    `SELECT w.k, i.id, CASE WHEN i.id = ANY($5::text[]) THEN NULL ELSE i.doc END AS doc
       FROM unnest($1::int[], $2::text[], $3::text[], $4::bigint[]) AS w(k, till_id, epoch, from_seq)
       JOIN journal_inbox i ON i.till_id = w.till_id AND i.epoch = w.epoch AND i.outcome IS NULL AND i.till_seq > w.from_seq
      ORDER BY w.k, i.till_seq`,
    [
      walks.map((_, k) => k),
      walks.map((w) => w.b.till.tillId),
      walks.map((w) => w.b.epoch),
      walks.map((w) => w.from),
      inHand,
    ],
  );
  // The inbox holds documents exactly as the wire schema parsed them on the way in.
  const waiting = walks.map(() => [] as JournalDoc[]);
  for (const r of rows) waiting[r.k]!.push((r.doc as JournalDoc | null) ?? walks[r.k]!.inHand.get(r.id)!);
  // The batches of a group share their member rows and versions: one read for all of them.
  await prefetchMembers(q, walks[0]!.b, waiting.flat());
  await readHistory(
    q,
    walks.map((w, k) => ({ b: w.b, docs: waiting[k]!, inHand: w.inHand })),
  );
  const taken: string[] = [];
  for (const [k, walk] of walks.entries()) {
    taken.push(...(await walkOne(q, walk, waiting[k]!)));
  }
  await flushWrites(
    q,
    walks.map((w) => w.b),
  );
  for (const walk of walks) {
    if (walk.gaps > 0)
      await flag(q, 'till-documents-lost', null, walk.b.till.tillId, walk.b.epoch, { missingTillSeqs: walk.gaps });
  }
  if (taken.length > 0) {
    await q(
      `UPDATE journal_inbox SET outcome = CASE WHEN id = ANY($2::text[]) THEN 'parked' ELSE 'applied' END
        WHERE id = ANY($1::text[])`,
      [taken, walks.flatMap((w) => w.b.parked.map((p) => p.id))],
    );
  }
}

/** One walk's units, taken in till order; returns the ids taken (applied or parked). */
async function walkOne(q: Query, walk: Walk, docs: readonly JournalDoc[]): Promise<string[]> {
  const { b, from, closing } = walk;
  let watermark = from;
  let i = 0;
  const taken: string[] = [];
  let gaps = 0;
  while (i < docs.length) {
    const doc = docs[i]!;
    if (doc.tillSeq !== watermark + 1) {
      if (!closing) break;
      gaps += doc.tillSeq - watermark - 1;
    }
    if (doc.kind === 'event') {
      await takeEvent(q, b, doc);
      taken.push(doc.id);
      watermark = doc.tillSeq;
      i++;
      continue;
    }
    if (doc.kind === 'entry') {
      if (doc.body.saleId !== null) {
        await park(q, b, doc, {
          code: 'ENTRY_SALE_MISMATCH',
          reason: `The entry names sale ${doc.body.saleId}, which did not list it before it`,
        });
      } else await takeLoneEntry(q, b, doc);
      taken.push(doc.id);
      watermark = doc.tillSeq;
      i++;
      continue;
    }
    // A sale and the entries it lists, which the till wrote right after it.
    const listed = new Set(doc.body.entryIds);
    const unit: EntryDoc[] = [];
    const strays: EntryDoc[] = [];
    let j = i + 1;
    let last = doc.tillSeq;
    while (unit.length < listed.size && j < docs.length && docs[j]!.tillSeq === last + 1) {
      const next = docs[j]!;
      if (next.kind !== 'entry' || next.body.saleId !== doc.id) break;
      if (listed.has(next.id)) unit.push(next);
      else strays.push(next);
      last = next.tillSeq;
      j++;
    }
    const complete = unit.length === listed.size;
    if (!complete && !closing && j >= docs.length) break; // the rest of the sale is still on its way
    await takeSale(q, b, doc, unit, strays);
    taken.push(doc.id, ...unit.map((e) => e.id), ...strays.map((e) => e.id));
    watermark = last;
    i = j;
  }
  walk.watermark = watermark;
  walk.gaps = gaps;
  return taken;
}
