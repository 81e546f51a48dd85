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
 * - Members are locked in id order (no deadlocks between concurrent pushes);
 *   their seqs are stamped last (see seq.ts).
 */
import { KassaError } from '../shared/errors';
import type { EntryDoc, JournalDoc, SaleDoc } from '../shared/documents';
import type { MemberState, PointLot } from '../shared/engine/member-state';
import type { Db, Query } from './db';
import type { TillIdentity } from './auth';
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

export const ingestJournal = async (db: Db, till: TillIdentity, docs: readonly JournalDoc[]): Promise<IngestResult> => {
  checkOwnership(till, docs);
  const sales = docs.filter((d): d is SaleDoc => d.kind === 'sale');
  const entries = docs.filter((d): d is EntryDoc => d.kind === 'entry');
  const maxTillSeq = docs.reduce((m, d) => Math.max(m, d.tillSeq), 0);

  return db.tx(async (q) => {
    let accepted = 0;
    let duplicates = 0;

    for (const s of sales) {
      const inserted = await q(
        `INSERT INTO sales (id, till_id, store_id, member_id, till_seq, till_time, total_minor, currency, body)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO NOTHING RETURNING id`,
        [s.id, s.tillId, s.body.storeId, s.body.memberId, s.tillSeq, s.at, s.body.totalMinor, s.body.currency, JSON.stringify(s.body)],
      );
      if (inserted.length > 0) accepted++;
      else duplicates++;
    }

    // Entries that newly count, grouped by member.
    const effective = new Map<string, EntryDoc[]>();
    for (const e of entries) {
      const values = [e.id, e.body.memberId, e.tillId, e.body.saleId, e.body.type, e.body.points, e.body.reason, e.body.naturalId, e.body.ruleId, e.tillSeq, e.at];
      const cols = '(id, member_id, till_id, sale_id, type, points, reason, natural_id, rule_id, till_seq, till_time, effective)';
      const inserted = await q(
        `INSERT INTO ledger_entries ${cols} VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,true)
         ON CONFLICT DO NOTHING RETURNING id`,
        values,
      );
      if (inserted.length > 0) {
        accepted++;
        const list = effective.get(e.body.memberId) ?? [];
        list.push(e);
        effective.set(e.body.memberId, list);
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

    // Till marks move for every entry of this push, effective or not: the till must stop counting them itself.
    const marks = new Map<string, number>();
    for (const e of entries) marks.set(e.body.memberId, Math.max(marks.get(e.body.memberId) ?? 0, e.tillSeq));

    const memberIds = [...marks.keys()].sort();
    const touched: string[] = [];
    for (const memberId of memberIds) {
      const rows = await q<{ state: MemberState; till_marks: Record<string, number> }>(
        'SELECT state, till_marks FROM members WHERE id = $1 FOR UPDATE',
        [memberId],
      );
      const row = rows[0];
      const newEntries = effective.get(memberId) ?? [];
      if (!row) {
        for (const e of newEntries) await flag(q, 'unknown-member', memberId, e.tillId, e.id, { points: e.body.points });
        continue;
      }
      let state = row.state;
      for (const e of [...newEntries].sort((a, b) => a.tillSeq - b.tillSeq)) {
        state = {
          ...state,
          balance: state.balance + e.body.points,
          lots: applyToLots(state.lots, { id: e.id, points: e.body.points, at: e.at }),
          tierWindow:
            e.body.type === 'earn'
              ? { ...state.tierWindow, points: state.tierWindow.points + e.body.points }
              : state.tierWindow,
        };
      }
      if (newEntries.length > 0 && state.balance < 0) {
        await flag(q, 'negative-balance', memberId, till.tillId, newEntries.at(-1)!.id, { balance: state.balance });
      }
      const tillMarks = { ...row.till_marks, [till.tillId]: Math.max(row.till_marks[till.tillId] ?? 0, marks.get(memberId)!) };
      await q('UPDATE members SET state = $2, till_marks = $3 WHERE id = $1', [memberId, JSON.stringify(state), JSON.stringify(tillMarks)]);
      touched.push(memberId);
    }

    const acked = await q<{ acked_till_seq: string }>(
      'UPDATE tills SET acked_till_seq = GREATEST(acked_till_seq, $2) WHERE id = $1 RETURNING acked_till_seq',
      [till.tillId, maxTillSeq],
    );
    await stampSeq(q, 'members', touched);
    return { accepted, duplicates, ackedTillSeq: Number(acked[0]?.acked_till_seq ?? maxTillSeq) };
  });
};
