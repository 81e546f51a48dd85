/**
 * The member as a till saw it when it quoted a sale, rebuilt on the server for the re-check: the
 * member version the sale names plus the till database's own journal before the sale, through the
 * shared projection. Versions and inbox documents never change, so rebuilt views are carried forward.
 */

import { type JournalDoc, type SaleDoc } from '../../shared/documents';
import { type MemberState } from '../../shared/engine/member-state';
import { memberFacts, memberView, project, type MemberView } from '../../shared/ledger';
import type { Query } from '../db';
import { markOf, memberRow, parsedState, type Batch } from './batch';

/**
 * The member version a sale names with this till database's mark at that version, or (flagged by the caller)
 * the current member and its mark when that version is unknown.
 */
async function memberAt(
  q: Query,
  b: Batch,
  memberId: string,
  seq: number | null,
): Promise<{ state: unknown; mark: number; exact: boolean } | null> {
  if (seq !== null) {
    const key = `${memberId}|${seq}`;
    if (!b.versions.has(key)) {
      const [v] = await q<{ state: unknown }>('SELECT state FROM member_versions WHERE member_id = $1 AND seq = $2', [
        memberId,
        seq,
      ]);
      b.versions.set(key, v ? { state: v.state, marks: new Map() } : null);
    }
    const v = b.versions.get(key);
    if (v) return { state: v.state, mark: await markOf(q, b, memberId, v, seq), exact: true };
  }
  const row = await memberRow(q, b, memberId);
  return row ? { state: row.state, mark: await markOf(q, b, memberId, row, null), exact: false } : null;
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
 * This epoch's own documents naming `memberId` with a tillSeq strictly between `after` and `before`, mostly
 * without a read: those above the walk's watermark are the walk's own (in hand), and none at or below it can
 * lie above the member's current mark for this epoch (taking a document naming a member moves that mark to
 * the watermark). Only a till that quoted on an older version of a member it had sold to is read here.
 */
async function ownJournal(q: Query, b: Batch, memberId: string, after: number, before: number): Promise<JournalDoc[]> {
  if (after + 1 >= before) return [];
  const { from, docs } = b.walk;
  const mine = docs.filter((d) => d.memberId === memberId && d.tillSeq > Math.max(after, from) && d.tillSeq < before);
  const row = b.memberRows.get(memberId);
  const upTo = Math.min(from, before - 1, row ? await markOf(q, b, memberId, row, null) : from);
  if (after >= upTo) return mine;
  const rows = await q<{ doc: unknown }>(
    `SELECT doc FROM journal_inbox WHERE till_id = $1 AND epoch = $2 AND member_id = $3
       AND till_seq > $4 AND till_seq <= $5 ORDER BY till_seq`,
    [b.till.tillId, b.epoch, memberId, after, upTo],
  );
  // The inbox holds documents exactly as the wire schema parsed them on the way in.
  return [...rows.map((r) => r.doc as JournalDoc), ...mine];
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
    base = parsedState(found.state);
    from = found.mark;
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
