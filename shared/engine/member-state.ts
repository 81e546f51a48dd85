/**
 * Member state: what the engine needs to know about a member, and nothing
 * more. Computed by the server and replicated down with a version; the till's
 * view is this snapshot plus its own unconfirmed ledger entries.
 *
 * Every field added later must be optional or carry a default so older
 * snapshots keep parsing (tills on mixed versions keep syncing).
 */
import { z } from 'zod';

export const pointLotSchema = z.object({
  /** Natural id of the lot: the ledger entry id that created it. */
  id: z.string(),
  points: z.number().int().nonnegative(),
  earnedAt: z.string(),
  expiresAt: z.string().nullable(),
});
export type PointLot = z.infer<typeof pointLotSchema>;

export const memberStateSchema = z.object({
  /** Points balance as the server last knew it. */
  balance: z.number().int(),
  /** Open point lots, oldest first (FIFO expiry). */
  lots: z.array(pointLotSchema).default([]),
  /** Spend (minor units) and points earned inside the rolling tier window. */
  tierWindow: z
    .object({ spendMinor: z.number().int().default(0), points: z.number().int().default(0) })
    .default({ spendMinor: 0, points: 0 }),
  tier: z.string().nullable().default(null),
  tierSince: z.string().nullable().default(null),
  /** Stamp cards: card id -> stamps collected and when the current window opened. */
  stamps: z
    .record(z.string(), z.object({ count: z.number().int().nonnegative(), windowStart: z.string().nullable() }))
    .default({}),
  /** One-time / limited offers: offer id -> uses so far. */
  offerUses: z.record(z.string(), z.number().int().nonnegative()).default({}),
  /** Natural ids of one-off grants already made (e.g. "birthday:2026", "signup"). */
  grants: z.array(z.string()).default([]),
  householdId: z.string().nullable().default(null),
  membership: z.object({ planId: z.string(), validUntil: z.string() }).nullable().default(null),
  /** Points redeemed today (store-local date) for the offline redemption cap. */
  redeemedToday: z.object({ date: z.string(), points: z.number().int() }).nullable().default(null),
  birthday: z
    .string()
    .regex(/^\d{2}-\d{2}$/)
    .nullable()
    .default(null),
  segments: z.array(z.string()).default([]),
  /** The member who referred this one; both get the referral bonus after this member's first purchase. */
  referredBy: z.string().nullable().default(null),
  /** Last sale or redemption, for inactivity expiry. */
  lastActivityAt: z.string().nullable().default(null),
});
export type MemberState = z.infer<typeof memberStateSchema>;

export const emptyMemberState = (): MemberState => memberStateSchema.parse({ balance: 0 });
