/**
 * Points expiry: FIFO lots that expire N months (or N days) after they were
 * earned, all points after N months (or days) without activity, or on a fixed
 * date each year.
 * Lots are the ledger's per-day buckets (shared/ledger/lots.ts). Only the
 * server writes expiry entries (natural id `expire:<member>:<earn day>:<date>`,
 * so running it twice changes nothing); tills show what will expire.
 */
import type { LedgerEntryBody } from '../documents';
import { earnLot, LOT_HORIZON_DAYS, OLDEST_BUCKET, openLots, spendPoints } from '../ledger/lots';
import type { MemberState } from './member-state';
import type { Program } from './program';
import { addDays, addMonths, daysBetween, localParts } from './time';

/** Each open lot with the store-local date it expires on (null: never). */
export const lotExpiries = (
  program: Program,
  state: MemberState,
  timeZone: string,
): Array<{ lotId: string; points: number; expiresOn: string | null }> => {
  const e = program.expiry;
  return openLots(state.lots).map((lot) => {
    // The folded oldest bucket counts as earned on the horizon day.
    const earned =
      lot.earnedOn === OLDEST_BUCKET && state.lots.asOf ? addDays(state.lots.asOf, -LOT_HORIZON_DAYS) : lot.earnedOn;
    let expiresOn: string | null = null;
    if (e.mode === 'months-after-earn') expiresOn = addMonths(earned, e.months);
    else if (e.mode === 'days-after-earn') expiresOn = addDays(earned, e.days);
    else if (e.mode === 'inactivity') {
      const from = state.lastActivityAt ? localParts(state.lastActivityAt, timeZone).date : earned;
      expiresOn = e.days !== undefined ? addDays(from, e.days) : addMonths(from, e.months!);
    } else if (e.mode === 'fixed-date') {
      const year = Number(earned.slice(0, 4)) + e.yearsAfter;
      const candidate = `${year}-${String(e.month).padStart(2, '0')}-${String(e.day).padStart(2, '0')}`;
      expiresOn = candidate > earned ? candidate : `${year + 1}${candidate.slice(4)}`;
    }
    return { lotId: lot.earnedOn, points: lot.points, expiresOn };
  });
};

export const expiryWarnings = (
  program: Program,
  state: MemberState,
  at: string,
  timeZone: string,
): Array<{ points: number; expiresAt: string }> => {
  if (program.expiry.mode === 'none') return [];
  const today = localParts(at, timeZone).date;
  const warnDays = program.expiry.warnDays;
  const byDate = new Map<string, number>();
  for (const x of lotExpiries(program, state, timeZone)) {
    if (!x.expiresOn) continue;
    const days = daysBetween(today, x.expiresOn);
    if (days > 0 && days <= warnDays) byDate.set(x.expiresOn, (byDate.get(x.expiresOn) ?? 0) + x.points);
  }
  return [...byDate.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([expiresAt, points]) => ({ points, expiresAt }));
};

/**
 * The warnings a receipt prints: what will expire soon once this sale's points are booked. Redeemed points are
 * taken from the oldest lots first (as the ledger takes them), so a redemption can clear a warning; points earned
 * today open a lot of today's.
 */
export function expiryWarningsAfterSale(
  program: Program,
  state: MemberState,
  sale: { pointsEarned: number; pointsRedeemed: number },
  at: string,
  timeZone: string,
): Array<{ points: number; expiresAt: string }> {
  const today = localParts(at, timeZone).date;
  let lots = state.lots;
  if (sale.pointsRedeemed > 0) lots = spendPoints(lots, today, sale.pointsRedeemed);
  if (sale.pointsEarned > 0) lots = earnLot(lots, today, sale.pointsEarned);
  return expiryWarnings(program, { ...state, lots }, at, timeZone);
}

/** The expiry entries due as of `at` (store-local date), oldest lot first. */
export const expire = (input: {
  program: Program;
  memberId: string;
  state: MemberState;
  at: string;
  timeZone: string;
}): LedgerEntryBody[] => {
  const today = localParts(input.at, input.timeZone).date;
  return lotExpiries(input.program, input.state, input.timeZone)
    .filter((x) => x.expiresOn !== null && x.expiresOn <= today && x.points > 0)
    .map((x) => ({
      memberId: input.memberId,
      saleId: null,
      type: 'expire' as const,
      points: -x.points,
      reason: `${x.points} points expired on ${x.expiresOn}`,
      naturalId: `expire:${input.memberId}:${x.lotId}:${x.expiresOn}`,
      ruleId: `expiry:${input.program.expiry.mode}`,
    }));
};
