/**
 * The loyalty program definition: versioned, validated by zod, the single
 * source of truth for the program file format (docs/program-format.md).
 *
 * Units: money is integer minor units of `currency`; points are integers in
 * the program's smallest point unit (`pointsPrecision` says how many of their
 * digits are decimals when shown); multipliers and percentages are integer
 * percent (150 = 1.5×, 5 = 5 %), so no float enters a calculation. Rounding is
 * named; the default is "down".
 */
import { z } from 'zod';
import { currencySchema } from '../money';

const idSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'lower-case letters, digits and dashes');
const percentSchema = z.number().int().min(0).max(100_000);
const dateSchema = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD');

/** Which basket lines a rule applies to. */
const filterObject = z.object({
  categories: z.array(z.string()).optional(),
  products: z.array(z.string()).optional(),
  tags: z.array(z.string()).optional(),
  excludeTags: z.array(z.string()).default([]),
  excludeCategories: z.array(z.string()).default([]),
});
export const filterSchema = filterObject.default({ excludeTags: [], excludeCategories: [] });
export type Filter = z.infer<typeof filterSchema>;

/** When a rule is on, in the store's time zone: dates inclusive, days of week 1 = Monday … 7 = Sunday. */
export const windowSchema = z
  .object({
    from: dateSchema.optional(),
    to: dateSchema.optional(),
    daysOfWeek: z.array(z.number().int().min(1).max(7)).min(1).optional(),
  })
  .optional();
export type RuleWindow = z.infer<typeof windowSchema>;

const ruleBase = { id: idSchema, filter: filterSchema, window: windowSchema, label: z.string().optional() };

export const earnRuleSchema = z.discriminatedUnion('kind', [
  /** `points` for every full `perMinor` of eligible spend (e.g. 1 point per 100 cents). */
  z.object({
    ...ruleBase,
    kind: z.literal('per-currency'),
    points: z.number().int().positive(),
    perMinor: z.number().int().positive(),
  }),
  /** `points` per kilogram of weighed goods (pro rata by gram). */
  z.object({ ...ruleBase, kind: z.literal('per-kg'), points: z.number().int().positive() }),
  /** `points` per item. */
  z.object({ ...ruleBase, kind: z.literal('per-item'), points: z.number().int().positive() }),
  /** `points` once per order that has at least one matching line and reaches `minSpendMinor`. */
  z.object({
    ...ruleBase,
    kind: z.literal('per-order'),
    points: z.number().int().positive(),
    minSpendMinor: z.number().int().nonnegative().default(0),
  }),
  /** Multiplies the points of matching lines, e.g. 200 = double points on coffee (added to other multipliers: 200 + 150 = 2.5×). */
  z.object({ ...ruleBase, kind: z.literal('multiplier'), percent: percentSchema }),
]);
export type EarnRule = z.infer<typeof earnRuleSchema>;

export const tierSchema = z.object({
  id: idSchema,
  name: z.string().min(1),
  /** Spend (minor units) or points inside the tier window needed to reach this tier (see `tierRules.metric`). */
  threshold: z.number().int().nonnegative(),
  /** Multiplier on all earned points, integer percent (100 = none). */
  multiplier: percentSchema.default(100),
  perks: z
    .object({ percentOff: z.number().int().min(0).max(100).default(0), freeDelivery: z.boolean().default(false) })
    .default({ percentOff: 0, freeDelivery: false }),
});
export type Tier = z.infer<typeof tierSchema>;

export const rewardSchema = z.object({
  id: idSchema,
  name: z.string().min(1),
  cost: z.number().int().positive(),
  benefit: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('amount-off'), amountMinor: z.number().int().positive() }),
    z.object({ kind: z.literal('percent-off'), percent: z.number().int().min(1).max(100), filter: filterSchema }),
    z.object({ kind: z.literal('free-item'), productId: z.string() }),
    z.object({ kind: z.literal('donation'), cause: z.string().min(1), amountMinor: z.number().int().positive() }),
  ]),
  minBasketMinor: z.number().int().nonnegative().default(0),
  /** How many of it one order may take (each costs `cost`): two 5.00 vouchers, three free coffees. */
  maxPerOrder: z.number().int().positive().max(100).default(1),
  /** Only members of these tiers (ids) may redeem it. */
  tiers: z.array(z.string()).optional(),
  validFrom: dateSchema.optional(),
  validTo: dateSchema.optional(),
});
export type Reward = z.infer<typeof rewardSchema>;

export const stampCardSchema = z.object({
  id: idSchema,
  name: z.string().min(1),
  filter: filterSchema,
  /** Every `every`-th matching item is free… */
  every: z.number().int().min(2),
  /** …if the stamps were collected within this many days of the first one. */
  windowDays: z.number().int().positive().max(366).nullable().default(null),
});
export type StampCard = z.infer<typeof stampCardSchema>;

export const offerSchema = z.object({
  id: idSchema,
  name: z.string().min(1),
  filter: filterSchema,
  benefit: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('percent-off'), percent: z.number().int().min(1).max(100) }),
    z.object({ kind: z.literal('price'), priceMinor: z.number().int().nonnegative() }),
    z.object({ kind: z.literal('bonus-points'), points: z.number().int().positive() }),
  ]),
  /** Who gets it: everyone, members of segments, or named members. */
  segments: z.array(z.string()).optional(),
  memberIds: z.array(z.string()).optional(),
  window: windowSchema,
  /** Uses per member (1 = one-time); null = unlimited. */
  maxUses: z.number().int().positive().nullable().default(null),
});
export type Offer = z.infer<typeof offerSchema>;

/** A promotion's benefit. `on`: the whole order, the matching lines, or the cheapest matching unit. */
const promotionBenefitSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('percent-off'),
    percent: z.number().int().min(1).max(100),
    on: z.enum(['order', 'matching', 'cheapest']).default('matching'),
    /** At most this much off per order, however large the basket. */
    maxDiscountMinor: z.number().int().positive().optional(),
  }),
  z.object({
    kind: z.literal('amount-off'),
    amountMinor: z.number().int().positive(),
    on: z.enum(['order', 'matching', 'cheapest']).default('matching'),
  }),
  /** `quantity` units of a product free per claim; the cashier scans them like any other item. */
  z.object({
    kind: z.literal('free-product'),
    productId: z.string().min(1),
    quantity: z.number().int().positive().default(1),
  }),
  /**
   * A coupon for a later sale, per claim: the member gets one use of the promotion `promotionId` (one marked
   * `coupon`), from the next sale on.
   */
  z.object({ kind: z.literal('next-order-coupon'), promotionId: idSchema }),
  /** Points for the member, per claim: a coupon preloaded with points (a members' promotion, usually with a code). */
  z.object({ kind: z.literal('points'), points: z.number().int().positive().max(1_000_000) }),
  /**
   * Buy `buy`, get `get` at `percent` off (100 = free), per set of matching units: the cheapest units are the ones
   * discounted. With `getFilter`, the discounted units are those matching it (never counted as bought).
   */
  z.object({
    kind: z.literal('buy-x-get-y'),
    buy: z.number().int().positive(),
    get: z.number().int().positive(),
    percent: z.number().int().min(1).max(100).default(100),
    getFilter: filterObject.optional(),
  }),
]);

/**
 * A promotion for everyone at the till (with a card or without: `audience`), as Odoo's and ERPNext's pricing rules
 * run them: a condition on the matching lines or the whole order, and a benefit. Applied in program order, each on
 * what the earlier rules left; of promotions sharing a `group`, only the one worth most applies.
 */
export const promotionSchema = z.object({
  id: idSchema,
  name: z.string().min(1).max(80),
  audience: z.enum(['everyone', 'members']).default('everyone'),
  filter: filterSchema,
  window: windowSchema,
  condition: z
    .object({
      /** Matching units (a weighed line is one). */
      minQuantity: z.number().int().positive().optional(),
      /** Spend, of the matching lines or of the whole order (`amountOf`), as it stands when the promotion comes. */
      minAmountMinor: z.number().int().positive().optional(),
      amountOf: z.enum(['matching', 'order']).default('matching'),
      tax: z.enum(['included', 'excluded']).default('included'),
    })
    .default({ amountOf: 'matching', tax: 'included' }),
  benefit: promotionBenefitSchema,
  /**
   * How many times one order may claim it: each claim needs the condition again (twice the quantity or amount;
   * for buy-x-get-y, another set). Default once; null = as often as the basket allows.
   */
  maxClaimsPerOrder: z.number().int().positive().nullable().default(1),
  group: idSchema.optional(),
  /**
   * A promo code: the promotion applies only to a sale the code was entered or scanned on (letters, digits and
   * dashes; not case-sensitive: kept in capitals).
   */
  code: z
    .string()
    .regex(/^[A-Za-z0-9-]{3,32}$/, '3 to 32 letters, digits and dashes')
    .transform((c) => c.toUpperCase())
    .optional(),
  /**
   * Single-use coupons: the promotion applies to a sale one of this batch's codes was entered or scanned on, each
   * code once in the whole chain. Head office generates the codes (POST /api/v1/admin/programs/:id/coupon-batches,
   * printed or exported as CSV); tills receive them and the codes used, and the server keeps the coupon ledger.
   */
  couponBatch: idSchema.optional(),
  /** Uses per member (a members-only promotion): the member's state counts them; the server flags overuse. */
  maxUsesPerMember: z.number().int().positive().optional(),
  /**
   * What points are earned on for what this promotion takes off: the price after it or before it. Unset, the
   * program's `pointsBase.discounts` decides, as for every other discount.
   */
  pointsOn: z.enum(['after', 'before']).optional(),
  /** Applies only while the member holds a coupon for it (issued by a `next-order-coupon` promotion), using one. */
  coupon: z.boolean().default(false),
});
export type Promotion = z.infer<typeof promotionSchema>;

export const membershipPlanSchema = z.object({
  id: idSchema,
  name: z.string().min(1),
  feeMinor: z.number().int().nonnegative(),
  termMonths: z.number().int().positive(),
  perks: z.object({ multiplier: percentSchema.default(100), percentOff: z.number().int().min(0).max(100).default(0) }),
});

/**
 * A benefit that is not money off: priority service, an invitation to an event, early access to a sale, free
 * delivery. The till shows it as a badge on the member panel; nothing is priced from it. Who holds it: members of
 * `tiers`, holders of a paid membership in `memberships`, or members of `segments` (any one suffices); with none of
 * these set, every member. `window` limits when it shows (an event's dates).
 */
export const perkSchema = z.object({
  id: idSchema,
  kind: z.enum(['priority-service', 'event', 'early-access', 'free-delivery', 'other']),
  name: z.string().min(1).max(80),
  tiers: z.array(z.string()).optional(),
  memberships: z.array(z.string()).optional(),
  segments: z.array(z.string()).optional(),
  window: windowSchema,
});
export type Perk = z.infer<typeof perkSchema>;

/** The stages of a quote, in their default order. */
const STAGES = [
  'member-price',
  'promotion',
  'offer',
  'stamp',
  'discount-card',
  'tier',
  'membership',
  'reward',
  'points',
] as const;
export const stageSchema = z.enum(STAGES);
export type Stage = z.infer<typeof stageSchema>;

/** What makes a program's promotions inconsistent with each other or with the stacking order. */
function promotionIssues(
  promotions: readonly Promotion[],
  order: readonly Stage[],
): Array<{ path: Array<string | number>; message: string }> {
  const out: Array<{ path: Array<string | number>; message: string }> = [];
  const issue = (i: number, field: string[], message: string) =>
    out.push({ path: ['promotions', i, ...field], message });
  if (promotions.length > 0 && !order.includes('promotion'))
    out.push({
      path: ['stacking', 'order'],
      message: 'The order must name "promotion" when the program has promotions',
    });
  const codes = new Set<string>();
  const heldByMembers = (promo: Promotion) => promo.audience === 'members' && promo.group === undefined;
  for (const [i, promo] of promotions.entries()) {
    if (promo.code !== undefined) {
      if (codes.has(promo.code)) issue(i, ['code'], `Duplicate code "${promo.code}"`);
      codes.add(promo.code);
    }
    const b = promo.benefit;
    if (b.kind === 'next-order-coupon') {
      const t = promotions.find((x) => x.id === b.promotionId);
      if (!t || !t.coupon || t.audience !== 'members')
        issue(
          i,
          ['benefit', 'promotionId'],
          `No members' promotion "${b.promotionId}" marked "coupon" in this program`,
        );
    }
    if ((promo.coupon || b.kind === 'next-order-coupon') && !heldByMembers(promo))
      issue(i, ['audience'], 'Coupons are held by members ("audience": "members"), and not in a best-of group');
    if (b.kind === 'points' && !heldByMembers(promo))
      issue(
        i,
        ['benefit'],
        'Points are for members ("audience": "members"), and not in a best-of group (they are not money off)',
      );
    if (promo.couponBatch !== undefined && promo.code !== undefined)
      issue(i, ['couponBatch'], 'A promotion has one promo code or a batch of single-use coupons, not both');
    if (promo.couponBatch !== undefined && promotions.some((p, k) => k < i && p.couponBatch === promo.couponBatch))
      issue(i, ['couponBatch'], `The batch "${promo.couponBatch}" belongs to another promotion already`);
    if (promo.maxUsesPerMember !== undefined && promo.audience !== 'members')
      issue(
        i,
        ['maxUsesPerMember'],
        'Uses per member need "audience": "members" (a customer without a card cannot be counted)',
      );
    const c = promo.condition;
    if (promo.maxClaimsPerOrder !== 1 && b.kind !== 'buy-x-get-y' && !c.minQuantity && !c.minAmountMinor)
      issue(
        i,
        ['maxClaimsPerOrder'],
        'A promotion claimed more than once needs a minimum quantity or amount per claim',
      );
  }
  return out;
}

export const programSchema = z
  .object({
    format: z.literal('kassa-program/1'),
    id: idSchema,
    version: z.number().int().nonnegative(),
    name: z.string().min(1),
    currency: currencySchema,
    /** Decimals of a point when shown: 2 means the integer 125 reads "1.25 points". */
    pointsPrecision: z.number().int().min(0).max(2).default(0),
    rounding: z.enum(['down', 'half-up']).default('down'),
    /** What points are earned on: the amount after discounts (default) or before; with tax or without. */
    pointsBase: z
      .object({
        discounts: z.enum(['before', 'after']).default('after'),
        tax: z.enum(['included', 'excluded']).default('included'),
      })
      .default({ discounts: 'after', tax: 'included' }),
    /** Discounts apply in this order, each on what the earlier ones left; in an exclusive group only the largest applies. */
    stacking: z
      .object({
        order: z.array(stageSchema).default([...STAGES]),
        exclusive: z
          .array(z.array(z.enum(['discount-card', 'tier', 'membership'])))
          .default([['discount-card', 'tier', 'membership']]),
      })
      .default({
        order: [...STAGES],
        exclusive: [['discount-card', 'tier', 'membership']],
      }),
    /** A basket below this total (minor units) earns nothing. */
    minSpendMinor: z.number().int().nonnegative().default(0),
    earn: z.array(earnRuleSchema).default([]),
    tierRules: z
      .object({
        metric: z.enum(['points', 'spend']).default('points'),
        windowMonths: z.number().int().positive().default(12),
        /** Days after the window end before a downgrade takes effect. */
        downgradeGraceDays: z.number().int().nonnegative().default(0),
      })
      .default({ metric: 'points', windowMonths: 12, downgradeGraceDays: 0 }),
    tiers: z.array(tierSchema).default([]),
    stampCards: z.array(stampCardSchema).default([]),
    /** A fixed percent off for card holders (all members, or those in `segment`). */
    discountCard: z
      .object({ percent: z.number().int().min(1).max(100), filter: filterSchema, segment: z.string().optional() })
      .nullable()
      .default(null),
    /** Member-only prices. */
    memberPrices: z.array(z.object({ productId: z.string(), priceMinor: z.number().int().nonnegative() })).default([]),
    offers: z.array(offerSchema).default([]),
    promotions: z.array(promotionSchema).default([]),
    bonuses: z
      .object({
        signup: z.number().int().positive().optional(),
        emailConfirmed: z.number().int().positive().optional(),
        referral: z
          .object({ referrer: z.number().int().nonnegative(), referee: z.number().int().nonnegative() })
          .optional(),
        review: z.number().int().positive().optional(),
        birthday: z
          .object({ points: z.number().int().positive(), windowDays: z.number().int().nonnegative().default(0) })
          .optional(),
      })
      .default({}),
    rewards: z.array(rewardSchema).default([]),
    payWithPoints: z
      .object({
        /** Minor units one point is worth, e.g. 1 point = 1 cent. */
        minorPerPoint: z.number().int().positive(),
        /** At most this percent of the basket total may be paid with points. */
        maxPercent: z.number().int().min(1).max(100),
        /** Points are paid in multiples of this (100: in steps of 100 points); a cap rounds down to a multiple. */
        blockPoints: z.number().int().positive().default(1),
      })
      .nullable()
      .default(null),
    expiry: z
      .discriminatedUnion('mode', [
        z.object({ mode: z.literal('none') }),
        z.object({
          mode: z.literal('months-after-earn'),
          months: z.number().int().positive(),
          warnDays: z.number().int().nonnegative().default(30),
        }),
        z.object({
          mode: z.literal('days-after-earn'),
          /** Each lot expires this many days after the day it was earned (coupons-style validity). */
          days: z.number().int().positive().max(3650),
          warnDays: z.number().int().nonnegative().default(30),
        }),
        z.object({
          mode: z.literal('inactivity'),
          /** How long without a sale or redemption: `months` or `days`, one of the two. */
          months: z.number().int().positive().optional(),
          days: z.number().int().positive().max(3650).optional(),
          warnDays: z.number().int().nonnegative().default(30),
        }),
        z.object({
          mode: z.literal('fixed-date'),
          /** Points expire on this month/day, `yearsAfter` years after the year they were earned. */
          month: z.number().int().min(1).max(12),
          day: z.number().int().min(1).max(31),
          yearsAfter: z.number().int().min(0).max(10).default(1),
          warnDays: z.number().int().nonnegative().default(30),
        }),
      ])
      .default({ mode: 'none' }),
    memberships: z.array(membershipPlanSchema).default([]),
    perks: z.array(perkSchema).default([]),
    /**
     * Returns without a receipt, picked from the member's purchase history at the till (a service card, as DIY
     * chains run them): the member's card stands in for the receipt. Off unless the program says so.
     */
    returns: z.object({ fromHistory: z.boolean().default(false) }).default({ fromHistory: false }),
    /**
     * Whether a member may spend the points this very order earns (a reward or points paid with, on top of the
     * balance). The order must leave the balance at zero or above once its points are earned.
     */
    spendSameOrderPoints: z.boolean().default(false),
    /**
     * A stored-value eWallet per member: topped up at the till as a basket line (money in, no points, no VAT: VAT
     * is charged on what the wallet later buys), spent as a tender, refunded to when a sale paid with it is
     * returned. Off unless the program sets it.
     */
    wallet: z
      .object({
        /** The most a wallet may hold after a top-up. */
        maxBalanceMinor: z.number().int().positive().max(100_000_000),
        /** The smallest top-up the till takes. */
        minTopUpMinor: z.number().int().positive().default(100),
        /** What a member may spend from the wallet per store day at a till that is offline (0: nothing). */
        offlineSpendCapPerDayMinor: z.number().int().nonnegative().default(0),
      })
      .nullable()
      .default(null),
    /**
     * Gift cards: numbered stored-value cards anyone may buy (no member needed). A card is sold or reloaded as a
     * basket line, spent as a tender (in part; what is left stays on it), and refunded to when a sale paid with it
     * is returned. A card is valid `validMonths` after the latest day money was put on it. Off unless set.
     */
    giftCards: z
      .object({
        /** What every card number of the program starts with: `GIFT-7KQ2H9TD`. */
        prefix: z
          .string()
          .regex(/^[A-Z0-9]{2,12}$/, '2 to 12 capital letters and digits')
          .default('GIFT'),
        /** The smallest amount a sale puts on a card. */
        minLoadMinor: z.number().int().positive().default(500),
        /** The most a card may hold. */
        maxBalanceMinor: z.number().int().positive().max(100_000_000),
        /** Months a card stays valid after money was last put on it (0: it never expires). */
        validMonths: z.number().int().min(0).max(600).default(36),
        /** What may be spent from one card per store day at a till that is offline (0: nothing). */
        offlineSpendCapPerDayMinor: z.number().int().nonnegative().default(0),
      })
      .nullable()
      .default(null),
    /** Points a member may redeem per store day while the till is offline. */
    offlineRedemptionCapPerDay: z.number().int().nonnegative().default(0),
    /**
     * What the server does with a sale whose points or effects the program could not have produced
     * (it re-runs this engine on every sale): `correct` parks the till's entries for review and books
     * what the program gives instead; `flag` parks them and books nothing until an operator decides.
     */
    serverCheck: z.enum(['correct', 'flag']).default('correct'),
  })
  .superRefine((p, ctx) => {
    const unique = (list: Array<{ id: string }>, key: string) => {
      const seen = new Set<string>();
      for (const [i, item] of list.entries()) {
        if (seen.has(item.id))
          ctx.addIssue({ code: 'custom', path: [key, i, 'id'], message: `Duplicate id "${item.id}"` });
        seen.add(item.id);
      }
    };
    if (p.expiry.mode === 'inactivity' && (p.expiry.months === undefined) === (p.expiry.days === undefined))
      ctx.addIssue({ code: 'custom', path: ['expiry'], message: 'Inactivity expiry needs "months" or "days" (one)' });
    unique(p.earn, 'earn');
    unique(p.tiers, 'tiers');
    unique(p.rewards, 'rewards');
    unique(p.offers, 'offers');
    unique(p.promotions, 'promotions');
    for (const x of promotionIssues(p.promotions, p.stacking.order))
      ctx.addIssue({ code: 'custom', path: x.path, message: x.message });
    unique(p.stampCards, 'stampCards');
    unique(p.memberships, 'memberships');
    unique(p.perks, 'perks');
    const planIds = new Set(p.memberships.map((m) => m.id));
    for (let i = 1; i < p.tiers.length; i++) {
      if (p.tiers[i]!.threshold <= p.tiers[i - 1]!.threshold) {
        ctx.addIssue({ code: 'custom', path: ['tiers', i, 'threshold'], message: 'Tier thresholds must increase' });
      }
    }
    const tierIds = new Set(p.tiers.map((t) => t.id));
    for (const [i, r] of p.rewards.entries()) {
      if (r.benefit.kind === 'percent-off' && r.maxPerOrder > 1)
        ctx.addIssue({
          code: 'custom',
          path: ['rewards', i, 'maxPerOrder'],
          message: 'A percentage reward is taken once per order',
        });
      for (const t of r.tiers ?? []) {
        if (!tierIds.has(t))
          ctx.addIssue({ code: 'custom', path: ['rewards', i, 'tiers'], message: `No tier "${t}" in this program` });
      }
    }
    for (const [i, perk] of p.perks.entries()) {
      for (const t of perk.tiers ?? []) {
        if (!tierIds.has(t))
          ctx.addIssue({ code: 'custom', path: ['perks', i, 'tiers'], message: `No tier "${t}" in this program` });
      }
      for (const m of perk.memberships ?? []) {
        if (!planIds.has(m))
          ctx.addIssue({
            code: 'custom',
            path: ['perks', i, 'memberships'],
            message: `No membership plan "${m}" in this program`,
          });
      }
    }
    if (
      p.earn.length === 0 &&
      p.stampCards.length === 0 &&
      !p.discountCard &&
      p.memberPrices.length === 0 &&
      p.offers.length === 0 &&
      p.promotions.length === 0 &&
      !p.returns.fromHistory
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['earn'],
        message:
          'A program needs at least one earn rule, stamp card, discount card, member price, offer or promotion, or returns from the purchase history',
      });
    }
  });
export type Program = z.infer<typeof programSchema>;
export type ProgramInput = z.input<typeof programSchema>;

export type ProgramIssue = { path: string; message: string };

export const formatPath = (path: readonly PropertyKey[]): string =>
  path.reduce<string>(
    (acc, part) => (typeof part === 'number' ? `${acc}[${part}]` : acc ? `${acc}.${String(part)}` : String(part)),
    '',
  );

/** Parses a program file; errors name the JSON path, e.g. `earn[0].perMinor: Too small: expected number to be >0`. */
export const validateProgram = (
  raw: unknown,
): { ok: true; program: Program } | { ok: false; issues: ProgramIssue[] } => {
  const parsed = programSchema.safeParse(raw);
  if (parsed.success) return { ok: true, program: parsed.data };
  return {
    ok: false,
    issues: parsed.error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message })),
  };
};
