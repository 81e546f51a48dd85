/**
 * The loyalty program definition: versioned, validated by zod, the single
 * source of truth for the program file format (docs/program-format.md).
 *
 * Units: money is integer minor units of `currency`; points are integers;
 * multipliers are integer percentages (150 = 1.5×) so no float ever enters
 * a points calculation. Rounding is named, default "down".
 */
import { z } from 'zod';
import { currencySchema } from '../money';

const idSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'lower-case letters, digits and dashes');
const percentSchema = z.number().int().min(0).max(100_000);

const filterSchema = z
  .object({
    categories: z.array(z.string()).optional(),
    products: z.array(z.string()).optional(),
    excludeTags: z.array(z.string()).default([]),
  })
  .default({ excludeTags: [] });

export const earnRuleSchema = z.discriminatedUnion('kind', [
  z.object({
    id: idSchema,
    kind: z.literal('per-currency'),
    /** `points` for every full `perMinor` of eligible spend (e.g. 1 point per 100 cents). */
    points: z.number().int().positive(),
    perMinor: z.number().int().positive(),
    filter: filterSchema,
    label: z.string().optional(),
  }),
  z.object({
    id: idSchema,
    kind: z.literal('per-kg'),
    /** `points` per full kilogram of weighed goods matching the filter. */
    points: z.number().int().positive(),
    filter: filterSchema,
    label: z.string().optional(),
  }),
  z.object({
    id: idSchema,
    kind: z.literal('per-item'),
    points: z.number().int().positive(),
    filter: filterSchema,
    label: z.string().optional(),
  }),
  z.object({
    id: idSchema,
    kind: z.literal('multiplier'),
    /** Multiplies the base points of matching lines, e.g. 200 = double points on coffee. */
    percent: percentSchema,
    filter: filterSchema,
    label: z.string().optional(),
  }),
]);
export type EarnRule = z.infer<typeof earnRuleSchema>;

export const tierSchema = z.object({
  id: idSchema,
  name: z.string().min(1),
  /** Points earned inside the tier window needed to hold this tier. */
  threshold: z.number().int().nonnegative(),
  /** Multiplier on all earned points, integer percent (100 = none). */
  multiplier: percentSchema.default(100),
});

export const rewardSchema = z.object({
  id: idSchema,
  name: z.string().min(1),
  cost: z.number().int().positive(),
  kind: z.literal('amount-off'),
  amountMinor: z.number().int().positive(),
  minBasketMinor: z.number().int().nonnegative().default(0),
});
export type Reward = z.infer<typeof rewardSchema>;

export const programSchema = z
  .object({
    format: z.literal('kassa-program/1'),
    id: idSchema,
    version: z.number().int().nonnegative(),
    name: z.string().min(1),
    currency: currencySchema,
    rounding: z.enum(['down', 'half-up']).default('down'),
    /** A basket below this total (minor units) earns nothing. */
    minSpendMinor: z.number().int().nonnegative().default(0),
    earn: z.array(earnRuleSchema).min(1),
    tiers: z.array(tierSchema).default([]),
    rewards: z.array(rewardSchema).default([]),
    payWithPoints: z
      .object({
        /** Minor units one point is worth, e.g. 1 point = 1 cent. */
        minorPerPoint: z.number().int().positive(),
        /** At most this percent of the basket total may be paid with points. */
        maxPercent: z.number().int().min(1).max(100),
      })
      .nullable()
      .default(null),
    /** Points a member may redeem per store day while the till is offline. */
    offlineRedemptionCapPerDay: z.number().int().nonnegative().default(0),
  })
  .superRefine((p, ctx) => {
    const ids = new Set<string>();
    for (const [i, rule] of p.earn.entries()) {
      if (ids.has(rule.id))
        ctx.addIssue({ code: 'custom', path: ['earn', i, 'id'], message: `Duplicate rule id "${rule.id}"` });
      ids.add(rule.id);
    }
    for (let i = 1; i < p.tiers.length; i++) {
      if (p.tiers[i]!.threshold <= p.tiers[i - 1]!.threshold) {
        ctx.addIssue({ code: 'custom', path: ['tiers', i, 'threshold'], message: 'Tier thresholds must increase' });
      }
    }
  });
export type Program = z.infer<typeof programSchema>;
export type ProgramInput = z.input<typeof programSchema>;

export type ProgramIssue = { path: string; message: string };

/** Parses a program file; errors name the JSON path, e.g. `earn[0].perMinor: Too small: expected number to be >0`. */
export const validateProgram = (
  raw: unknown,
): { ok: true; program: Program } | { ok: false; issues: ProgramIssue[] } => {
  const parsed = programSchema.safeParse(raw);
  if (parsed.success) return { ok: true, program: parsed.data };
  return {
    ok: false,
    issues: parsed.error.issues.map((issue) => ({
      path: issue.path.reduce<string>(
        (acc, part) => (typeof part === 'number' ? `${acc}[${part}]` : acc ? `${acc}.${String(part)}` : String(part)),
        '',
      ),
      message: issue.message,
    })),
  };
};
