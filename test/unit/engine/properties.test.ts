/**
 * Properties of the engine over random baskets, members and programs
 * (fast-check): points are never created from nothing, a full return
 * restores the balance exactly, quotes do not depend on line order (nor,
 * for unit-wise mechanics, on how units are split into lines),
 * redemption never exceeds the balance (nor the offline cap; with same-order
 * points, the balance plus what the order earns), totals are
 * never negative, and no program file crashes the validator.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import type { SaleBody } from '../../../shared/documents';
import {
  commitSale,
  emptyMemberState,
  programSchema,
  quote,
  refund,
  validateProgram,
  type BasketLine,
  type MemberState,
  type QuoteInput,
} from '../../../shared/engine';

const richFile = {
  format: 'kassa-program/1',
  id: 'rich',
  version: 1,
  name: 'Rich',
  currency: 'EUR',
  earn: [
    { id: 'base', kind: 'per-currency', points: 1, perMinor: 100, filter: { excludeTags: ['tobacco'] } },
    { id: 'kg', kind: 'per-kg', points: 3, filter: { categories: ['produce'] } },
    { id: 'items', kind: 'per-item', points: 2, filter: { categories: ['drinks'] } },
    { id: 'order', kind: 'per-order', points: 5, minSpendMinor: 1000 },
    {
      id: 'double',
      kind: 'multiplier',
      percent: 200,
      filter: { categories: ['coffee'] },
      window: { daysOfWeek: [1, 2, 3] },
    },
  ],
  tiers: [
    { id: 't1', name: 'One', threshold: 0 },
    { id: 't2', name: 'Two', threshold: 500, multiplier: 150, perks: { percentOff: 3, freeDelivery: false } },
  ],
  stampCards: [{ id: 'drinks', name: 'Drinks card', filter: { categories: ['drinks'] }, every: 4, windowDays: 30 }],
  discountCard: { percent: 5, filter: { excludeCategories: ['tobacco'] } },
  memberPrices: [{ productId: 'p1', priceMinor: 50 }],
  offers: [
    {
      id: 'o',
      name: 'Produce 10 %',
      filter: { categories: ['produce'] },
      benefit: { kind: 'percent-off', percent: 10 },
      maxUses: 2,
    },
  ],
  bonuses: { birthday: { points: 40, windowDays: 2 } },
  rewards: [
    { id: 'r-amount', name: '3.00 off', cost: 300, benefit: { kind: 'amount-off', amountMinor: 300 }, maxPerOrder: 2 },
    { id: 'r-free', name: 'Free p1', cost: 100, benefit: { kind: 'free-item', productId: 'p1' }, maxPerOrder: 2 },
  ],
  payWithPoints: { minorPerPoint: 1, maxPercent: 50 },
  offlineRedemptionCapPerDay: 250,
  promotions: [
    {
      id: 'grocery-3-for-2',
      name: '3 for 2',
      filter: { categories: ['grocery'] },
      benefit: { kind: 'buy-x-get-y', buy: 2, get: 1 },
      maxClaimsPerOrder: null,
    },
    {
      id: 'coffee-cheapest',
      name: 'Cheapest coffee half price',
      filter: { categories: ['coffee'] },
      condition: { minQuantity: 2 },
      benefit: { kind: 'percent-off', percent: 50, on: 'cheapest' },
    },
    {
      id: 'free-p3',
      name: 'p3 free per 20.00',
      condition: { minAmountMinor: 2000, amountOf: 'order' },
      benefit: { kind: 'free-product', productId: 'p3' },
      maxClaimsPerOrder: 2,
    },
    {
      id: 'produce-pct',
      name: 'Produce 7 %',
      group: 'best',
      filter: { categories: ['produce'] },
      benefit: { kind: 'percent-off', percent: 7, maxDiscountMinor: 300 },
    },
    {
      id: 'spend-points',
      name: '25 points per 30.00',
      audience: 'members',
      condition: { minAmountMinor: 3000, amountOf: 'order' },
      benefit: { kind: 'points', points: 25 },
      maxClaimsPerOrder: null,
    },
    {
      id: 'order-off',
      name: '2.00 off 30.00',
      group: 'best',
      audience: 'members',
      condition: { minAmountMinor: 3000, amountOf: 'order', tax: 'excluded' },
      benefit: { kind: 'amount-off', amountMinor: 200, on: 'order' },
    },
  ],
};
const rich = programSchema.parse(richFile);
/**
 * The rich program with only the mechanics that work on whole units. Left out: percentages per line (discount
 * card, offer, tier perk), which round down per line, so a line of three can get a cent more off than three lines
 * of one; discounts shared out over lines (a promotion's percentage or amount), whose leftover cent falls on one
 * line; and a unit discounted in part (the cheapest half price: here it is free). After either of the last two a
 * line's units are no longer all worth the same, and a later free unit is worth its line's average.
 */
const perUnit = programSchema.parse({
  ...richFile,
  discountCard: undefined,
  offers: [],
  tiers: richFile.tiers.map(({ perks: _perks, ...t }) => t),
  promotions: richFile.promotions
    .filter((p) => p.benefit.kind !== 'percent-off' || p.benefit.on === 'cheapest')
    .filter((p) => p.benefit.kind !== 'amount-off')
    .map((p) => (p.id === 'coffee-cheapest' ? { ...p, benefit: { ...p.benefit, percent: 100 } } : p)),
});

const categories = ['grocery', 'coffee', 'produce', 'drinks', 'tobacco'];
const lineArb = fc.record({
  product: fc.integer({ min: 1, max: 6 }),
  category: fc.constantFrom(...categories),
  price: fc.integer({ min: 1, max: 5000 }),
  quantity: fc.integer({ min: 1, max: 5 }),
  grams: fc.option(fc.integer({ min: 1, max: 5000 }), { nil: null }),
});
const basketArb = fc.array(lineArb, { minLength: 1, maxLength: 10 }).map((specs) =>
  specs.map((s, i): BasketLine => ({
    lineId: `L${String(i).padStart(2, '0')}`,
    productId: `p${s.product}`,
    ean: '',
    name: `Product ${s.product}`,
    categoryId: s.category,
    tags: s.category === 'tobacco' ? ['tobacco'] : [],
    unit: s.grams === null ? 'each' : 'kg',
    quantity: s.grams === null ? s.quantity : 1,
    grams: s.grams,
    unitPriceMinor: s.price,
  })),
);
const stateArb = fc
  .record({
    balance: fc.integer({ min: 0, max: 3000 }),
    tierPoints: fc.integer({ min: 0, max: 1000 }),
    stamps: fc.integer({ min: 0, max: 3 }),
    redeemedToday: fc.integer({ min: 0, max: 300 }),
    birthday: fc.constantFrom(null, '11-24', '06-01'),
  })
  .map((s): MemberState => ({
    ...emptyMemberState(),
    balance: s.balance,
    tierWindow: { spendMinor: 0, points: s.tierPoints },
    stamps: { drinks: { asOf: '2026-11-20', buckets: { '2026-11-20': s.stamps } } },
    redeemedToday: { date: '2026-11-24', points: s.redeemedToday },
    birthday: s.birthday,
  }));
const redeemArb = fc.oneof(
  fc.constant(null),
  fc
    .record({ rewardId: fc.constantFrom('r-amount', 'r-free', 'nope'), count: fc.constantFrom(undefined, 1, 2, 3) })
    .map(({ rewardId, count }) => ({ kind: 'reward' as const, rewardId, ...(count === undefined ? {} : { count }) })),
  fc.integer({ min: 1, max: 4000 }).map((points) => ({ kind: 'points' as const, points })),
);
const inputArb = fc
  .record({ basket: basketArb, state: stateArb, redeem: redeemArb, offline: fc.boolean() })
  .map((x): QuoteInput => ({
    program: rich,
    member: { id: '01KDVDNA000000000000000002', state: x.state },
    basket: x.basket,
    at: '2026-11-24T10:00:00Z',
    timeZone: 'Europe/Amsterdam',
    redeem: x.redeem,
    offline: x.offline,
  }));

const saleOf = (input: QuoteInput): { sale: SaleBody; redeemed: number } => {
  const q = quote(input);
  const byId = new Map(input.basket.map((l) => [l.lineId, l]));
  return {
    redeemed: q.pointsRedeemed,
    sale: {
      storeId: 's',
      cashierId: 'c',
      memberId: input.member!.id,
      currency: 'EUR',
      lines: q.lines.map((l) => {
        const b = byId.get(l.lineId)!;
        return {
          lineId: b.lineId,
          kind: 'item' as const,
          unit: b.unit,
          tags: b.tags,
          productId: b.productId,
          ean: '',
          name: b.name,
          quantity: b.quantity,
          grams: b.grams,
          unitPriceMinor: b.unitPriceMinor,
          amountMinor: l.amountMinor,
          discountMinor: l.discountMinor,
          points: l.points,
          categoryId: b.categoryId,
        };
      }),
      subtotalMinor: q.subtotalMinor,
      discountMinor: q.discountMinor,
      totalMinor: q.totalMinor,
      tenders: [{ kind: 'cash', amountMinor: q.totalMinor }],
      programId: 'rich',
      programVersion: 1,
      memberSeq: 1,
      accountSeq: null,
      accountId: null,
      redeem: input.redeem ?? null,
      offline: input.offline ?? false,
      refundOf: null,
      receiptNo: null,
      entryIds: [],
      effects: null,
    },
  };
};

describe('engine properties', () => {
  it('totals are never negative and add up; every point is attributed', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const q = quote(input);
        expect(q.totalMinor).toBeGreaterThanOrEqual(0);
        expect(q.discountMinor).toBeGreaterThanOrEqual(0);
        expect(q.subtotalMinor - q.discountMinor).toBe(q.totalMinor);
        for (const l of q.lines) {
          expect(l.totalMinor).toBeGreaterThanOrEqual(0);
          expect(l.amountMinor - l.discountMinor).toBe(l.totalMinor);
        }
        const fromRules = q.earnedByRule.reduce((s, e) => s + e.points, 0);
        expect(q.lines.reduce((s, l) => s + l.points, 0)).toBe(fromRules);
      }),
      { numRuns: 300 },
    );
  });

  it('redemption never exceeds the balance, nor the offline cap when offline', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const q = quote(input);
        const s = input.member!.state;
        expect(q.pointsRedeemed).toBeLessThanOrEqual(s.balance);
        if (input.offline)
          expect(q.pointsRedeemed).toBeLessThanOrEqual(Math.max(0, 250 - (s.redeemedToday?.points ?? 0)));
        expect(q.balanceAfter).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 300 },
    );
  });

  it('spending points the order earns never leaves the balance below zero', () => {
    const same = programSchema.parse({ ...richFile, spendSameOrderPoints: true });
    fc.assert(
      fc.property(inputArb, (input) => {
        const q = quote({ ...input, program: same });
        expect(q.pointsRedeemed).toBeLessThanOrEqual(input.member!.state.balance + q.pointsEarned);
        expect(q.balanceAfter).toBeGreaterThanOrEqual(0);
        expect(q.totalMinor).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 300 },
    );
  });

  it('no points from nothing: the ledger moves the balance exactly as the quote says, bounded by the spend', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const q = quote(input);
        if (q.errors.length > 0) return;
        const { entries } = commitSale({ ...input, saleId: 'S' });
        const total = entries.reduce((s, e) => s + e.points, 0);
        expect(total).toBe(q.balanceAfter! - q.balanceBefore!);
        // Upper bound: every rule at its highest rate with every multiplier, plus the bonuses and the points
        // promotion (25 per 30.00 of the basket before discounts).
        const grams = input.basket.reduce((s, l) => s + (l.grams ?? 0), 0);
        const items = input.basket.reduce((s, l) => s + l.quantity, 0);
        const bound =
          Math.ceil((((q.totalMinor / 100) * 2 + (grams / 1000) * 3 * 2 + items * 2 * 2 + 5) * 150) / 100) +
          40 +
          Math.floor(q.subtotalMinor / 3000) * 25;
        expect(q.pointsEarned).toBeLessThanOrEqual(bound);
        expect(quote({ ...input, member: null }).pointsEarned).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it('a full return restores the balance exactly, whether returned at once or line by line', () => {
    fc.assert(
      fc.property(inputArb, fc.boolean(), (input, piecewise) => {
        if (quote(input).errors.length > 0) return;
        const { entries } = commitSale({ ...input, saleId: 'S' });
        const own = entries.filter((e) => e.memberId === input.member!.id && e.type !== 'bonus');
        const { sale, redeemed } = saleOf(input);
        const all = sale.lines.map((l, i) => ({ lineIndex: i, quantity: l.quantity }));
        let back = 0;
        if (piecewise) {
          const done: Array<{ lineIndex: number; quantity: number }> = [];
          for (const r of all) {
            for (let k = 0; k < r.quantity; k++) {
              const step = { lineIndex: r.lineIndex, quantity: 1 };
              back += refund({
                sale,
                saleId: 'S',
                pointsRedeemed: redeemed,
                returned: [step],
                alreadyReturned: [...done],
              }).entries.reduce((s, e) => s + e.points, 0);
              done.push(step);
            }
          }
        } else {
          back = refund({ sale, saleId: 'S', pointsRedeemed: redeemed, returned: all }).entries.reduce(
            (s, e) => s + e.points,
            0,
          );
        }
        expect(own.reduce((s, e) => s + e.points, 0) + back).toBe(0);
      }),
      { numRuns: 200 },
    );
  });

  it('a quote does not depend on the order lines were scanned in', () => {
    fc.assert(
      fc.property(inputArb, fc.integer(), (input, seed) => {
        const shuffled = [...input.basket].sort(
          (a, b) => ((a.lineId.charCodeAt(2) * seed) % 7) - ((b.lineId.charCodeAt(2) * seed) % 7),
        );
        expect(JSON.stringify(quote({ ...input, basket: shuffled }))).toBe(JSON.stringify(quote(input)));
      }),
      { numRuns: 200 },
    );
  });

  it('a quote does not depend on how units are split into lines (free units, per-item points, stamps)', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        // An amount off the basket (a reward, points paid) is shared out in proportion to the lines, and the cent
        // left over goes to one line: which line, and so whether it is one that earns, depends on the lines.
        fc.pre(!input.redeem || (input.redeem.kind === 'reward' && input.redeem.rewardId !== 'r-amount'));
        // Every line of several units becomes that many lines of one, in the same place.
        const split = input.basket.flatMap((l) =>
          l.unit === 'kg'
            ? [l]
            : Array.from({ length: l.quantity }, (_, u) => ({ ...l, lineId: `${l.lineId}-${u}`, quantity: 1 })),
        );
        const sum = (q: ReturnType<typeof quote>) => ({
          totalMinor: q.totalMinor,
          discountMinor: q.discountMinor,
          pointsEarned: q.pointsEarned,
          pointsRedeemed: q.pointsRedeemed,
          stamps: q.effects.stamps,
          errors: q.errors.map((e) => e.code),
        });
        const program = perUnit;
        expect(sum(quote({ ...input, program, basket: split }))).toEqual(sum(quote({ ...input, program })));
      }),
      { numRuns: 300 },
    );
  });

  it('the validator never crashes on fuzzed program files', () => {
    const valid: unknown = JSON.parse(
      readFileSync(new URL('../../../examples/supermarket.json', import.meta.url), 'utf8'),
    );
    fc.assert(
      fc.property(fc.jsonValue(), (junk) => {
        const r = validateProgram(junk);
        if (!r.ok) expect(r.issues.every((i) => typeof i.path === 'string' && i.message.length > 0)).toBe(true);
      }),
      { numRuns: 300 },
    );
    const keys = ['earn', 'tiers', 'rewards', 'currency', 'stacking', 'expiry', 'offers', 'payWithPoints', 'version'];
    fc.assert(
      fc.property(fc.constantFrom(...keys), fc.jsonValue(), (key, value) => {
        const mutated = { ...(valid as Record<string, unknown>), [key]: value };
        const r = validateProgram(mutated);
        if (!r.ok) expect(r.issues[0]!.path.length).toBeGreaterThan(0);
      }),
      { numRuns: 300 },
    );
  });
});
