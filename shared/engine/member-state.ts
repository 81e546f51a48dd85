/**
 * Member state: what the engine needs to know about a member, and nothing
 * more. Computed by the server and replicated down with a version; the till's
 * view is this snapshot plus its own unconfirmed entries and sale effects,
 * both folded by the one projection in shared/ledger.
 *
 * Every counter here is a commutative aggregate (sums, maxima, set unions),
 * so facts from any number of tills in any order give the same state:
 * - point lots are per-day buckets of earned and expired points plus one
 *   `spent` total; which lot is still open is derived FIFO (ledger/lots.ts);
 * - stamp cards are per-day buckets of signed stamp increments;
 * - a paid membership is a base term plus the purchased terms, folded in date order.
 *
 * Every field added later must be optional or carry a default so older
 * snapshots keep parsing (tills on mixed versions keep syncing); the
 * pre-projection shapes of `lots` and `stamps` are converted on parse.
 */
import { z } from 'zod';

const dateKey = z.string().max(16);

/** [earned, expired] points of one earn day; expired is ≤ 0. */
const lotBucketSchema = z.tuple([z.number().int(), z.number().int()]);

export const lotBookSchema = z.object({
  /** Newest store-local day any fact touched; days older than the horizon fold into the oldest bucket. */
  asOf: dateKey.nullable().default(null),
  buckets: z.record(dateKey, lotBucketSchema).default({}),
  /** Points taken by redemptions, returns and adjustments (FIFO from the oldest bucket). */
  spent: z.number().int().default(0),
});
export type LotBook = z.infer<typeof lotBookSchema>;

/** The shape before the shared projection: a list of open lots. Converted to buckets by earn day. */
const legacyLotsSchema = z.array(
  z.object({ id: z.string(), points: z.number().int(), earnedAt: z.string(), expiresAt: z.string().nullable() }),
);

function lotsFromLegacy(raw: unknown): unknown {
  const legacy = legacyLotsSchema.safeParse(raw);
  if (!legacy.success) return raw;
  const buckets: Record<string, [number, number]> = {};
  let asOf: string | null = null;
  for (const lot of legacy.data) {
    const day = lot.earnedAt.slice(0, 10);
    const b = buckets[day] ?? [0, 0];
    buckets[day] = [b[0] + lot.points, 0];
    if (!asOf || day > asOf) asOf = day;
  }
  return { asOf, buckets, spent: 0 };
}

export const stampCardStateSchema = z.object({
  /** Newest store-local day a stamp was added or used. */
  asOf: dateKey.nullable().default(null),
  /** Signed stamps per store-local day (`all` for cards without a window). A negative sum is a stamp debt. */
  buckets: z.record(dateKey, z.number().int()).default({}),
});
export type StampCardState = z.infer<typeof stampCardStateSchema>;

function stampsFromLegacy(raw: unknown): unknown {
  if (!raw || typeof raw !== 'object') return raw;
  const out: Record<string, unknown> = {};
  for (const [card, value] of Object.entries(raw as Record<string, unknown>)) {
    const v = value as { count?: unknown; windowStart?: unknown; buckets?: unknown };
    if (v && typeof v === 'object' && v.buckets === undefined && typeof v.count === 'number') {
      const key = typeof v.windowStart === 'string' ? v.windowStart : 'all';
      out[card] = { asOf: typeof v.windowStart === 'string' ? v.windowStart : null, buckets: { [key]: v.count } };
    } else out[card] = value;
  }
  return out;
}

export const membershipTermSchema = z.object({
  /** The sale that bought the term (its natural id). */
  id: z.string().max(64),
  planId: z.string().max(64),
  /** Store-local date of the purchase; the term starts then or when the previous term ends. */
  from: dateKey,
  months: z.number().int().positive().max(120),
});
export type MembershipTerm = z.infer<typeof membershipTermSchema>;

export const memberStateSchema = z.object({
  /** Points balance as the server last knew it (sum of the member's effective entries). */
  balance: z.number().int(),
  lots: z.preprocess(lotsFromLegacy, lotBookSchema).default({ asOf: null, buckets: {}, spent: 0 }),
  /** Spend (minor units) and points earned inside the tier window. */
  tierWindow: z
    .object({ spendMinor: z.number().int().default(0), points: z.number().int().default(0) })
    .default({ spendMinor: 0, points: 0 }),
  tier: z.string().nullable().default(null),
  tierSince: z.string().nullable().default(null),
  stamps: z.preprocess(stampsFromLegacy, z.record(z.string(), stampCardStateSchema)).default({}),
  /** One-time / limited offers: offer id -> uses so far. */
  offerUses: z.record(z.string(), z.number().int().nonnegative()).default({}),
  /** Natural ids of one-off grants already made (e.g. "birthday:<member>:2026", "signup:<member>"). */
  grants: z.array(z.string()).default([]),
  householdId: z.string().nullable().default(null),
  /** The term set by head office (enrolment, migration); purchases at tills add `membershipTerms`. */
  membership: z.object({ planId: z.string(), validUntil: z.string() }).nullable().default(null),
  membershipTerms: z.array(membershipTermSchema).default([]),
  /** Points redeemed on the latest store-local day seen, for the offline redemption cap. */
  redeemedToday: z.object({ date: z.string(), points: z.number().int() }).nullable().default(null),
  birthday: z
    .string()
    .regex(/^\d{2}-\d{2}$/)
    .nullable()
    .default(null),
  segments: z.array(z.string()).default([]),
  /** The member who referred this one; both get the referral bonus after this member's first purchase. */
  referredBy: z.string().nullable().default(null),
  /**
   * The eWallet: its balance (minor units; below zero only after two offline tills spent the same money, which
   * the server flags) and what was spent from it on the latest store-local day seen, for the offline cap.
   */
  wallet: z
    .object({
      balanceMinor: z.number().int().default(0),
      spentToday: z.object({ date: z.string(), minor: z.number().int() }).nullable().default(null),
    })
    .default({ balanceMinor: 0, spentToday: null }),
  /** Last sale or redemption, for inactivity expiry. */
  lastActivityAt: z.string().nullable().default(null),
});
export type MemberState = z.infer<typeof memberStateSchema>;

export function emptyMemberState(): MemberState {
  return memberStateSchema.parse({ balance: 0 });
}
