/**
 * Card numbers a till gives out itself, when it enrols a member without a
 * pre-printed plastic card.
 *
 * The server assigns each till ranges of EAN-13 member-card numbers (the
 * first twelve digits; the thirteenth is the GS1 check digit). Ranges of
 * different tills never overlap, so two tills enrolling offline at the same
 * moment never hand out the same number: no coordination is needed at the
 * till. Ranges travel down with the till's reference document
 * (`till:<id>`), so a till enrolled once keeps giving out numbers through
 * an outage.
 *
 * Invariants:
 * - A range is `first`…`last` inclusive, both twelve digits, first ≤ last;
 *   a number in it is the range's digits plus the check digit.
 * - `nextCardNumber` never returns a number at or below `after` (the last
 *   number this till gave out, the caller keeps it), nor one outside the
 *   ranges; null when every range is used up.
 * - Pure: no clock, no storage.
 */
import { z } from 'zod';
import { hasValidGs1CheckDigit, withCheckDigit } from './barcode';

/** Every generated card starts with these digits (the chain's member-card prefix 299, series 8). */
export const GENERATED_CARD_PREFIX = '2998';
/** The first twelve digits of the first number the server ever assigns. */
export const FIRST_GENERATED_BODY = `${GENERATED_CARD_PREFIX}00000000`;
/** The last twelve digits any range may reach. */
export const LAST_GENERATED_BODY = `${GENERATED_CARD_PREFIX}99999999`;
/** Numbers per range the server assigns. */
export const CARD_RANGE_SIZE = 10_000;
/** A till gets a further range once fewer than this many numbers are left in its ranges. */
export const CARD_RANGE_LOW_WATER = 2_000;

const BODY = /^\d{12}$/;

export const cardRangeSchema = z
  .object({
    first: z.string().regex(BODY, 'twelve digits'),
    last: z.string().regex(BODY, 'twelve digits'),
  })
  .refine((r) => r.first <= r.last, { message: 'a range ends at or after its start' });
export type CardRange = z.infer<typeof cardRangeSchema>;

/** The till's own reference document (`till:<id>`): which store it is in and the card ranges it may use. */
export const tillRefSchema = z.object({
  tillId: z.string().min(1).max(64),
  storeId: z.string().min(1).max(64),
  cardRanges: z.array(cardRangeSchema).max(100).default([]),
});
export type TillRef = z.infer<typeof tillRefSchema>;

/** The twelve digits of a thirteen-digit card number. */
function bodyOf(card: string): string {
  return card.slice(0, 12);
}

/** True when `card` is a valid EAN-13 number inside one of the ranges. */
export function inCardRanges(card: string, ranges: readonly CardRange[]): boolean {
  if (card.length !== 13 || !hasValidGs1CheckDigit(card)) return false;
  const body = bodyOf(card);
  return ranges.some((r) => r.first <= body && body <= r.last);
}

/** The next number after `after` (a card this till gave out, or null for none yet) in the ranges, in order. */
export function nextCardNumber(ranges: readonly CardRange[], after: string | null): string | null {
  const past = after === null ? null : bodyOf(after);
  const sorted = [...ranges].sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
  for (const r of sorted) {
    if (past !== null && past >= r.last) continue;
    const start = past !== null && past >= r.first ? increment(past) : r.first;
    return withCheckDigit(start);
  }
  return null;
}

/** How many numbers are left after `after` in the ranges. */
export function cardsLeft(ranges: readonly CardRange[], after: string | null): number {
  const past = after === null ? -1 : Number(bodyOf(after));
  return ranges.reduce((n, r) => {
    const first = Number(r.first);
    const last = Number(r.last);
    return n + (past >= last ? 0 : last - Math.max(first, past + 1) + 1);
  }, 0);
}

/** Twelve digits plus one, kept at twelve digits (callers never pass 999999999999). */
function increment(body: string): string {
  return String(Number(body) + 1).padStart(12, '0');
}

/** The range that follows `last` (the highest number assigned so far, or null), or null when the series is full. */
export function nextRange(lastAssigned: string | null, size = CARD_RANGE_SIZE): CardRange | null {
  const first = lastAssigned === null ? FIRST_GENERATED_BODY : increment(lastAssigned);
  if (first > LAST_GENERATED_BODY) return null;
  const end = Math.min(Number(first) + size - 1, Number(LAST_GENERATED_BODY));
  return { first, last: String(end).padStart(12, '0') };
}
