/**
 * Takes a till's pushed journal into the authoritative ledger.
 *
 * Invariants:
 * - Idempotent: a sale or entry id already stored is counted as a duplicate
 *   and changes nothing (retries after a lost reply are harmless).
 * - Never refuses a sale: the goods have left the store. What cannot be
 *   reconciled (unknown member, balance below zero after merge, a one-off
 *   grant another till already made) is stored and flagged for review.
 * - A one-off grant (natural id) counts once: a second entry with the same
 *   natural id is stored with `effective = false` and does not move a balance.
 * - Balances move in each till's own order (applyInTillOrder), whatever
 *   order pushes arrive in.
 * - Members are locked in id order (no deadlocks between concurrent pushes);
 *   their seqs are stamped last (see seq.ts).
 */
import { KassaError } from '../shared/errors';
import type { EntryDoc, JournalDoc, MemberEffectsBody, SaleDoc } from '../shared/documents';
import { localDate } from '../shared/engine/time';
import { memberStateSchema, type MemberState, type PointLot } from '../shared/engine/member-state';
import type { Db, Query } from './db';
import type { TillIdentity } from './auth';
import { isoTime } from './rows';
import { stampSeq } from './seq';

export type IngestResult = { accepted: number; duplicates: number; ackedTillSeq: number };

export const checkOwnership = (till: TillIdentity, docs: readonly JournalDoc[]): void => {
  for (const doc of docs) {
    if (doc.tillId !== till.tillId || (doc.kind === 'sale' && doc.body.storeId !== till.storeId)) {
      throw new KassaError('FORBIDDEN_STORE', `Document ${doc.id} belongs to another till or store`);
    }
  }
};

const flag = (q: Query, kind: string, memberId: string | null, tillId: string, refId: string, detail: object) =>
  q('INSERT INTO review_flags (kind, member_id, till_id, ref_id, detail) VALUES ($1, $2, $3, $4, $5)', [
    kind,
    memberId,
    tillId,
    refId,
    JSON.stringify(detail),
  ]);

/** Applies signed points to a member's lots: earnings open a lot, spending closes the oldest first (FIFO). */
export const applyToLots = (lots: PointLot[], entry: { id: string; points: number; at: string }): PointLot[] => {
  if (entry.points > 0) return [...lots, { id: entry.id, points: entry.points, earnedAt: entry.at, expiresAt: null }];
  let toTake = -entry.points;
  const out: PointLot[] = [];
  for (const lot of lots) {
    const take = Math.min(lot.points, toTake);
    toTake -= take;
    if (lot.points - take > 0) out.push({ ...lot, points: lot.points - take });
  }
  return out;
};

/**
 * Applies a till's entries to balances strictly in the till's own order.
 *
 * A push can arrive out of order (a batch retried after a lost reply, a crash
 * mid-push). Entries are stored as they come, but move balances only once
 * every earlier document of the same till is here: the till's watermark W is
 * the highest tillSeq below which nothing is missing. Each member touched
 * gets `tillMarks[till] = W`, which keeps one invariant the till relies on:
 * the member's snapshot contains exactly this till's entries with
 * tillSeq <= its mark. The till adds its own entries above the mark, so a
 * balance is never counted twice and never missed.
 */
const applyInTillOrder = async (q: Query, tillId: string): Promise<{ watermark: number; members: string[] }> => {
  const [till] = await q<{ acked_till_seq: string }>('SELECT acked_till_seq FROM tills WHERE id = $1 FOR UPDATE', [
    tillId,
  ]);
  const from = Number(till?.acked_till_seq ?? 0);
  const stored = await q<{ till_seq: string }>(
    `SELECT till_seq FROM sales WHERE till_id = $1 AND till_seq > $2
     UNION SELECT till_seq FROM ledger_entries WHERE till_id = $1 AND till_seq > $2 ORDER BY 1`,
    [tillId, from],
  );
  let watermark = from;
  for (const r of stored) {
    if (Number(r.till_seq) !== watermark + 1) break;
    watermark++;
  }
  if (watermark === from) return { watermark, members: [] };

  const entries = await q<{
    id: string;
    member_id: string;
    type: string;
    points: string;
    till_seq: string;
    till_time: Date | string;
    natural_id: string | null;
    rule_id: string | null;
  }>(
    `SELECT id, member_id, type, points, till_seq, till_time, natural_id, rule_id FROM ledger_entries
      WHERE till_id = $1 AND till_seq > $2 AND till_seq <= $3 AND effective ORDER BY till_seq`,
    [tillId, from, watermark],
  );
  const sales = await q<{
    member_id: string;
    till_seq: string;
    till_time: Date | string;
    total_minor: string;
    effects: MemberEffectsBody | null;
  }>(
    `SELECT member_id, till_seq, till_time, total_minor, body->'effects' AS effects FROM sales
      WHERE till_id = $1 AND till_seq > $2 AND till_seq <= $3 AND member_id IS NOT NULL ORDER BY till_seq`,
    [tillId, from, watermark],
  );
  const [store] = await q<{ time_zone: string }>(
    'SELECT s.time_zone FROM tills t JOIN stores s ON s.id = t.store_id WHERE t.id = $1',
    [tillId],
  );
  const timeZone = store?.time_zone ?? 'UTC';

  // Every change to a member, entries and sale effects alike, in the till's own order.
  type Change = { seq: number; apply: (state: MemberState) => MemberState };
  const byMember = new Map<string, Change[]>();
  const add = (memberId: string, change: Change) => byMember.set(memberId, [...(byMember.get(memberId) ?? []), change]);
  for (const e of entries) {
    add(e.member_id, {
      seq: Number(e.till_seq),
      apply: (state) => {
        const points = Number(e.points);
        return {
          ...state,
          balance: state.balance + points,
          lots: applyToLots(state.lots, { id: e.id, points, at: isoTime(e.till_time) }),
          // Earned points count toward the tier window; a return takes its share back out.
          tierWindow:
            e.type === 'earn' || e.rule_id === 'refund:earn'
              ? { ...state.tierWindow, points: state.tierWindow.points + points }
              : state.tierWindow,
          grants: e.natural_id && !state.grants.includes(e.natural_id) ? [...state.grants, e.natural_id] : state.grants,
        };
      },
    });
  }
  for (const sale of sales) {
    add(sale.member_id, {
      seq: Number(sale.till_seq),
      apply: (state) => {
        const next = applyEffects(state, sale.effects, isoTime(sale.till_time), timeZone);
        // Spend inside the tier window (a return is a sale with a negative total).
        const spendMinor = next.tierWindow.spendMinor + Number(sale.total_minor);
        return { ...next, tierWindow: { ...next.tierWindow, spendMinor } };
      },
    });
  }

  const members: string[] = [];
  // Members in id order: concurrent pushes from different tills never deadlock.
  for (const memberId of [...byMember.keys()].sort()) {
    const mine = byMember.get(memberId)!.sort((a, b) => a.seq - b.seq);
    const [row] = await q<{ state: MemberState; till_marks: Record<string, number> }>(
      'SELECT state, till_marks FROM members WHERE id = $1 FOR UPDATE',
      [memberId],
    );
    if (!row) {
      await flag(q, 'unknown-member', memberId, tillId, memberId, { changes: mine.length });
      continue;
    }
    const before = row.state.balance;
    const state = mine.reduce((s, c) => c.apply(s), memberStateSchema.parse(row.state));
    if (state.balance < 0 && state.balance < before) {
      await flag(q, 'negative-balance', memberId, tillId, memberId, { balance: state.balance });
    }
    const tillMarks = { ...row.till_marks, [tillId]: watermark };
    await q('UPDATE members SET state = $2, till_marks = $3 WHERE id = $1', [
      memberId,
      JSON.stringify(state),
      JSON.stringify(tillMarks),
    ]);
    members.push(memberId);
  }
  await q('UPDATE tills SET acked_till_seq = $2 WHERE id = $1', [tillId, watermark]);
  return { watermark, members };
};

/** A sale's effects on the member beyond points: stamps, offer uses, grants, membership, today's redemptions. */
export const applyEffects = (
  state: MemberState,
  effects: MemberEffectsBody | null,
  at: string,
  timeZone: string,
): MemberState => {
  const today = localDate(at, timeZone);
  const next: MemberState = { ...state, lastActivityAt: at };
  if (!effects) return next;
  const offerUses = { ...state.offerUses };
  for (const [id, n] of Object.entries(effects.offerUses)) offerUses[id] = (offerUses[id] ?? 0) + n;
  const redeemed = state.redeemedToday?.date === today ? state.redeemedToday.points : 0;
  return {
    ...next,
    // A stamp card's state is the till's count after this sale: one till's sales arrive in its own order.
    stamps: { ...state.stamps, ...effects.stamps },
    offerUses,
    grants: [...new Set([...state.grants, ...effects.grants])],
    redeemedToday:
      effects.redeemedPoints > 0 ? { date: today, points: redeemed + effects.redeemedPoints } : state.redeemedToday,
    membership: effects.membership ?? state.membership,
  };
};

export const ingestJournal = async (db: Db, till: TillIdentity, docs: readonly JournalDoc[]): Promise<IngestResult> => {
  checkOwnership(till, docs);
  const sales = docs.filter((d): d is SaleDoc => d.kind === 'sale');
  const entries = docs.filter((d): d is EntryDoc => d.kind === 'entry');

  return db.tx(async (q) => {
    let accepted = 0;
    let duplicates = 0;

    for (const s of sales) {
      const inserted = await q(
        `INSERT INTO sales (id, till_id, store_id, member_id, till_seq, till_time, total_minor, currency, body)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO NOTHING RETURNING id`,
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
        ],
      );
      if (inserted.length > 0) accepted++;
      else duplicates++;
    }

    for (const e of entries) {
      const values = [
        e.id,
        e.body.memberId,
        e.tillId,
        e.body.saleId,
        e.body.type,
        e.body.points,
        e.body.reason,
        e.body.naturalId,
        e.body.ruleId,
        e.tillSeq,
        e.at,
      ];
      const cols =
        '(id, member_id, till_id, sale_id, type, points, reason, natural_id, rule_id, till_seq, till_time, effective)';
      const inserted = await q(
        `INSERT INTO ledger_entries ${cols} VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,true)
         ON CONFLICT DO NOTHING RETURNING id`,
        values,
      );
      if (inserted.length > 0) {
        accepted++;
        continue;
      }
      const existing = await q('SELECT 1 FROM ledger_entries WHERE id = $1', [e.id]);
      if (existing.length > 0) {
        duplicates++;
        continue;
      }
      // Same natural id as an entry already counted: keep it, but it does not move the balance.
      await q(`INSERT INTO ledger_entries ${cols} VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,false)`, values);
      await flag(q, 'natural-id-duplicate', e.body.memberId, e.tillId, e.id, { naturalId: e.body.naturalId });
      accepted++;
    }

    const applied = await applyInTillOrder(q, till.tillId);
    await stampSeq(q, 'members', applied.members);
    return { accepted, duplicates, ackedTillSeq: applied.watermark };
  });
};
