/**
 * One push being taken: what it collects (facts per member, members touched, parked documents,
 * offline redeemers) and the small writes every step needs (flags, parking, program versions).
 * Nothing here changes member state; writeMembers (members.ts) does, once, at the end.
 */

import type { JournalDoc, LedgerEntryBody, MemberEffectsBody, SaleDoc } from '../../shared/documents';
import { programSchema, type Program } from '../../shared/engine';
import { type LedgerFact } from '../../shared/ledger';
import type { Query } from '../db';
import type { TillIdentity } from '../auth';
import { type RuleViolation } from './rules';

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
    sales: Array<{ sale: SaleDoc; effects: MemberEffectsBody | null; status: string }>;
    entries: Array<{ id: string; tillSeq: number; at: string; epoch: string; body: LedgerEntryBody }>;
    order: Array<{ fact: LedgerFact; entryId: string | null }>;
  };
  /**
   * Member rows and member versions read once for the whole group of pushes (take.ts `prefetch`); null: none.
   * Every batch of a group shares these maps (and `programs`): the rows are as they stood before the group.
   */
  memberRows: Map<string, MemberRow | null>;
  versions: Map<string, { state: unknown; till_marks: Record<string, number> } | null>;
  /** This epoch's own journal per member between two tillSeqs (exclusive), read once for the walk (views.ts). */
  history: Map<string, { after: number; before: number; docs: JournalDoc[] }>;
  /** Set once member rows were written: the push tells live streams after its commit. */
  membersChanged: boolean;
};

export type MemberRow = { id: string; state: unknown; till_marks: Record<string, number> };

/**
 * A member as it stands (not deleted), or null. Member rows do not change while a push's units are taken
 * (members.ts writes them at the end), so one read per walk serves every unit.
 */
export async function memberRow(q: Query, b: Batch, id: string): Promise<MemberRow | null> {
  if (!b.memberRows.has(id)) {
    const [row] = await q<MemberRow>('SELECT id, state, till_marks FROM members WHERE id = $1 AND NOT deleted', [id]);
    b.memberRows.set(id, row ?? null);
  }
  return b.memberRows.get(id)!;
}

/** Reads the members and member versions the walk's documents name, in two statements. */
export async function prefetchMembers(q: Query, b: Batch, docs: readonly JournalDoc[]): Promise<void> {
  const ids = new Set<string>();
  const versions: Array<[string, number]> = [];
  for (const d of docs) {
    if (d.kind === 'entry') ids.add(d.body.memberId);
    if (d.kind !== 'sale' || !d.body.memberId) continue;
    ids.add(d.body.memberId);
    if (d.body.memberSeq !== null) versions.push([d.body.memberId, d.body.memberSeq]);
  }
  const wanted = [...ids].filter((id) => !b.memberRows.has(id));
  if (wanted.length > 0) {
    const rows = await q<MemberRow>(
      'SELECT id, state, till_marks FROM members WHERE id = ANY($1::text[]) AND NOT deleted',
      [wanted],
    );
    for (const id of wanted) b.memberRows.set(id, null);
    for (const r of rows) b.memberRows.set(r.id, r);
  }
  const pairs = versions.filter(([id, seq]) => !b.versions.has(`${id}|${seq}`));
  if (pairs.length > 0) {
    const rows = await q<{ member_id: string; seq: string; state: unknown; till_marks: Record<string, number> }>(
      `SELECT v.member_id, v.seq, v.state, v.till_marks FROM member_versions v
         JOIN unnest($1::text[], $2::bigint[]) AS w(id, seq) ON v.member_id = w.id AND v.seq = w.seq`,
      [pairs.map(([id]) => id), pairs.map(([, seq]) => seq)],
    );
    for (const [id, seq] of pairs) b.versions.set(`${id}|${seq}`, null);
    for (const r of rows)
      b.versions.set(`${r.member_id}|${Number(r.seq)}`, { state: r.state, till_marks: r.till_marks });
  }
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

export async function loadProgram(q: Query, b: Batch, id: string, version: number | null): Promise<Program | null> {
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
