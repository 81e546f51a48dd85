/**
 * Quote speed: a 50-line basket under a program with 200 rules (earn rules,
 * multipliers with windows, offers, stamp cards, member prices, tiers,
 * rewards), and under one of about 200 rules that uses every mechanic
 * (promotions of every kind, promo codes, a single-use coupon batch, best-of
 * groups, a discount card, memberships, bonuses, expiry, several of a reward,
 * same-order points, an eWallet, gift cards), against a trivial one-rule
 * per-currency program in the same run. The every-mechanic program is timed
 * twice: the quote alone, and what a till's pure code does for a sale under
 * it (the coupon looked up in its batch, the quote, the gift card's view over
 * the till's journal, and the stored-value check a sale passes before it is
 * written: a wallet payment, a gift card payment and a gift card sold).
 *   npx tsx bench/engine.bench.ts
 */
import { performance } from 'node:perf_hooks';
import { batchCodesOf, couponCode, type CouponBatchRef } from '../shared/coupons';
import { emptyMemberState, programSchema, quote, type BasketLine, type QuoteInput } from '../shared/engine';
import { giftCardView, type GiftCardSale, type GiftCardState } from '../shared/gift-cards';
import { checkSaleStoredValue, type SaleContext } from '../shared/sale-journal';

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
  promotions: [
    ...Array.from({ length: 30 }, (_, i) => {
      const filter = { categories: [categories[i % 20]!] };
      const base = {
        id: `promo-${i}`,
        name: `Promotion ${i}`,
        filter,
        window: { from: '2026-01-01', to: '2026-12-31' },
      };
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
    // A mailing of single-use coupons: one code of the batch on the sale.
    {
      id: 'mailing',
      name: 'Mailing: 5.00 off 30.00',
      couponBatch: 'mailing',
      condition: { minAmountMinor: 3000, amountOf: 'order' },
      benefit: { kind: 'amount-off', amountMinor: 500, on: 'order' },
    },
  ],
  wallet: { maxBalanceMinor: 50_000, minTopUpMinor: 500, offlineSpendCapPerDayMinor: 2_000 },
  giftCards: {
    prefix: 'GIFT',
    minLoadMinor: 500,
    maxBalanceMinor: 30_000,
    validMonths: 24,
    offlineSpendCapPerDayMinor: 5_000,
  },
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
  5; // the discount card, the birthday bonus, paying with points, the eWallet, gift cards

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

/** Sorted run times (ms) of `run`, after a warm-up. */
function time(run: () => void): number[] {
  for (let i = 0; i < 200; i++) run(); // warm-up
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    run();
    samples.push(performance.now() - t0);
  }
  return samples.sort((a, b) => a - b);
}
function timeQuote(program: QuoteInput['program'], extra: Partial<QuoteInput> = {}): number[] {
  const input: QuoteInput = { program, member, basket, at, timeZone: 'Europe/Amsterdam', ...extra };
  return time(() => quote(input));
}
const at50 = (xs: number[]) => xs[Math.floor(xs.length * 0.5)]!;
const at99 = (xs: number[]) => xs[Math.floor(xs.length * 0.99)]!;

/** A mailing of 5,000 single-use coupons as a till holds it, 200 used; the customer brings one still open. */
let draw = 1;
const random = (n: number) => (draw = (draw * 48_271) % 2_147_483_647) % n;
const mailingCodes = Array.from({ length: 5_000 }, () => couponCode('MAIL', random));
const mailing: CouponBatchRef = {
  programId: every.id,
  batch: 'mailing',
  codes: mailingCodes,
  used: mailingCodes.slice(0, 200),
};
const coupon = mailing.codes[4_321]!;
const codes = ['CODE-5', 'CODE-11', coupon];
const everyMember = {
  ...member,
  state: { ...member.state, birthday: '11-24', wallet: { balanceMinor: 3_000, spentToday: null } },
};
const everyInput = {
  program: every,
  member: everyMember,
  basket,
  at,
  timeZone: 'Europe/Amsterdam',
  codes,
  redeem: { kind: 'reward', rewardId: 'reward-1', count: 2 },
} satisfies Omit<QuoteInput, 'batchCodes'>;

/** The gift card that pays: the server's state, and 30 sales of this till's journal, 10 above the card's mark. */
const paying = couponCode('GIFT', random);
const sold = couponCode('GIFT', random);
const server: GiftCardState = {
  number: paying,
  programId: every.id,
  balanceMinor: 10_000,
  validUntil: '2028-06-15',
  issuedAt: '2026-06-15T09:00:00.000Z',
  spentToday: null,
  tillMarks: { epoch: 20 },
};
const journal: GiftCardSale[] = Array.from({ length: 30 }, (_, i) => ({
  tillSeq: i + 1,
  at: `2026-11-${String(1 + Math.floor((i * 3) / 4)).padStart(2, '0')}T10:00:00.000Z`,
  body: {
    lines: [],
    tenders: [
      i % 3 === 0 ? { kind: 'giftcard', giftCard: paying, amountMinor: 100 } : { kind: 'cash', amountMinor: 1_000 },
    ],
  },
}));
const tenders: SaleContext['tenders'] = [
  { kind: 'wallet', amountMinor: 1_500 },
  { kind: 'giftcard', giftCard: paying, amountMinor: 2_500 },
];

/** One sale's pure work at the till: coupon lookup, quote, the paying card's view, the stored-value check. */
function tillSale(): void {
  const input: QuoteInput = { ...everyInput, batchCodes: batchCodesOf(codes, [mailing]) };
  const q = quote(input);
  const card = giftCardView({
    number: paying,
    programId: every.id,
    server,
    epoch: 'epoch',
    sales: journal,
    timeZone: input.timeZone,
    validMonths: every.giftCards?.validMonths ?? 0,
  });
  checkSaleStoredValue(
    input,
    { quote: q, at },
    {
      tenders,
      giftCardLoads: [{ giftCard: sold, amountMinor: 2_500 }],
      giftCards: new Map([
        [paying, card],
        [sold, null],
      ]),
    },
  );
}

const sample = quote({ ...everyInput, batchCodes: batchCodesOf(codes, [mailing]) });
if (sample.errors.length > 0)
  throw new Error(`the every-mechanic program refused its own basket: ${sample.errors[0]!.code}`);
if (!sample.explanation.some((e) => e.ruleId === 'promotion:mailing'))
  throw new Error('the mailing coupon did not apply');
tillSale(); // throws when the sale's stored-value moves would be refused

const small = timeQuote(trivial);
const large = timeQuote(big);
const all = timeQuote(every, { ...everyInput, batchCodes: batchCodesOf(codes, [mailing]) });
const sale = time(tillSale);
const promotionsApplied = new Set(
  sample.explanation.filter((e) => e.ruleId.startsWith('promotion:') && e.discountMinor).map((e) => e.ruleId),
).size;
const line = (label: string, xs: number[]) =>
  `  ${label}: median ${at50(xs).toFixed(3)} ms, p99 ${at99(xs).toFixed(3)} ms`;
const ratio = (xs: number[]) =>
  `  ratio: median ${(at50(xs) / at50(small)).toFixed(1)}×, p99 ${(at99(xs) / at99(small)).toFixed(1)}×`;
console.log(`quote of a 50-line basket, ${RUNS} runs each`);
console.log(line('trivial per-currency program (baseline)', small));
console.log(line(`program with ${ruleCount} rules          `, large));
console.log(ratio(large));
console.log(line(`every mechanic, ${everyCount} rules (${promotionsApplied} promotions applied)`, all));
console.log(ratio(all));
console.log(line('every mechanic, one sale (coupon lookup, quote, gift card view, stored-value check)', sale));
console.log(ratio(sale));
