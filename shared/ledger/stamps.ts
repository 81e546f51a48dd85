/**
 * Stamp cards as commutative aggregates: signed stamp increments per
 * store-local day (one `all` bucket for a card without a window). A sale
 * adds +1 per paid unit to today's bucket and takes `every − 1` from the
 * oldest valid buckets for a free unit; two tills stamping the same card
 * offline therefore add up instead of overwriting each other, and two tills
 * giving the same free item leave a negative sum (a stamp debt) that the
 * next stamps repay.
 *
 * A stamp counts while it is at most `windowDays` days old (a sliding
 * window). Buckets older than STAMP_HORIZON_DAYS before the newest day seen
 * are dropped: no program window may be longer (program.ts caps it).
 */
import type { StampCardState } from '../engine/member-state';
import { addDays, daysBetween } from '../engine/time';

export const STAMP_HORIZON_DAYS = 400;
export const NO_WINDOW_BUCKET = 'all';

function isDay(key: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(key);
}

function expired(key: string, asOf: string | null): boolean {
  return asOf !== null && isDay(key) && key < addDays(asOf, -STAMP_HORIZON_DAYS);
}

export function emptyStampCard(): StampCardState {
  return { asOf: null, buckets: {} };
}

/** Adds signed stamp increments (bucket key → count) made on `day`. */
export function addStamps(card: StampCardState, deltas: Record<string, number>, day: string): StampCardState {
  const asOf = card.asOf === null || day > card.asOf ? day : card.asOf;
  const buckets: Record<string, number> = {};
  for (const [key, n] of Object.entries(card.buckets)) if (!expired(key, asOf)) buckets[key] = n;
  for (const [key, n] of Object.entries(deltas)) {
    if (n === 0 || expired(key, asOf)) continue;
    buckets[key] = (buckets[key] ?? 0) + n;
  }
  return { asOf, buckets };
}

/** The buckets that still count on `today`, oldest first. */
export function validStampBuckets(
  card: StampCardState | undefined,
  today: string,
  windowDays: number | null,
): Array<[string, number]> {
  if (!card) return [];
  return (
    Object.entries(card.buckets)
      // Without a window every stamp counts (whatever bucket an older snapshot put it in).
      .filter(([key]) => windowDays === null || (isDay(key) && daysBetween(key, today) <= windowDays))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  );
}
