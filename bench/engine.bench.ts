/**
 * Quote speed: a 50-line basket under a program with 200 rules (earn rules,
 * multipliers with windows, offers, stamp cards, member prices, tiers,
 * rewards), and under one of about 200 rules that uses every mechanic
 * (promotions of every kind, promo codes, best-of groups, a discount card,
 * memberships, bonuses, expiry, several of a reward, same-order points),
 * against a trivial one-rule per-currency program in the same run.
 *   npx tsx bench/engine.bench.ts
 */
import { performance } from 'node:perf_hooks';
import { emptyMemberState, programSchema, quote, type BasketLine, type QuoteInput } from '../shared/engine';

const RUNS = 2_000;
const categories = Array.from({ length: 20 }, (_, i) => `cat-${i}`);

const big = programSchema.parse({
  format: 'kassa-program/1',
  id: 'big',
  version: 1,
  name: 'Big',
  currency: 'EUR',
  earn: [
    { id: 'base', kind: 'per-currency', points: 1, perMinor: 100, filter: { excludeTags: ['tobacco'] } },
    ...Array.from({ length: 80 }, (_, i) => ({
      id: `cat-${i}`,
      kind: 'per-item',
      points: 1 + (i % 5),
      filter: { categories: [categories[i % 20]!] },
      window: { daysOfWeek: [1 + (i % 7)] },
    })),
    ...Array.from({ length: 60 }, (_, i) => ({
      id: `mult-${i}`,
      kind: 'multiplier',
      percent: 110 + i,
      filter: { products: [`p-${i}`] },
      window: { from: '2026-01-01', to: '2026-12-31' },
    })),
    ...Array.from({ length: 9 }, (_, i) => ({
      id: `kg-${i}`,
      kind: 'per-kg',
      points: 1 + i,
      filter: { categories: [categories[i]!] },
    })),
  ],
  tiers: [
    { id: 't0', name: 'T0', threshold: 0 },
    { id: 't1', name: 'T1', threshold: 100, multiplier: 125, perks: { percentOff: 2, freeDelivery: false } },
  ],
  stampCards: Array.from({ length: 10 }, (_, i) => ({
    id: `stamp-${i}`,
    name: `Card ${i}`,
    filter: { categories: [categories[i]!] },
    every: 5,
  })),
  memberPrices: Array.from({ length: 20 }, (_, i) => ({ productId: `p-${i * 2}`, priceMinor: 90 })),
  offers: Array.from({ length: 20 }, (_, i) => ({
    id: `offer-${i}`,
    name: `Offer ${i}`,
    filter: { products: [`p-${i + 20}`] },
    benefit: { kind: 'percent-off', percent: 10 },
  })),
  rewards: Array.from({ length: 10 }, (_, i) => ({
    id: `reward-${i}`,
    name: `Reward ${i}`,
    cost: 100 * (i + 1),
    benefit: { kind: 'amount-off', amountMinor: 100 * (i + 1) },
  })),
});
const ruleCount =
  big.earn.length +
  big.stampCards.length +
  big.memberPrices.length +
  big.offers.length +
  big.rewards.length +
  big.tiers.length;

/** About 200 rules, every mechanic: fewer per-item rules than `big`, and 30 promotions of every kind in their place. */
const everyFile = {
  ...big,
  earn: big.earn.filter((r) => !r.id.startsWith('cat-') || Number(r.id.slice(4)) < 50),
  discountCard: { percent: 3, filter: { excludeCategories: ['cat-19'], excludeTags: [] } },
  memberships: [
    { id: 'plus', name: 'Plus', feeMinor: 2500, termMonths: 12, perks: { multiplier: 200, percentOff: 5 } },
  ],
  bonuses: { birthday: { points: 50, windowDays: 3 }, signup: 100 },
  expiry: { mode: 'days-after-earn', days: 365, warnDays: 30 },
  payWithPoints: { minorPerPoint: 1, maxPercent: 50, blockPoints: 10 },
  spendSameOrderPoints: true,
  rewards: big.rewards.map((r) => ({ ...r, maxPerOrder: 3 })),
  promotions: Array.from({ length: 30 }, (_, i) => {
    const filter = { categories: [categories[i % 20]!] };
    const base = { id: `promo-${i}`, name: `Promotion ${i}`, filter, window: { from: '2026-01-01', to: '2026-12-31' } };
    switch (i % 6) {
      case 0:
        return { ...base, benefit: { kind: 'buy-x-get-y', buy: 2, get: 1 }, maxClaimsPerOrder: null };
      case 1:
        return {
          ...base,
          condition: { minQuantity: 2 },
          benefit: { kind: 'percent-off', percent: 50, on: 'cheapest' },
        };
      case 2:
        return { ...base, group: 'best', benefit: { kind: 'percent-off', percent: 5 + i, maxDiscountMinor: 300 } };
      case 3:
        return {
          ...base,
          group: 'best',
          condition: { minAmountMinor: 500, tax: 'excluded' },
          benefit: { kind: 'amount-off', amountMinor: 150 },
        };
      case 4:
        return {
          ...base,
          condition: { minAmountMinor: 2000, amountOf: 'order' },
          benefit: { kind: 'free-product', productId: `p-${i}` },
          maxClaimsPerOrder: 2,
        };
      default:
        return { ...base, code: `CODE-${i}`, benefit: { kind: 'percent-off', percent: 10, on: 'order' } };
    }
  }),
};
const every = programSchema.parse(everyFile);
const everyCount =
  every.earn.length +
  every.stampCards.length +
  every.memberPrices.length +
  every.offers.length +
  every.rewards.length +
  every.tiers.length +
  every.promotions.length +
  every.memberships.length +
  3; // the discount card, the birthday bonus, paying with points

const trivial = programSchema.parse({
  format: 'kassa-program/1',
  id: 'small',
  version: 1,
  name: 'Small',
  currency: 'EUR',
  earn: [{ id: 'base', kind: 'per-currency', points: 1, perMinor: 100 }],
});

const basket: BasketLine[] = Array.from({ length: 50 }, (_, i) => ({
  lineId: `L${String(i).padStart(3, '0')}`,
  productId: `p-${i}`,
  ean: '',
  name: `Product ${i}`,
  categoryId: categories[i % 20]!,
  tags: [],
  unit: i % 10 === 0 ? 'kg' : 'each',
  quantity: i % 10 === 0 ? 1 : 1 + (i % 3),
  grams: i % 10 === 0 ? 750 + i : null,
  unitPriceMinor: 99 + i * 37,
}));
const member = {
  id: '01KDVDNA000000000000000002',
  state: { ...emptyMemberState(), balance: 5000, tierWindow: { spendMinor: 0, points: 400 } },
};
const at = '2026-11-24T10:00:00Z';

const time = (program: QuoteInput['program'], extra: Partial<QuoteInput> = {}): number[] => {
  const input: QuoteInput = { program, member, basket, at, timeZone: 'Europe/Amsterdam', ...extra };
  for (let i = 0; i < 200; i++) quote(input); // warm-up
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    quote(input);
    samples.push(performance.now() - t0);
  }
  return samples.sort((a, b) => a - b);
};
const at50 = (xs: number[]) => xs[Math.floor(xs.length * 0.5)]!;
const at99 = (xs: number[]) => xs[Math.floor(xs.length * 0.99)]!;

const small = time(trivial);
const large = time(big);
const all = time(every, {
  codes: ['CODE-5', 'CODE-11'],
  redeem: { kind: 'reward', rewardId: 'reward-1', count: 2 },
  member: { ...member, state: { ...member.state, birthday: '11-24' } },
});
const sample = quote({
  program: every,
  member,
  basket,
  at,
  timeZone: 'Europe/Amsterdam',
  codes: ['CODE-5', 'CODE-11'],
  redeem: { kind: 'reward', rewardId: 'reward-1', count: 2 },
});
if (sample.errors.length > 0) throw new Error('the every-mechanic program refused its own basket');
const promotionsApplied = new Set(
  sample.explanation.filter((e) => e.ruleId.startsWith('promotion:') && e.discountMinor).map((e) => e.ruleId),
).size;
console.log(`quote of a 50-line basket, ${RUNS} runs each`);
console.log(
  `  trivial per-currency program (baseline): median ${at50(small).toFixed(3)} ms, p99 ${at99(small).toFixed(3)} ms`,
);
console.log(
  `  program with ${ruleCount} rules          : median ${at50(large).toFixed(3)} ms, p99 ${at99(large).toFixed(3)} ms`,
);
console.log(
  `  ratio: median ${(at50(large) / at50(small)).toFixed(1)}×, p99 ${(at99(large) / at99(small)).toFixed(1)}×`,
);
console.log(
  `  every mechanic, ${everyCount} rules (${promotionsApplied} promotions applied): median ${at50(all).toFixed(3)} ms, p99 ${at99(all).toFixed(3)} ms`,
);
console.log(`  ratio: median ${(at50(all) / at50(small)).toFixed(1)}×, p99 ${(at99(all) / at99(small)).toFixed(1)}×`);
