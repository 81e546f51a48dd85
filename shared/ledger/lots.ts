/**
 * Point lots as commutative aggregates. A member's lots are per-day buckets
 * of [earned, expired] points (store-local earn day) plus one `spent` total.
 * Which points are still open is derived: `spent` is taken FIFO from the
 * oldest bucket. Because the book holds only sums, any order of the same
 * facts gives the same book.
 *
 * Invariants:
 * - sum over buckets of (earned + expired) − spent = the balance the same facts give;
 * - an expiry entry names its bucket and records −(what was open there), so
 *   after it the bucket is fully used, whatever arrives later;
 * - buckets older than LOT_HORIZON_DAYS before the newest day seen fold
 *   into one oldest bucket, so a member document stays small (the fold is a
 *   function of the newest day, so it is order-independent too).
 */
import type { LotBook } from '../engine/member-state';
import { addDays } from '../engine/time';

export const LOT_HORIZON_DAYS = 1096;
/** Key of the bucket that holds everything older than the horizon; sorts before every date. */
export const OLDEST_BUCKET = '0000-00-00';

function horizon(asOf: string): string {
  return addDays(asOf, -LOT_HORIZON_DAYS);
}

function keyFor(day: string, asOf: string | null): string {
  return asOf !== null && day < horizon(asOf) ? OLDEST_BUCKET : day;
}

/** Moves the book's newest day forward and folds buckets that fell behind the horizon. */
function advance(book: LotBook, day: string): LotBook {
  if (book.asOf !== null && day <= book.asOf) return book;
  const buckets: LotBook['buckets'] = {};
  for (const [key, [earned, expired]] of Object.entries(book.buckets)) {
    const k = keyFor(key, day);
    const b = buckets[k] ?? [0, 0];
    buckets[k] = [b[0] + earned, b[1] + expired];
  }
  return { ...book, asOf: day, buckets };
}

function addToBucket(book: LotBook, day: string, earned: number, expired: number): LotBook {
  const key = keyFor(day, book.asOf);
  const b = book.buckets[key] ?? [0, 0];
  return { ...book, buckets: { ...book.buckets, [key]: [b[0] + earned, b[1] + expired] } };
}

/** Points earned (or restored) on `day` open in that day's bucket. */
export function earnLot(book: LotBook, day: string, points: number): LotBook {
  return addToBucket(advance(book, day), day, points, 0);
}

/** Points redeemed, reversed or adjusted away are taken from the oldest open points. */
export function spendPoints(book: LotBook, day: string, points: number): LotBook {
  const next = advance(book, day);
  return { ...next, spent: next.spent + points };
}

/** An expiry entry (`points` ≤ 0) closes the bucket of `bucketDay`. */
export function expireLot(book: LotBook, bucketDay: string, day: string, points: number): LotBook {
  return addToBucket(advance(book, day), bucketDay, 0, points);
}

export type OpenLot = { earnedOn: string; points: number };

/** The open lots, oldest first: each bucket's earned − expired, with `spent` taken FIFO. */
export function openLots(book: LotBook): OpenLot[] {
  let toTake = Math.max(0, book.spent);
  const out: OpenLot[] = [];
  for (const key of Object.keys(book.buckets).sort()) {
    const [earned, expired] = book.buckets[key]!;
    const available = Math.max(0, earned + expired);
    const take = Math.min(available, toTake);
    toTake -= take;
    if (available - take > 0) out.push({ earnedOn: key, points: available - take });
  }
  return out;
}

/** Points spent beyond every lot (an overdraft), ≥ 0. */
export function lotDebt(book: LotBook): number {
  const available = Object.values(book.buckets).reduce((s, [e, x]) => s + Math.max(0, e + x), 0);
  return Math.max(0, book.spent - available);
}
