/**
 * Taking a till's waiting documents in till order: a sale with its entries (rule checks, re-check,
 * what is applied and what is parked), a grant outside a sale, and the walk over the inbox that
 * moves the watermark. Writes sales and ledger entries; facts go to the batch for members.ts.
 */
import { monotonicFactory } from 'ulid';
import {
  type EntryDoc,
  type EventDoc,
  type JournalDoc,
  type LedgerEntryBody,
  type MemberEffectsBody,
  type SaleDoc,
} from '../../shared/documents';
import { saleFact } from '../../shared/ledger';
import { grantBonus, withWalletEffects } from '../../shared/engine';
import type { Query } from '../db';
import { entryViolation, saleViolation, tillAdjustViolation } from './rules';
import { isAdjustApproval } from '../../shared/staff/points-adjust';
import { canonicalJson, recheckSale, withLineStamps, type RecheckOutcome } from './recheck';
import { takeCoupons } from './coupons';
import { giftCardPrefix, lockGiftCards, parkGiftCards, takeGiftCards } from './gift-cards';
import {
  addFact,
  flag,
  loadProgram,
  memberRow,
  parsedState,
  park,
  pendingPoints,
  prefetch,
  queueEntry,
  type Batch,
  type EntryRow,
  type Store,
} from './batch';
import { takeHouseholdJoin } from './household';
import { takeCardReplace } from './card-replace';
import { takeProfileEdit } from './profile';
import { reconstructView } from './views';
import { takeEnrolment } from './enrolment';
import { takeEvent } from './events';
import { checkReturn, loadOriginals, rememberSale } from './returns';
import { entryKeys } from '../../shared/returns';

const nextId = monotonicFactory();

/** Queues a sale row; `flushWrites` inserts the push's sales in one statement. */
function queueSale(b: Batch, s: SaleDoc, effects: MemberEffectsBody | null, status: string, corrected = false): void {
  b.writes.sales.push({ sale: s, effects, status, ...(corrected ? { lines: s.body.lines } : {}) });
}

const ENTRY_COLUMNS =
  '(id, member_id, till_id, sale_id, type, points, reason, natural_id, rule_id, till_seq, till_time, epoch, effective)';

type QueuedEntry = { b: Batch; e: EntryRow };

/**
 * The INSERT of ledger entries from a JSON array parameter (`entriesJson`), as effective or not, in the
 * array's order (an entry before another with the same natural id wins); returns the ids stored now.
 */
function insertEntriesSql(param: string, effective: 'true' | 'false'): string {
  return `INSERT INTO ledger_entries ${ENTRY_COLUMNS}
     SELECT id, member_id, till_id, sale_id, type, points, reason, natural_id, rule_id, till_seq, till_time, epoch, ${effective}
       FROM jsonb_array_elements(${param}::jsonb) WITH ORDINALITY AS a(e, n),
            LATERAL jsonb_to_record(a.e) AS r(id text, member_id text, till_id text, sale_id text, type text,
              points bigint, reason text, natural_id text, rule_id text, till_seq bigint, till_time timestamptz,
              epoch text)
      ORDER BY a.n
     ON CONFLICT DO NOTHING RETURNING id`;
}

/** One JSON array parameter: PostgreSQL types the fields; nothing is escaped row by row. */
function entriesJson(rows: readonly QueuedEntry[]): string {
  return JSON.stringify(
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
  );
}

/**
 * Writes what the group's units queued, in one statement: the group's new documents into the inbox with their
 * outcome (applied, parked, or none yet: still waiting for one before it), the outcome of the waiting ones it
 * took, every sale, every ledger entry (batch by batch in till order), and each walk's watermark (a closing
 * walk closes its epoch). An inbox row is written once when its document is taken in the push that brought
 * it: a busy chain's rows are never rewritten. A document id or tillSeq another transaction stored meanwhile
 * fails the statement (the group is retried push by push, and the replay is then seen as one). An entry id
 * already stored is a replay and changes nothing; an entry whose natural id another effective entry holds (two
 * tills granted it, or two pushes of the group) is kept but moves no balance, and is flagged. Only then are the
 * facts handed to members.ts, in the order the units produced them.
 */
async function flushWrites(q: Query, walks: readonly Walk[], taken: readonly string[]): Promise<void> {
  const batches = walks.map((w) => w.b);
  const sales = batches.flatMap((b) => b.writes.sales);
  const entries = batches.flatMap((b) => b.writes.entries.map((e) => ({ b, e })));
  const moved = walks.filter((w) => w.closing || w.watermark !== w.from);
  const parked = new Set(batches.flatMap((b) => b.parked.map((p) => p.id)));
  const done = new Set(taken);
  const arrived = walks.flatMap((w) =>
    [...w.inHand.values()].map((doc) => ({
      till_id: w.b.till.tillId,
      epoch: w.b.epoch,
      doc,
      outcome: done.has(doc.id) ? (parked.has(doc.id) ? 'parked' : 'applied') : null,
    })),
  );
  // A sale's body comes from its inbox row (written now, or waiting since an earlier push): only what the server
  // decided goes over the wire again.
  const inserted = await q<{ id: string }>(
    `WITH arrived AS (
       INSERT INTO journal_inbox (id, till_id, epoch, till_seq, kind, member_id, doc, outcome)
       SELECT r.doc->>'id', r.till_id, r.epoch, (r.doc->>'tillSeq')::bigint, r.doc->>'kind', r.doc->>'memberId', r.doc,
              r.outcome
         FROM jsonb_to_recordset($6::jsonb) AS r(till_id text, epoch text, doc jsonb, outcome text)
       RETURNING id, till_id, epoch, till_seq, doc),
     source AS (
       SELECT id, till_id, epoch, till_seq, doc FROM arrived
       UNION ALL
       SELECT id, till_id, epoch, till_seq, doc FROM journal_inbox WHERE id = ANY($3::text[]) AND outcome IS NULL),
     sale AS (
       INSERT INTO sales (id, till_id, store_id, member_id, till_seq, till_time, total_minor, currency, body, epoch,
                          effects, check_status)
       SELECT i.id, i.till_id, i.doc->'body'->>'storeId', i.doc->'body'->>'memberId', i.till_seq, (i.doc->>'at')::timestamptz,
              (i.doc->'body'->>'totalMinor')::bigint, i.doc->'body'->>'currency',
              CASE WHEN r.lines IS NULL THEN i.doc->'body' ELSE jsonb_set(i.doc->'body', '{lines}', r.lines) END,
              i.epoch, r.effects, r.check_status
         FROM jsonb_to_recordset($1::jsonb) AS r(id text, effects jsonb, check_status text, lines jsonb)
         JOIN source i ON i.id = r.id
       ON CONFLICT (id) DO NOTHING),
     outcome AS (
       UPDATE journal_inbox SET outcome = CASE WHEN id = ANY($4::text[]) THEN 'parked' ELSE 'applied' END
        WHERE id = ANY($3::text[]) AND outcome IS NULL),
     watermark AS (
       UPDATE till_epochs SET acked_till_seq = w.acked,
              status = CASE WHEN w.close THEN 'closed' ELSE till_epochs.status END,
              closed_at = CASE WHEN w.close THEN now() ELSE till_epochs.closed_at END
         FROM jsonb_to_recordset($5::jsonb) AS w(till_id text, epoch text, acked bigint, close boolean)
        WHERE till_epochs.till_id = w.till_id AND till_epochs.epoch = w.epoch)
     ${insertEntriesSql('$2', 'true')}`,
    [
      JSON.stringify(
        sales.map((r) => ({ id: r.sale.id, effects: r.effects, check_status: r.status, lines: r.lines ?? null })),
      ),
      entriesJson(entries),
      taken,
      [...parked],
      JSON.stringify(
        moved.map((w) => ({ till_id: w.b.till.tillId, epoch: w.b.epoch, acked: w.watermark, close: w.closing })),
      ),
      JSON.stringify(arrived),
    ],
  );
  const effective = new Set(inserted.map((r) => r.id));
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
    if (collapsed.length > 0) await q(insertEntriesSql('$1', 'false'), [entriesJson(collapsed)]);
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
  const broken = saleViolation(sale, { giftCardPrefix: await giftCardPrefix(q, b, sale) });
  if (broken) {
    queueSale(b, sale, null, `parked:${broken.code}`);
    await park(q, b, sale, broken);
    for (const e of [...entries, ...strays]) await park(q, b, e, broken);
    await parkGiftCards(q, b, sale, broken);
    return;
  }
  for (const e of strays) {
    await park(q, b, e, {
      code: 'ENTRY_SALE_MISMATCH',
      reason: `The entry follows sale ${sale.id} but the sale does not list it`,
    });
  }
  if (sale.body.refundOf !== null) return takeReturn(q, b, sale, entries);
  rememberSale(b.returns, sale);
  const memberId = sale.body.memberId;
  if (!memberId) {
    await takeCoupons(q, b, sale);
    await takeGiftCards(q, b, sale);
    queueSale(b, sale, null, 'anonymous');
    return;
  }
  const known = await memberRow(q, b, memberId);
  if (!known) {
    const v = { code: 'UNKNOWN_MEMBER', reason: `No member ${memberId} on the server` };
    queueSale(b, sale, null, `parked:${v.code}`);
    for (const e of [sale, ...entries]) await park(q, b, e, v);
    await parkGiftCards(q, b, sale, v);
    return;
  }
  // A sale that is stored uses its coupons and moves its gift cards (a parked one above does neither).
  const batchCodes = await takeCoupons(q, b, sale);
  await takeGiftCards(q, b, sale);
  const household = parsedState(known.state).householdId;
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

  // Unchecked until the re-check runs: the till's effects stand as sent.
  let outcome: RecheckOutcome | { ok: true; entries: LedgerEntryBody[]; effects: MemberEffectsBody | null } = {
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
      outcome = recheckSale({
        program,
        view: rebuilt.view,
        sale,
        entries: fine,
        timeZone: b.store.time_zone,
        batchCodes,
      });
      status = outcome.ok ? 'verified' : 'corrected';
      if (!outcome.ok) {
        const reason = `Re-check: ${outcome.reason}`;
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
  // A corrected sale is kept with the program's stamps on its lines (none when the sale is only flagged).
  const kept = outcome.ok ? sale : withLineStamps(sale, effects ? outcome.lineStamps : {});
  if (kept !== sale) rememberSale(b.returns, kept, { replace: true });
  queueSale(b, kept, effects, status, kept !== sale);
  const fact = saleFact({ ...sale, body: { ...sale.body, effects } });
  if (fact) b.writes.order.push({ fact, entryId: null });
  applyEntries(b, fine);
  if (!outcome.ok) bookServerEntries(b, sale, outcome.entries);
  if (sale.body.offline && (effects?.redeemedPoints ?? 0) > 0) b.offlineRedeemers.add(memberId);
}

/**
 * A return: checked against its original sale and the returns taken before it (returns.ts). One that breaks a
 * rule is stored and parked whole, with a flag; one whose entries differ from what the sale gives back has its
 * entries parked and the server's booked instead.
 */
async function takeReturn(q: Query, b: Batch, sale: SaleDoc, entries: EntryDoc[]): Promise<void> {
  const checked = checkReturn(b.returns, sale);
  const memberId = sale.body.memberId;
  if (!checked.ok) {
    const v = checked.violation;
    queueSale(b, sale, null, `parked:${v.code}`);
    await flag(q, 'return-parked', memberId, b.till.tillId, sale.id, {
      code: v.code,
      reason: v.reason,
      refundOf: sale.body.refundOf,
    });
    for (const d of [sale, ...entries]) await park(q, b, d, v);
    await parkGiftCards(q, b, sale, v);
    return;
  }
  const known = memberId ? await memberRow(q, b, memberId) : null;
  if (memberId && !known) {
    const v = { code: 'UNKNOWN_MEMBER', reason: `No member ${memberId} on the server` };
    queueSale(b, sale, null, `parked:${v.code}`);
    for (const d of [sale, ...entries]) await park(q, b, d, v);
    await parkGiftCards(q, b, sale, v);
    return;
  }
  rememberSale(b.returns, sale);
  // What the return gives back to gift cards goes back on them.
  await takeGiftCards(q, b, sale);
  const household = known ? parsedState(known.state).householdId : null;
  const account = household && household !== memberId ? household : memberId;
  const fine: EntryDoc[] = [];
  for (const e of entries) {
    const v = entryViolation(e, sale, account);
    if (v) await park(q, b, e, v);
    else fine.push(e);
  }
  const expected = checked.built.refund.entries;
  const agrees = entryKeys(fine.map((e) => e.body)).join('\n') === entryKeys(expected).join('\n');
  // The stamps a return takes back are the server's own reckoning from the stored sale, whatever the till sent.
  const effects = memberId ? withWalletEffects(checked.built.effects, sale.body) : null;
  const effectsAgree = canonicalJson(sale.body.effects) === canonicalJson(effects);
  queueSale(b, sale, effects, agrees && effectsAgree ? 'return-verified' : 'return-corrected');
  const fact = saleFact({ ...sale, body: { ...sale.body, effects } });
  if (fact) b.writes.order.push({ fact, entryId: null });
  if (!effectsAgree) {
    await flag(q, 'return-recheck-mismatch', memberId, b.till.tillId, sale.id, {
      reason: 'Return re-check: the till takes back other stamps than the sale gave, or moves the wallet otherwise',
    });
  }
  if (agrees) {
    applyEntries(b, fine);
    return;
  }
  const reason = `Return re-check: the sale gives back ${expected.reduce((s, e) => s + e.points, 0)} points, the till wrote ${fine.reduce((s, e) => s + e.body.points, 0)}`;
  await flag(q, 'return-recheck-mismatch', memberId, b.till.tillId, sale.id, { reason });
  for (const e of fine) await park(q, b, e, { code: 'RECHECK_MISMATCH', reason });
  bookServerEntries(b, sale, expected);
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
        state: { ...parsedState(row.state), grants: [] },
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

/**
 * A points adjustment made at the till, right after its approval: applied when a supervisor of the store
 * approved exactly it and it leaves the account at zero or above; otherwise parked (and an overdraft flagged).
 */
async function takeTillAdjust(q: Query, b: Batch, e: EntryDoc, approval: EventDoc, approved: boolean) {
  if (!approved)
    return park(q, b, e, { code: 'ADJUST_NOT_APPROVED', reason: 'The approval of this adjustment was parked' });
  const v = tillAdjustViolation(e, approval);
  if (v) return park(q, b, e, v);
  const row = await memberRow(q, b, e.body.memberId);
  if (!row) return park(q, b, e, { code: 'UNKNOWN_MEMBER', reason: `No member ${e.body.memberId} on the server` });
  const balance = parsedState(row.state).balance + pendingPoints(b, e.body.memberId);
  if (balance + e.body.points < 0) {
    const reason = `The member has ${balance} points; ${e.body.points} would go below zero`;
    await flag(q, 'adjust-overdraft', e.body.memberId, b.till.tillId, e.id, { reason });
    return park(q, b, e, { code: 'NOT_ENOUGH_POINTS', reason });
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
  /** The new documents this push brought, by id: in hand, written to the inbox with their outcome at the end. */
  inHand: Map<string, JournalDoc>;
};

/**
 * Takes each walk's waiting documents (`waiting[k]`, in tillSeq order) in order: contiguously from the
 * watermark, or — for a closed epoch whose database is gone — all of them, gaps and all. A sale is taken with
 * the entries it lists; while they have not all arrived, an open epoch waits before the sale. What every walk
 * of a group needs is read ahead together and what they write goes in one statement (`flushWrites`, which
 * also moves each walk's watermark); units are taken walk by walk, in order.
 */
export async function takeWaiting(
  q: Query,
  walks: readonly Walk[],
  waiting: ReadonlyArray<readonly JournalDoc[]>,
  stores: readonly Store[],
): Promise<void> {
  if (walks.length === 0) return;
  // The batches of a group share their member rows, versions and programs: one read for all of them.
  await prefetch(
    q,
    walks[0]!.b,
    walks.map((w, k) => ({ epoch: w.b.epoch, docs: waiting[k]! })),
    stores,
  );
  // Returned sales are locked before their returns are read: a return on another till waits for this group.
  const sales = waiting.flat().filter((d): d is SaleDoc => d.kind === 'sale');
  await loadOriginals(q, walks[0]!.b.returns, sales);
  // Then the gift cards the sales move, all at once and in order (after the originals, as every group does).
  await lockGiftCards(q, walks[0]!.b, sales);
  walks.forEach((w, k) => (w.b.walk = { from: w.from, docs: waiting[k]! }));
  const taken: string[] = [];
  for (const [k, walk] of walks.entries()) {
    taken.push(...(await walkOne(q, walk, waiting[k]!)));
  }
  for (const walk of walks) {
    if (walk.gaps > 0)
      await flag(q, 'till-documents-lost', null, walk.b.till.tillId, walk.b.epoch, { missingTillSeqs: walk.gaps });
  }
  await flushWrites(q, walks, taken);
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
    if (doc.kind === 'event' && isAdjustApproval(doc)) {
      // A points adjustment: the approval and the entry it names, taken together.
      const next = docs[i + 1];
      if (!next && !closing) break; // its entry is still on its way
      const entry =
        next?.kind === 'entry' && next.tillSeq === doc.tillSeq + 1 && next.id === doc.body.details.entryId
          ? next
          : null;
      const approved = await takeEvent(q, b, doc);
      taken.push(doc.id);
      watermark = doc.tillSeq;
      i++;
      if (entry) {
        await takeTillAdjust(q, b, entry, doc, approved);
        taken.push(entry.id);
        watermark = entry.tillSeq;
        i++;
      }
      continue;
    }
    if (doc.kind === 'member' && doc.body.type === 'household-join') {
      // A household join and the transfer entries that follow it (none when it moved no points).
      const wanted = doc.body.points === 0 ? 0 : 2;
      const transfers: EntryDoc[] = [];
      for (let j = i + 1; transfers.length < wanted && j < docs.length; j++) {
        const next = docs[j]!;
        if (next.tillSeq !== doc.tillSeq + transfers.length + 1 || next.kind !== 'entry') break;
        if (next.body.type !== 'transfer' || next.body.saleId !== null) break;
        transfers.push(next);
      }
      if (transfers.length < wanted && !closing && i + 1 + transfers.length >= docs.length) break; // still on its way
      await takeHouseholdJoin(q, b, doc, doc.body, transfers);
      taken.push(doc.id, ...transfers.map((e) => e.id));
      watermark = transfers.at(-1)?.tillSeq ?? doc.tillSeq;
      i += 1 + transfers.length;
      continue;
    }
    if (doc.kind === 'member') {
      if (doc.body.type === 'enrol') await takeEnrolment(q, b, doc, doc.body);
      else if (doc.body.type === 'card-replace') await takeCardReplace(q, b, doc, doc.body);
      else if (doc.body.type === 'profile-edit') await takeProfileEdit(q, b, doc, doc.body);
      taken.push(doc.id);
      watermark = doc.tillSeq;
      i++;
      continue;
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
