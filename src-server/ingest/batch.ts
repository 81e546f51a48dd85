/**
 * One push being taken: what it collects (facts per member, members touched, parked documents,
 * offline redeemers) and the small writes every step needs (flags, parking, program versions).
 * Nothing here changes member state; writeMembers (members.ts) does, once, at the end.
 */

import type { JournalDoc, LedgerEntryBody, MemberEffectsBody, SaleDoc } from '../../shared/documents';
import { programSchema, type Program } from '../../shared/engine';
import { memberStateSchema, type MemberState } from '../../shared/engine/member-state';
import { entryFact, type LedgerFact } from '../../shared/ledger';
import type { Query } from '../db';
import { markSql } from '../member-marks';
import type { TillIdentity } from '../auth';
import { type RuleViolation } from './rules';
import type { ReturnBook } from './returns';
import type { GiftCardBook } from './gift-cards';

export type Store = { id: string; currency: string; time_zone: string; program_id: string };
export type ParkedDoc = { id: string; code: string; reason: string };
export type IngestOptions = { recheck: boolean };

export function flag(q: Query, kind: string, memberId: string | null, tillId: string, refId: string, detail: object) {
  return q('INSERT INTO review_flags (kind, member_id, till_id, ref_id, detail) VALUES ($1, $2, $3, $4, $5)', [
    kind,
    memberId,
    tillId,
    refId,
    JSON.stringify(detail),
  ]);
}

/** Everything a push changes, collected while its units are taken, written at the end. */
export type Batch = {
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
  /**
   * Rows the units queued, written together by take.ts before members are: sales, ledger entries, and every
   * fact in the order the units produced it (an entry's fact counts only if the entry is stored as effective).
   */
  writes: {
    /** `lines`: the sale's lines as the server corrected them (their stamps), when it did; else as sent. */
    sales: Array<{
      sale: SaleDoc;
      effects: MemberEffectsBody | null;
      status: string;
      lines?: SaleDoc['body']['lines'];
    }>;
    entries: Array<{ id: string; tillSeq: number; at: string; epoch: string; body: LedgerEntryBody }>;
    order: Array<{ fact: LedgerFact; entryId: string | null }>;
  };
  /**
   * Member rows and member versions read once for the whole group of pushes (take.ts `prefetch`); null: none.
   * Every batch of a group shares these maps (and `programs`): the rows are as they stood before the group.
   */
  memberRows: Map<string, MemberRow | null>;
  versions: Map<string, MemberVersion | null>;
  /** Returned sales and their returns so far (returns.ts), shared by every batch of a group like `memberRows`. */
  returns: ReturnBook;
  /** The walk's watermark before it and every document it waits over, in tillSeq order (views.ts reads them). */
  walk: { from: number; docs: readonly JournalDoc[] };
  /** Set once member rows were written: the push tells live streams after its commit. */
  membersChanged: boolean;
  /** Set when the push enrolled a member: the till's card ranges are topped up after it (admin/card-ranges.ts). */
  enrolled: boolean;
  /** Coupon batches a sale of the push used a code of, `[programId, batch]`: re-published after it (coupons.ts). */
  couponBatches: Map<string, [string, string]>;
  /**
   * The gift cards the group's sales move, locked and read once, as they stand after the moves taken so far, and
   * the cards changed: written and re-published after the group (gift-cards.ts). Shared like `returns`.
   */
  giftCards: GiftCardBook;
};

/**
 * A member as the group read it. `seq`: the row's version, when read from the database. `marks`: its marks
 * (member-marks.ts) for the till databases asked about so far, by epoch (0: none); an epoch not in it is read
 * when asked (`markOf`).
 */
export type MemberRow = { id: string; state: unknown; seq?: string | number; marks: Map<string, number> };
/** A member version a sale names: its state, and its marks as `MemberRow`'s (those the version had). */
export type MemberVersion = { state: unknown; marks: Map<string, number> };

/** The member rows read from the database as they were read (a unit that changes a row in hand makes a new one). */
const readFromDb = new WeakSet<MemberRow>();

/**
 * The state of a member row locked now: the state parsed when the group read the row (`before`), when the row is
 * the one read from the database and has not changed since (the same seq); else the locked row's own.
 */
export function lockedState(
  before: MemberRow | null | undefined,
  locked: { state: unknown; seq?: string | number },
): MemberState {
  const same =
    before && readFromDb.has(before) && before.seq !== undefined && String(before.seq) === String(locked.seq);
  return parsedState(same ? before.state : locked.state);
}

/**
 * A member as it stands (not deleted), or null. Member rows do not change while a push's units are taken
 * (members.ts writes them at the end), so one read per walk serves every unit.
 */
export async function memberRow(q: Query, b: Batch, id: string): Promise<MemberRow | null> {
  if (!b.memberRows.has(id)) {
    const [found] = await q<Omit<MemberRow, 'marks'>>(
      'SELECT id, state, seq FROM members WHERE id = $1 AND NOT deleted',
      [id],
    );
    const row = found ? { ...found, marks: new Map<string, number>() } : null;
    if (row) readFromDb.add(row);
    b.memberRows.set(id, row);
  }
  return b.memberRows.get(id)!;
}

/**
 * This batch's till database's mark on a member (`holder`: its row, as it stands, or the version `version` of
 * it): read by the prefetch for what a group's re-checks need, else here, once. Marks of the group's own epochs
 * do not change while it is taken (one push per till at a time; members.ts writes them at the end).
 */
export async function markOf(
  q: Query,
  b: Batch,
  memberId: string,
  holder: { marks: Map<string, number> },
  version: number | null,
): Promise<number> {
  let mark = holder.marks.get(b.epoch);
  if (mark === undefined) {
    const [r] = await q<{ mark: string | number | null }>(
      `SELECT ${markSql('$1::text', '$2::text', '$3::bigint')} AS mark`,
      [memberId, b.epoch, version],
    );
    mark = Number(r?.mark ?? 0);
    holder.marks.set(b.epoch, mark);
  }
  return mark;
}

type PrefetchRow = {
  kind: 'member' | 'version' | 'mark' | 'program' | 'program-version';
  id: string;
  seq: string | null;
  state: unknown;
  data: unknown;
  epoch: string | null;
  mark: string | number | null;
};

/**
 * Reads in one statement what the group's units will ask for: the members and member versions its documents
 * name, each walk's mark on the members its sales name (as they stand and at the version quoted on, for the
 * re-check), the current program of each store, and the program versions its sales name (once per process: a
 * version never changes).
 */
export async function prefetch(
  q: Query,
  b: Batch,
  walks: ReadonlyArray<{ epoch: string; docs: readonly JournalDoc[] }>,
  stores: readonly Store[],
) {
  const ids = new Set<string>();
  const versions: Array<[string, number]> = [];
  const named = new Map<string, [string, number]>();
  const marks = new Map<string, { id: string; epoch: string; seq: number | null }>();
  const wantMark = (id: string, epoch: string, seq: number | null) => {
    // Only the re-check reads marks (views.ts).
    if (b.opts.recheck) marks.set(`${id}|${epoch}|${seq ?? ''}`, { id, epoch, seq });
  };
  for (const { epoch, docs } of walks) {
    for (const d of docs) {
      if (d.kind === 'entry') ids.add(d.body.memberId);
      if (d.kind !== 'sale') continue;
      const key = programKey(d.body.programId, d.body.programVersion);
      if (!versionCache.has(key)) named.set(key, [d.body.programId, d.body.programVersion]);
      if (!d.body.memberId) continue;
      ids.add(d.body.memberId);
      wantMark(d.body.memberId, epoch, null);
      if (d.body.memberSeq === null) continue;
      versions.push([d.body.memberId, d.body.memberSeq]);
      wantMark(d.body.memberId, epoch, d.body.memberSeq);
    }
  }
  const wanted = [...ids].filter((id) => !b.memberRows.has(id));
  const pairs = versions.filter(([id, seq]) => !b.versions.has(`${id}|${seq}`));
  const current = [...new Set(stores.map((s) => s.program_id))].filter((id) => !b.programs.has(programKey(id, null)));
  const rows = await q<PrefetchRow>(
    `SELECT 'member' AS kind, id, seq, state, NULL::jsonb AS data, NULL::text AS epoch, NULL::bigint AS mark
       FROM members WHERE id = ANY($1::text[]) AND NOT deleted
     UNION ALL
     SELECT 'version', v.member_id, v.seq, v.state, NULL, NULL, NULL
       FROM member_versions v JOIN unnest($2::text[], $3::bigint[]) AS w(id, seq) ON v.member_id = w.id AND v.seq = w.seq
     UNION ALL
     SELECT 'mark', w.id, w.seq, NULL, NULL, w.epoch, ${markSql('w.id', 'w.epoch', 'w.seq')}
       FROM jsonb_to_recordset($8::jsonb) AS w(id text, epoch text, seq bigint)
     UNION ALL
     SELECT 'program', substr(id, 9), (data->>'version')::bigint, NULL,
            CASE WHEN substr(id, 9) || '@' || (data->>'version') = ANY($7::text[]) THEN NULL ELSE data END, NULL, NULL
       FROM refdata WHERE id = ANY($4::text[])
     UNION ALL
     SELECT 'program-version', p.id, p.version, NULL, p.data, NULL, NULL
       FROM program_versions p JOIN unnest($5::text[], $6::int[]) AS w(id, version) ON p.id = w.id AND p.version = w.version`,
    [
      wanted,
      pairs.map(([id]) => id),
      pairs.map(([, seq]) => seq),
      current.map((id) => `program:${id}`),
      [...named.values()].map(([id]) => id),
      [...named.values()].map(([, version]) => version),
      // The current program's data is sent only when this process has not parsed that version yet.
      [...versionCache.keys()],
      JSON.stringify([...marks.values()]),
    ],
  );
  for (const id of wanted) b.memberRows.set(id, null);
  for (const [id, seq] of pairs) b.versions.set(`${id}|${seq}`, null);
  for (const id of current) b.programs.set(programKey(id, null), null);
  for (const r of rows) {
    if (r.kind === 'mark') continue; // below: onto the rows and versions read here
    if (r.kind === 'member') {
      const row = { id: r.id, state: r.state, seq: r.seq!, marks: new Map<string, number>() };
      readFromDb.add(row);
      b.memberRows.set(r.id, row);
    } else if (r.kind === 'version') b.versions.set(`${r.id}|${Number(r.seq)}`, { state: r.state, marks: new Map() });
    else if (r.kind === 'program') {
      const program = currentProgram(r.id, r.seq, r.data);
      // Not sent and no longer cached (another group's versions pushed it out): loadProgram reads it.
      if (program === undefined) b.programs.delete(programKey(r.id, null));
      else b.programs.set(programKey(r.id, null), program);
    } else rememberVersion(programKey(r.id, Number(r.seq)), parseProgram(r.data));
  }
  for (const r of rows) {
    if (r.kind !== 'mark') continue;
    const holder = r.seq === null ? b.memberRows.get(r.id) : b.versions.get(`${r.id}|${Number(r.seq)}`);
    holder?.marks.set(r.epoch!, Number(r.mark ?? 0));
  }
  // A version named but not stored is unknown in this group only: it may be written later.
  for (const key of named.keys()) if (!versionCache.has(key)) b.programs.set(key, null);
}

const parsedStates = new WeakMap<object, MemberState>();

/**
 * A member state read from the database, checked by its schema once per value read: a group's sales share
 * their member's row and version objects, so each is parsed once, not once per sale. The engine's functions
 * never change a state they are given.
 */
export function parsedState(state: unknown): MemberState {
  if (typeof state !== 'object' || state === null) return memberStateSchema.parse(state);
  let parsed = parsedStates.get(state);
  if (!parsed) {
    parsed = memberStateSchema.parse(state);
    parsedStates.set(state, parsed);
  }
  return parsed;
}

export type EntryRow = { id: string; tillSeq: number; at: string; epoch: string; body: LedgerEntryBody };

/** Queues a ledger entry and the fact it brings if it is stored as effective (see take.ts `flushWrites`). */
export function queueEntry(b: Batch, e: EntryRow): void {
  b.writes.entries.push(e);
  b.writes.order.push({ fact: entryFact(e.id, e.at, e.body), entryId: e.id });
}

/** Points this push has moved on a member so far and not yet written: what its row's balance lacks. */
export function pendingPoints(b: Batch, memberId: string): number {
  return [...(b.facts.get(memberId) ?? []), ...b.writes.order.map((w) => w.fact)].reduce(
    (sum, f) => sum + (f.kind === 'entry' && f.memberId === memberId ? f.points : 0),
    0,
  );
}

export function addFact(b: Batch, fact: LedgerFact): void {
  b.facts.set(fact.memberId, [...(b.facts.get(fact.memberId) ?? []), fact]);
  b.touched.add(fact.memberId);
}

export async function park(q: Query, b: Batch, doc: JournalDoc, v: RuleViolation): Promise<void> {
  await q(
    `INSERT INTO parked_docs (doc_id, till_id, epoch, till_seq, code, reason, doc) VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (doc_id, till_seq) DO NOTHING`,
    [doc.id, b.till.tillId, b.epoch, doc.tillSeq, v.code, v.reason, JSON.stringify(doc)],
  );
  b.parked.push({ id: doc.id, code: v.code, reason: v.reason });
  if (doc.memberId) b.touched.add(doc.memberId);
  if (doc.kind === 'entry') b.touched.add(doc.body.memberId);
}

/**
 * A store's current program as the prefetch read it: the version this process already parsed (the data was not
 * sent), or the data parsed now and remembered as that version (a program version never changes once written:
 * stampSeq copies the current program into program_versions).
 */
function currentProgram(id: string, version: string | null, data: unknown): Program | null | undefined {
  if (data === null && version !== null) return versionCache.get(programKey(id, Number(version)));
  const program = parseProgram(data);
  if (version !== null && program && program.version === Number(version))
    rememberVersion(programKey(id, program.version), program);
  return program;
}

function programKey(id: string, version: number | null): string {
  return `${id}@${version ?? 'current'}`;
}

function parseProgram(data: unknown): Program | null {
  const parsed = programSchema.safeParse(data);
  return parsed.success ? parsed.data : null;
}

/** Program versions seen by this process (a version never changes once written); the newest few are kept. */
const versionCache = new Map<string, Program | null>();
const VERSION_CACHE_SIZE = 64;

function rememberVersion(key: string, program: Program | null): void {
  versionCache.delete(key);
  versionCache.set(key, program);
  if (versionCache.size > VERSION_CACHE_SIZE) versionCache.delete(versionCache.keys().next().value!);
}

/** A program as it stands now (`version` null) or as one of its versions; null when unknown or invalid. */
export async function loadProgram(
  q: Query,
  b: Pick<Batch, 'programs'>,
  id: string,
  version: number | null,
): Promise<Program | null> {
  const key = programKey(id, version);
  if (version !== null && versionCache.has(key)) return versionCache.get(key)!;
  if (b.programs.has(key)) return b.programs.get(key)!;
  const rows =
    version === null
      ? await q<{ data: unknown }>("SELECT data FROM refdata WHERE id = 'program:' || $1", [id])
      : await q<{ data: unknown }>('SELECT data FROM program_versions WHERE id = $1 AND version = $2', [id, version]);
  const program = rows[0] ? parseProgram(rows[0].data) : null;
  if (version !== null && rows[0]) rememberVersion(key, program);
  else b.programs.set(key, program);
  return program;
}
