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
 * - Members are locked in id order (no deadlocks); their seqs are stamped last.
 */
import { monotonicFactory } from 'ulid';
import { KassaError } from '../../shared/errors';
import {
  type EntryDoc,
  type JournalDoc,
  type LedgerEntryBody,
  type MemberEffectsBody,
  type SaleDoc,
} from '../../shared/documents';
import { programSchema, type Program } from '../../shared/engine';
import { memberStateSchema, type MemberState } from '../../shared/engine/member-state';
import {
  entryFact,
  factsFromJournal,
  memberView,
  project,
  saleFact,
  validStampBuckets,
  type LedgerFact,
  type MemberView,
} from '../../shared/ledger';
import { grantBonus } from '../../shared/engine';
import { localDate } from '../../shared/engine/time';
import type { PushRequest } from '../../shared/replication';
import type { Db, Query } from '../db';
import type { TillIdentity } from '../auth';
import { stampSeq } from '../seq';
import { entryViolation, saleViolation, type RuleViolation } from './rules';
import { recheckSale } from './recheck';

export type ParkedDoc = { id: string; code: string; reason: string };
export type IngestResult = { accepted: number; duplicates: number; ackedTillSeq: number; parked: ParkedDoc[] };
export type IngestOptions = { recheck: boolean };

const nextId = monotonicFactory();
/** A till clock further off than this is flagged (the offset is kept either way). */
const CLOCK_SKEW_FLAG_MS = 5 * 60_000;

type Store = { id: string; currency: string; time_zone: string; program_id: string };

export function checkOwnership(till: TillIdentity, docs: readonly JournalDoc[]): void {
  for (const doc of docs) {
    if (doc.tillId !== till.tillId || (doc.kind === 'sale' && doc.body.storeId !== till.storeId)) {
      throw new KassaError('FORBIDDEN_STORE', `Document ${doc.id} belongs to another till or store`);
    }
  }
}

function flag(q: Query, kind: string, memberId: string | null, tillId: string, refId: string, detail: object) {
  return q('INSERT INTO review_flags (kind, member_id, till_id, ref_id, detail) VALUES ($1, $2, $3, $4, $5)', [
    kind,
    memberId,
    tillId,
    refId,
    JSON.stringify(detail),
  ]);
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

/** Everything a push changes, collected while its units are taken, written at the end. */
type Batch = {
  till: TillIdentity;
  epoch: string;
  store: Store;
  opts: IngestOptions;
  facts: Map<string, LedgerFact[]>;
  touched: Set<string>;
  parked: ParkedDoc[];
  /** Members whose sale in this batch redeemed while offline (for the merged cap check). */
  offlineRedeemers: Set<string>;
  programs: Map<string, Program | null>;
};

function addFact(b: Batch, fact: LedgerFact): void {
  b.facts.set(fact.memberId, [...(b.facts.get(fact.memberId) ?? []), fact]);
  b.touched.add(fact.memberId);
}

async function park(q: Query, b: Batch, doc: JournalDoc, v: RuleViolation): Promise<void> {
  await q(
    `INSERT INTO parked_docs (doc_id, till_id, epoch, till_seq, code, reason, doc) VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (doc_id, till_seq) DO NOTHING`,
    [doc.id, b.till.tillId, b.epoch, doc.tillSeq, v.code, v.reason, JSON.stringify(doc)],
  );
  b.parked.push({ id: doc.id, code: v.code, reason: v.reason });
  if (doc.memberId) b.touched.add(doc.memberId);
  if (doc.kind === 'entry') b.touched.add(doc.body.memberId);
}

async function loadProgram(q: Query, b: Batch, id: string, version: number | null): Promise<Program | null> {
  const key = `${id}@${version ?? 'current'}`;
  if (b.programs.has(key)) return b.programs.get(key)!;
  const rows =
    version === null
      ? await q<{ data: unknown }>("SELECT data FROM refdata WHERE id = 'program:' || $1", [id])
      : await q<{ data: unknown }>('SELECT data FROM program_versions WHERE id = $1 AND version = $2', [id, version]);
  const parsed = rows[0] ? programSchema.safeParse(rows[0].data) : null;
  const program = parsed?.success ? parsed.data : null;
  b.programs.set(key, program);
  return program;
}

type MemberRow = { id: string; state: unknown; till_marks: Record<string, number> };

/** The member version a sale names, or (flagged by the caller) the current member when that version is unknown. */
async function memberAt(
  q: Query,
  memberId: string,
  seq: number | null,
): Promise<{ row: MemberRow; exact: boolean } | null> {
  if (seq !== null) {
    const [v] = await q<{ state: unknown; till_marks: Record<string, number> }>(
      'SELECT state, till_marks FROM member_versions WHERE member_id = $1 AND seq = $2',
      [memberId, seq],
    );
    if (v) return { row: { id: memberId, ...v }, exact: true };
  }
  const [row] = await q<MemberRow>('SELECT id, state, till_marks FROM members WHERE id = $1 AND NOT deleted', [
    memberId,
  ]);
  return row ? { row, exact: false } : null;
}

/**
 * A till's views of members, rebuilt once and carried forward: (epoch, member, version) → the state
 * through a tillSeq. Member versions and inbox documents never change, so an entry stays true; a miss
 * (another server node, an evicted entry) only costs the full read. Bounded; oldest entries go first.
 */
const viewCache = new Map<string, { state: MemberState; through: number }>();
const VIEW_CACHE_SIZE = 20_000;

function rememberView(key: string, value: { state: MemberState; through: number }): void {
  viewCache.delete(key);
  viewCache.set(key, value);
  if (viewCache.size > VIEW_CACHE_SIZE) viewCache.delete(viewCache.keys().next().value!);
}

/** One member's state as this till saw it just before `beforeSeq`: its version plus this epoch's own journal. */
async function tillSideState(
  q: Query,
  b: Batch,
  memberId: string,
  seq: number | null,
  beforeSeq: number,
): Promise<{ state: MemberState; exact: boolean } | null> {
  const key = seq === null ? null : `${b.epoch}|${memberId}|${seq}`;
  const cached = key ? viewCache.get(key) : undefined;
  let base: MemberState;
  let from: number;
  let exact = true;
  if (cached && cached.through < beforeSeq) {
    base = cached.state;
    from = cached.through;
  } else {
    const found = await memberAt(q, memberId, seq);
    if (!found) return null;
    base = memberStateSchema.parse(found.row.state);
    from = found.row.till_marks[b.epoch] ?? 0;
    exact = found.exact;
  }
  const rows = await q<{ doc: unknown }>(
    `SELECT doc FROM journal_inbox WHERE till_id = $1 AND epoch = $2 AND member_id = $3
       AND till_seq > $4 AND till_seq < $5 ORDER BY till_seq`,
    [b.till.tillId, b.epoch, memberId, from, beforeSeq],
  );
  // The inbox holds documents exactly as the wire schema parsed them on the way in.
  const facts = factsFromJournal(rows.map((r) => r.doc as JournalDoc)).filter((f) => f.memberId === memberId);
  const state = project(base, facts, { timeZone: b.store.time_zone });
  if (key && exact) rememberView(key, { state, through: beforeSeq - 1 });
  return { state, exact };
}

/**
 * The member as this till saw it when it quoted `sale`: the version it names, plus this till
 * database's own journal between that version's mark and the sale, through the shared projection.
 */
async function reconstructView(
  q: Query,
  b: Batch,
  sale: SaleDoc,
): Promise<{ view: MemberView; exact: boolean } | null> {
  const memberId = sale.body.memberId!;
  const member = await tillSideState(q, b, memberId, sale.body.memberSeq, sale.tillSeq);
  if (!member) return null;
  const household = member.state.householdId;
  const account =
    household && household !== memberId
      ? await tillSideState(q, b, household, sale.body.accountSeq, sale.tillSeq)
      : null;
  const view = memberView({
    member: { id: memberId, state: member.state },
    account: account && household ? { id: household, state: account.state } : null,
    pending: [],
    ctx: { timeZone: b.store.time_zone },
  });
  return { view, exact: member.exact && (account?.exact ?? true) };
}

/** Inserts a ledger entry; a natural id another entry already holds is kept but not effective (and flagged). */
async function insertEntry(
  q: Query,
  b: Batch,
  e: { id: string; tillSeq: number; at: string; epoch: string; body: LedgerEntryBody },
): Promise<boolean> {
  const values = [
    e.id,
    e.body.memberId,
    b.till.tillId,
    e.body.saleId,
    e.body.type,
    e.body.points,
    e.body.reason,
    e.body.naturalId,
    e.body.ruleId,
    e.tillSeq,
    e.at,
    e.epoch,
  ];
  const cols =
    '(id, member_id, till_id, sale_id, type, points, reason, natural_id, rule_id, till_seq, till_time, epoch, effective)';
  const inserted = await q(
    `INSERT INTO ledger_entries ${cols} VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,true)
     ON CONFLICT DO NOTHING RETURNING id`,
    values,
  );
  if (inserted.length > 0) return true;
  const existing = await q('SELECT 1 FROM ledger_entries WHERE id = $1', [e.id]);
  if (existing.length > 0) return false;
  // Same natural id as an entry already counted (two tills granted it): kept, but it moves no balance.
  await q(
    `INSERT INTO ledger_entries ${cols} VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,false) ON CONFLICT DO NOTHING`,
    values,
  );
  await flag(q, 'natural-id-duplicate', e.body.memberId, b.till.tillId, e.id, { naturalId: e.body.naturalId });
  b.touched.add(e.body.memberId);
  return false;
}

async function insertSale(q: Query, b: Batch, s: SaleDoc, effects: MemberEffectsBody | null, status: string) {
  await q(
    `INSERT INTO sales (id, till_id, store_id, member_id, till_seq, till_time, total_minor, currency, body, epoch, effects, check_status)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (id) DO NOTHING`,
    [
      s.id,
      s.tillId,
      s.body.storeId,
      s.body.memberId,
      s.tillSeq,
      s.at,
      s.body.totalMinor,
      s.body.currency,
      JSON.stringify(s.body),
      b.epoch,
      effects ? JSON.stringify(effects) : null,
      status,
    ],
  );
}

async function applyEntries(q: Query, b: Batch, entries: readonly EntryDoc[]): Promise<void> {
  for (const e of entries) {
    if (await insertEntry(q, b, { ...e, epoch: b.epoch })) addFact(b, entryFact(e.id, e.at, e.body));
  }
}

/** Server-written entries for what the program gives a sale (its re-check disagreed with the till). */
async function bookServerEntries(q: Query, b: Batch, sale: SaleDoc, entries: readonly LedgerEntryBody[]) {
  for (const body of entries) {
    const id = nextId();
    const reason = `Server re-check of sale ${sale.id}: ${body.reason}`.slice(0, 500);
    const e = { id, tillSeq: 0, at: sale.at, epoch: 'server', body: { ...body, reason } };
    if (await insertEntry(q, b, e)) addFact(b, entryFact(id, sale.at, e.body));
  }
}

async function takeSale(q: Query, b: Batch, sale: SaleDoc, entries: EntryDoc[], strays: EntryDoc[]): Promise<void> {
  const broken = saleViolation(sale);
  if (broken) {
    await insertSale(q, b, sale, null, `parked:${broken.code}`);
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
    await insertSale(q, b, sale, null, 'anonymous');
    return;
  }
  const [known] = await q<{ state: unknown }>('SELECT state FROM members WHERE id = $1 AND NOT deleted', [memberId]);
  if (!known) {
    const v = { code: 'UNKNOWN_MEMBER', reason: `No member ${memberId} on the server` };
    await insertSale(q, b, sale, null, `parked:${v.code}`);
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
  await insertSale(q, b, sale, effects, status);
  const fact = saleFact({ ...sale, body: { ...sale.body, effects } });
  if (fact) addFact(b, fact);
  await applyEntries(q, b, fine);
  if (!outcome.ok) await bookServerEntries(q, b, sale, outcome.entries);
  if (sale.body.offline && (effects?.redeemedPoints ?? 0) > 0) b.offlineRedeemers.add(memberId);
}

/** A grant written outside a sale (sign-up, confirmed e-mail, review): the program must give exactly it. */
async function takeLoneEntry(q: Query, b: Batch, e: EntryDoc): Promise<void> {
  const v = entryViolation(e, null, null);
  if (v) return park(q, b, e, v);
  const [row] = await q<{ state: unknown }>('SELECT state FROM members WHERE id = $1 AND NOT deleted', [
    e.body.memberId,
  ]);
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
  await applyEntries(q, b, [e]);
}

type InboxRow = { id: string; till_seq: string | number; doc: unknown };

/**
 * Takes this epoch's waiting documents in tillSeq order: contiguously from the watermark, or — for a
 * closed epoch whose database is gone — all of them, gaps and all. A sale is taken with the entries
 * it lists; while they have not all arrived, an open epoch waits before the sale.
 */
async function takeWaiting(q: Query, b: Batch, from: number, closing: boolean): Promise<number> {
  const rows = await q<InboxRow>(
    `SELECT id, till_seq, doc FROM journal_inbox
      WHERE till_id = $1 AND epoch = $2 AND outcome IS NULL AND till_seq > $3 ORDER BY till_seq`,
    [b.till.tillId, b.epoch, from],
  );
  // The inbox holds documents exactly as the wire schema parsed them on the way in.
  const docs = rows.map((r) => r.doc as JournalDoc);
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
  if (gaps > 0) await flag(q, 'till-documents-lost', null, b.till.tillId, b.epoch, { missingTillSeqs: gaps });
  if (taken.length > 0) {
    await q(
      `UPDATE journal_inbox SET outcome = CASE WHEN id = ANY($2::text[]) THEN 'parked' ELSE 'applied' END
        WHERE id = ANY($1::text[])`,
      [taken, b.parked.map((p) => p.id)],
    );
  }
  return watermark;
}

/** Writes each touched member's new state through the projection, moves its mark, flags what needs review. */
async function writeMembers(q: Query, b: Batch, watermark: number): Promise<void> {
  if (b.touched.size === 0) return;
  const ids = [...b.touched].sort();
  const rows = await q<{ id: string; state: unknown; till_marks: Record<string, number> }>(
    'SELECT id, state, till_marks FROM members WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE',
    [ids],
  );
  const program = await loadProgram(q, b, b.store.program_id, null);
  const today = localDate(new Date().toISOString(), b.store.time_zone);
  const written: string[] = [];
  for (const row of rows) {
    const before: MemberState = memberStateSchema.parse(row.state);
    const state = project(before, b.facts.get(row.id) ?? [], { timeZone: b.store.time_zone });
    const marks = { ...row.till_marks, [b.epoch]: Math.max(row.till_marks[b.epoch] ?? 0, watermark) };
    await q('UPDATE members SET state = $2, till_marks = $3 WHERE id = $1', [
      row.id,
      JSON.stringify(state),
      JSON.stringify(marks),
    ]);
    written.push(row.id);
    await reviewMember(q, b, row.id, before, state, program, today);
  }
  await stampSeq(q, 'members', written);
}

/** Overdrafts (recorded as debts, closed once earnings cover them), the merged offline cap, stamp debts, overused offers. */
async function reviewMember(
  q: Query,
  b: Batch,
  memberId: string,
  before: MemberState,
  after: MemberState,
  program: Program | null,
  today: string,
): Promise<void> {
  const till = b.till.tillId;
  if (after.balance < 0 && after.balance < before.balance) {
    const open = await q<{ id: string }>(
      "SELECT id FROM overdrafts WHERE member_id = $1 AND status = 'open' FOR UPDATE",
      [memberId],
    );
    if (open[0]) await q('UPDATE overdrafts SET points = $2 WHERE id = $1', [open[0].id, -after.balance]);
    else
      await q('INSERT INTO overdrafts (member_id, points, till_id, ref_id) VALUES ($1, $2, $3, $4)', [
        memberId,
        -after.balance,
        till,
        b.epoch,
      ]);
    await flag(q, 'negative-balance', memberId, till, memberId, { balance: after.balance });
  } else if (after.balance >= 0 && before.balance < 0) {
    await q(
      "UPDATE overdrafts SET status = 'recovered', recovered_at = now() WHERE member_id = $1 AND status = 'open'",
      [memberId],
    );
  }
  if (!program) return;
  const cap = program.offlineRedemptionCapPerDay;
  if (b.offlineRedeemers.has(memberId) && after.redeemedToday && after.redeemedToday.points > cap) {
    await flag(q, 'offline-cap-exceeded', memberId, till, memberId, {
      date: after.redeemedToday.date,
      redeemed: after.redeemedToday.points,
      cap,
    });
  }
  for (const card of program.stampCards) {
    const sum = validStampBuckets(after.stamps[card.id], today, card.windowDays).reduce((s, [, n]) => s + n, 0);
    const was = validStampBuckets(before.stamps[card.id], today, card.windowDays).reduce((s, [, n]) => s + n, 0);
    if (sum < 0 && sum < was) await flag(q, 'stamp-debt', memberId, till, card.id, { stamps: sum });
  }
  for (const offer of program.offers) {
    const uses = after.offerUses[offer.id] ?? 0;
    if (offer.maxUses !== null && uses > offer.maxUses && uses > (before.offerUses[offer.id] ?? 0))
      await flag(q, 'offer-overused', memberId, till, offer.id, { uses, maxUses: offer.maxUses });
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
): Promise<IngestResult> {
  // One push per till at a time: the till row is the lock.
  await q('SELECT id FROM tills WHERE id = $1 FOR UPDATE', [till.tillId]);
  const epochs = await q<EpochRow>(
    'SELECT epoch, status, acked_till_seq, clock_offset_ms FROM till_epochs WHERE till_id = $1',
    [till.tillId],
  );
  const batch = (epoch: string): Batch => ({
    till,
    epoch,
    store,
    opts,
    facts: new Map(),
    touched: new Set(),
    parked: [],
    offlineRedeemers: new Set(),
    programs: new Map(),
  });
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
  return { accepted: fresh.size, duplicates: known.size, ackedTillSeq: watermark, parked: b.parked };
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
  try {
    return await db.tx((q) => runIngest(q, till, store, push, docs, opts));
  } catch (err) {
    if (err instanceof KassaError) throw err;
    log(err);
    return db.tx((q) => parkWholePush(q, till, push, docs, String(err instanceof Error ? err.message : err)));
  }
}

/** The fallback of `ingestPush`: stores every new document as parked, moves the watermark past them. */
async function parkWholePush(
  q: Query,
  till: TillIdentity,
  push: PushRequest,
  docs: readonly JournalDoc[],
  message: string,
): Promise<IngestResult> {
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
  );
  return { accepted: parked.length, duplicates: docs.length - parked.length, ackedTillSeq: watermark, parked };
}

export { type RuleViolation } from './rules';
