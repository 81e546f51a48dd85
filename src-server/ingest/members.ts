/**
 * The one place a push changes member state: each touched member's facts through the shared
 * projection, its mark for the epoch moved to the watermark, then what needs review (overdrafts
 * recorded as debts, the merged offline cap, stamp debts, over-used offers, a wallet below zero).
 */

import { couponIssuedKey, promotionUseKey, type Program } from '../../shared/engine';
import type { MemberState } from '../../shared/engine/member-state';
import { project, validStampBuckets } from '../../shared/ledger';
import { localDate } from '../../shared/engine/time';
import type { Query } from '../db';
import { writeStampedMembers } from '../seq';
import { flag, loadProgram, lockedState, type Batch } from './batch';

/**
 * Writes each touched member's new state through the projection, moves its marks, flags what needs review —
 * for every batch of a group at once: the rows are locked in id order in one statement, each batch's facts are
 * projected in the group's order (as if the pushes had committed one after another), and every member is
 * written and stamped once.
 */
export async function writeMembers(q: Query, walks: ReadonlyArray<{ b: Batch; watermark: number }>): Promise<void> {
  const touched = walks.filter((w) => w.b.touched.size > 0);
  if (touched.length === 0) return;
  const ids = [...new Set(touched.flatMap((w) => [...w.b.touched]))].sort();
  const rows = await q<{ id: string; state: unknown; seq: string | number }>(
    'SELECT id, state, seq FROM members WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE',
    [ids],
  );
  // A row that has not changed since the group read it keeps the state parsed then (no second schema check).
  const read = touched[0]!.b.memberRows;
  const current = new Map<string, MemberState>(rows.map((r) => [r.id, lockedState(read.get(r.id), r)]));
  // Each walk's epoch on the members it touched moves to its watermark (written only where that is higher).
  const marks = new Map<string, { id: string; epoch: string; mark: number }>();
  for (const { b, watermark } of touched) {
    b.membersChanged = true;
    const program = await loadProgram(q, b, b.store.program_id, null);
    const today = localDate(new Date().toISOString(), b.store.time_zone);
    for (const id of [...b.touched].sort()) {
      const before = current.get(id);
      if (!before) continue;
      const after = project(before, b.facts.get(id) ?? [], { timeZone: b.store.time_zone });
      current.set(id, after);
      const key = `${id}|${b.epoch}`;
      marks.set(key, { id, epoch: b.epoch, mark: Math.max(marks.get(key)?.mark ?? 0, watermark) });
      await reviewMember(q, b, id, before, after, program, today);
    }
  }
  // Every member of the group in one statement (the rows are locked above); live streams are told after the
  // commit (ingestPush): a NOTIFY inside the transaction would serialise commits.
  await writeStampedMembers(
    q,
    [...current].map(([id, state]) => ({ id, state })),
    [...marks.values()],
  );
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
  // Two offline tills spending the same wallet money: the balance goes below zero; the next top-up covers it.
  if (after.wallet.balanceMinor < 0 && after.wallet.balanceMinor < before.wallet.balanceMinor)
    await flag(q, 'wallet-overdraft', memberId, till, memberId, { balanceMinor: after.wallet.balanceMinor });
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
  for (const promo of program.promotions) {
    if (promo.coupon) {
      // Two tills taking the same coupon offline: more uses than coupons given.
      const used = after.offerUses[promotionUseKey(promo.id)] ?? 0;
      const given = after.offerUses[couponIssuedKey(promo.id)] ?? 0;
      if (used > given && used > (before.offerUses[promotionUseKey(promo.id)] ?? 0))
        await flag(q, 'coupon-overused', memberId, till, promo.id, { used, given });
    }
    if (promo.maxUsesPerMember === undefined) continue;
    const key = promotionUseKey(promo.id);
    const uses = after.offerUses[key] ?? 0;
    if (uses > promo.maxUsesPerMember && uses > (before.offerUses[key] ?? 0))
      await flag(q, 'code-overused', memberId, till, promo.id, { uses, maxUses: promo.maxUsesPerMember });
  }
}
