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
  /** Set once member rows were written: the push tells live streams after its commit. */
  membersChanged: boolean;
};

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
