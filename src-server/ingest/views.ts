/**
 * The member as a till saw it when it quoted a sale, rebuilt on the server for the re-check: the
 * member version the sale names plus the till database's own journal before the sale, through the
 * shared projection. Versions and inbox documents never change, so rebuilt views are carried forward.
 */

import { type JournalDoc, type SaleDoc } from '../../shared/documents';
import { memberStateSchema, type MemberState } from '../../shared/engine/member-state';
import { memberFacts, memberView, project, type MemberView } from '../../shared/ledger';
import type { Query } from '../db';
import { memberRow, type Batch, type MemberRow } from './batch';

/** The member version a sale names, or (flagged by the caller) the current member when that version is unknown. */
async function memberAt(
  q: Query,
  b: Batch,
  memberId: string,
  seq: number | null,
): Promise<{ row: MemberRow; exact: boolean } | null> {
  if (seq !== null) {
    const key = `${memberId}|${seq}`;
    if (!b.versions.has(key)) {
      const [v] = await q<{ state: unknown; till_marks: Record<string, number> }>(
        'SELECT state, till_marks FROM member_versions WHERE member_id = $1 AND seq = $2',
        [memberId, seq],
      );
      b.versions.set(key, v ?? null);
    }
    const v = b.versions.get(key);
    if (v) return { row: { id: memberId, ...v }, exact: true };
  }
  const row = await memberRow(q, b, memberId);
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

/**
 * This epoch's own documents naming `memberId` with a tillSeq strictly between `after` and `before`: from what
 * the walk read ahead for the whole push (`readHistory`) when it covers the range, else read here.
 */
async function ownJournal(q: Query, b: Batch, memberId: string, after: number, before: number): Promise<JournalDoc[]> {
  // Nothing of this till's own can lie strictly between them: no read needed.
  if (after + 1 >= before) return [];
  const read = b.history.get(memberId);
  if (read && read.after <= after && before <= read.before)
    return read.docs.filter((d) => d.tillSeq > after && d.tillSeq < before);
  const rows = await q<{ doc: unknown }>(
    `SELECT doc FROM journal_inbox WHERE till_id = $1 AND epoch = $2 AND member_id = $3
       AND till_seq > $4 AND till_seq < $5 ORDER BY till_seq`,
    [b.till.tillId, b.epoch, memberId, after, before],
  );
  // The inbox holds documents exactly as the wire schema parsed them on the way in.
  return rows.map((r) => r.doc as JournalDoc);
}

/**
 * Reads ahead, in one statement for every batch of a group, the own journal each sale's re-check will ask for
 * (`ownJournal`): per batch and member, from the lowest mark its sales' member versions give to the newest sale.
 * Call it after `prefetchMembers` (the versions' marks decide where each range starts).
 */
export async function readHistory(
  q: Query,
  batches: ReadonlyArray<{ b: Batch; docs: readonly JournalDoc[]; inHand: ReadonlyMap<string, JournalDoc> }>,
) {
  const wanted: Array<{
    b: Batch;
    memberId: string;
    after: number;
    before: number;
    inHand: ReadonlyMap<string, JournalDoc>;
  }> = [];
  for (const { b, docs, inHand } of batches) {
    const ranges = new Map<string, { after: number; before: number }>();
    for (const d of docs) {
      if (d.kind !== 'sale' || !d.body.memberId) continue;
      const version = d.body.memberSeq === null ? undefined : b.versions.get(`${d.body.memberId}|${d.body.memberSeq}`);
      const marks = version?.till_marks ?? b.memberRows.get(d.body.memberId)?.till_marks ?? {};
      const after = marks[b.epoch] ?? 0;
      const range = ranges.get(d.body.memberId);
      ranges.set(d.body.memberId, {
        after: Math.min(range?.after ?? after, after),
        before: Math.max(range?.before ?? 0, d.tillSeq),
      });
    }
    for (const [memberId, r] of ranges) {
      if (r.after + 1 < r.before && !b.history.has(memberId)) wanted.push({ b, memberId, ...r, inHand });
    }
  }
  if (wanted.length === 0) return;
  // Documents in hand (this push's own) are not read back.
  const rows = await q<{ k: number; id: string; doc: unknown }>(
    `SELECT w.k, i.id, CASE WHEN i.id = ANY($7::text[]) THEN NULL ELSE i.doc END AS doc
       FROM unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::bigint[])
            AS w(k, till_id, epoch, member_id, after_seq, before_seq)
       JOIN journal_inbox i ON i.till_id = w.till_id AND i.epoch = w.epoch AND i.member_id = w.member_id
                           AND i.till_seq > w.after_seq AND i.till_seq < w.before_seq
      ORDER BY w.k, i.till_seq`,
    [
      wanted.map((_, k) => k),
      wanted.map((w) => w.b.till.tillId),
      wanted.map((w) => w.b.epoch),
      wanted.map((w) => w.memberId),
      wanted.map((w) => w.after),
      wanted.map((w) => w.before),
      [...new Set(wanted.flatMap((w) => [...w.inHand.keys()]))],
    ],
  );
  const read = wanted.map((w) => ({ after: w.after, before: w.before, docs: [] as JournalDoc[] }));
  for (const r of rows) read[r.k]!.docs.push((r.doc as JournalDoc | null) ?? wanted[r.k]!.inHand.get(r.id)!);
  wanted.forEach((w, k) => w.b.history.set(w.memberId, read[k]!));
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
    const found = await memberAt(q, b, memberId, seq);
    if (!found) return null;
    base = memberStateSchema.parse(found.row.state);
    from = found.row.till_marks[b.epoch] ?? 0;
    exact = found.exact;
  }
  const facts = memberFacts(await ownJournal(q, b, memberId, from, beforeSeq), memberId, from);
  const state = project(base, facts, { timeZone: b.store.time_zone });
  if (key && exact) rememberView(key, { state, through: beforeSeq - 1 });
  return { state, exact };
}

/**
 * The member as this till saw it when it quoted `sale`: the version it names, plus this till
 * database's own journal between that version's mark and the sale, through the shared projection.
 */
export async function reconstructView(
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
