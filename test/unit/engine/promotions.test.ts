/**
 * Promotions: conditions, benefits, claims, groups and the anonymous sale, numbers checked by hand in the comments.
 * Time: 2026-11-24 is a Tuesday; the store is in Europe/Amsterdam.
 */
import { describe, expect, it } from 'vitest';
import {
  emptyMemberState,
  programSchema,
  quote,
  validateProgram,
  type BasketLine,
  type QuoteInput,
} from '../../../shared/engine';
import { BARE_PROGRAM, testLine, testProgram } from './fixtures';

const TUESDAY = '2026-11-24T10:00:00Z';
const M = '01KDVDNA000000000000000002';

const program = testProgram;
const item = testLine;

function sale(p: ReturnType<typeof program>, basket: BasketLine[], member = true): QuoteInput {
  return {
    program: p,
    member: member ? { id: M, state: emptyMemberState() } : null,
    basket,
    at: TUESDAY,
    timeZone: 'Europe/Amsterdam',
  };
}

const shirt = (id: string, price: number, quantity = 1) =>
  item(id, price, { productId: `shirt-${price}`, categoryId: 'clothes', quantity });
const threeForTwo = program({
  promotions: [
    {
      id: '3-for-2',
      name: '3 for 2 on shirts',
      filter: { categories: ['clothes'] },
      benefit: { kind: 'buy-x-get-y', buy: 2, get: 1 },
    },
  ],
});

describe('buy X get Y', () => {
  it('gives the cheapest unit free to a customer without a card: 3 at 10.00 and 1 at 8.00 pay 30.00', () => {
    const q = quote(sale(threeForTwo, [shirt('a', 1000, 3), shirt('b', 800)], false));
    expect([q.subtotalMinor, q.discountMinor, q.totalMinor]).toEqual([3800, 800, 3000]);
    expect(q.explanation.map((e) => e.text)).toEqual(['-8.00 EUR: 3 for 2 on shirts']);
    expect(q.pointsEarned).toBe(0);
  });

  it('counts units, not lines: the same four shirts on four lines get the same 8.00 off', () => {
    const q = quote(sale(threeForTwo, [shirt('a', 1000), shirt('b', 1000), shirt('c', 1000), shirt('d', 800)], false));
    expect([q.discountMinor, q.lines.find((l) => l.lineId === 'd')!.discountMinor]).toEqual([800, 800]);
  });

  it('is claimed once per order by default, and once per set when the program allows (6 shirts: 1 or 2 free)', () => {
    const once = quote(sale(threeForTwo, [shirt('a', 1000, 6)]));
    const each = program({ promotions: [{ ...threeForTwo.promotions[0]!, maxClaimsPerOrder: null }] });
    const twice = quote(sale(each, [shirt('a', 1000, 6)]));
    expect([once.discountMinor, twice.discountMinor]).toEqual([1000, 2000]);
  });

  it('with a get filter: two shampoos make a conditioner half price, and the conditioner is not counted as bought', () => {
    const p = program({
      promotions: [
        {
          id: 'hair',
          name: 'Conditioner half price',
          filter: { categories: ['hair'] },
          benefit: { kind: 'buy-x-get-y', buy: 2, get: 1, percent: 50, getFilter: { products: ['conditioner'] } },
        },
      ],
    });
    const shampoo = item('s', 450, { productId: 'shampoo', categoryId: 'hair', quantity: 2 });
    const conditioner = item('c', 599, { productId: 'conditioner', categoryId: 'hair' });
    // 5.99 × 50 % = 2.995, rounded down: 2.99 off.
    expect(quote(sale(p, [shampoo, conditioner])).discountMinor).toBe(299);
    // One shampoo and the conditioner: only one unit bought.
    expect(quote(sale(p, [{ ...shampoo, quantity: 1 }, conditioner])).discountMinor).toBe(0);
  });

  it('a free unit earns no per-item points', () => {
    const p = program({
      earn: [{ id: 'per-shirt', kind: 'per-item', points: 10, filter: { categories: ['clothes'] } }],
      promotions: threeForTwo.promotions,
    });
    expect(quote(sale(p, [shirt('a', 1000, 3)])).pointsEarned).toBe(20);
  });
});

describe('promotions and stamp cards', () => {
  it('a latte the promotion gave free earns no stamp: 9 stamps, buy one get one, the paid latte is the 10th', () => {
    const p = program({
      stampCards: [{ id: 'card', name: 'Coffee card', filter: { categories: ['drinks'] }, every: 10 }],
      promotions: [
        {
          id: 'bogo',
          name: 'Latte 1 + 1',
          filter: { products: ['latte'] },
          benefit: { kind: 'buy-x-get-y', buy: 1, get: 1 },
        },
      ],
    });
    const nine = { ...emptyMemberState(), stamps: { card: { asOf: '2026-11-20', buckets: { all: 9 } } } };
    const q = quote({
      ...sale(p, [item('l', 380, { productId: 'latte', categoryId: 'drinks', quantity: 2 })]),
      member: { id: M, state: nine },
    });
    // Both lattes free: one by the promotion, the paid one by the card, which uses its 9 stamps and gains none.
    expect([q.discountMinor, q.effects.stamps]).toEqual([760, { card: { all: -9 } }]);
  });
});

describe('percent and amount off', () => {
  it('caps a percentage at its maximum: 10 % of 60.00 of wine is 6.00, at most 5.00', () => {
    const p = program({
      promotions: [
        {
          id: 'wine',
          name: 'Wine 10 %',
          filter: { categories: ['wine'] },
          benefit: { kind: 'percent-off', percent: 10, maxDiscountMinor: 500 },
        },
      ],
    });
    const q = quote(sale(p, [item('w', 2000, { categoryId: 'wine', quantity: 3 }), item('bread', 250)]));
    // 60.00 of wine and 2.50 of bread, less 5.00: 57.50, and points on what is paid: 57.
    expect([q.discountMinor, q.totalMinor, q.pointsEarned]).toEqual([500, 5750, 57]);
  });

  it('takes a percentage of the matching lines pooled, so a split basket gets the same total off', () => {
    const p = program({
      promotions: [
        {
          id: 'g',
          name: 'Grocery 15 %',
          filter: { categories: ['grocery'] },
          benefit: { kind: 'percent-off', percent: 15 },
        },
      ],
    });
    // 3 × 0.99 = 2.97 × 15 % = 0.4455 → 0.44 whether one line of 3 or three lines of one (0.14 each would be 0.42).
    const one = quote(sale(p, [item('a', 99, { quantity: 3 })]));
    const three = quote(sale(p, [item('a', 99), item('b', 99), item('c', 99)]));
    expect([one.discountMinor, three.discountMinor]).toEqual([44, 44]);
  });

  it('needs the order amount without VAT: 5.00 off from 50.00 net (55.00 with 21 % is 45.45 net; 61.00 is 50.41)', () => {
    const p = program({
      promotions: [
        {
          id: 'fifty',
          name: '5.00 off 50.00',
          condition: { minAmountMinor: 5000, amountOf: 'order', tax: 'excluded' },
          benefit: { kind: 'amount-off', amountMinor: 500, on: 'order' },
        },
      ],
    });
    const vat = { taxRateBp: 2100 };
    expect(quote(sale(p, [item('a', 5500, vat)], false)).discountMinor).toBe(0);
    const q = quote(sale(p, [item('a', 4000, vat), item('b', 2100, vat)], false));
    // 5.00 shared in proportion: 40/61 → 3.28 (3.2786), 21/61 → 1.72 (1.7213).
    expect([q.discountMinor, q.lines.map((l) => l.discountMinor)]).toEqual([500, [328, 172]]);
  });

  it('repeats an amount off per claim of the minimum: 2.00 off every 20.00 of coffee, 45.00 gets 4.00', () => {
    const p = program({
      promotions: [
        {
          id: 'coffee',
          name: '2.00 off every 20.00 of coffee',
          filter: { categories: ['coffee'] },
          condition: { minAmountMinor: 2000 },
          benefit: { kind: 'amount-off', amountMinor: 200 },
          maxClaimsPerOrder: null,
        },
      ],
    });
    expect(quote(sale(p, [item('beans', 1500, { categoryId: 'coffee', quantity: 3 })])).discountMinor).toBe(400);
    expect(quote(sale(p, [item('beans', 1500, { categoryId: 'coffee' })])).discountMinor).toBe(0);
  });

  it('takes half off the cheapest unit per three units: 7 units make two claims', () => {
    const p = program({
      promotions: [
        {
          id: 'cheap',
          name: 'Cheapest half price',
          condition: { minQuantity: 3 },
          benefit: { kind: 'percent-off', percent: 50, on: 'cheapest' },
          maxClaimsPerOrder: null,
        },
      ],
    });
    const q = quote(sale(p, [item('a', 1000, { quantity: 4 }), item('b', 300), item('c', 500, { quantity: 2 })]));
    // Cheapest units: b at 3.00 and one c at 5.00: 1.50 + 2.50.
    expect([q.discountMinor, q.lines.map((l) => l.discountMinor)]).toEqual([400, [0, 150, 250]]);
  });
});

describe('free products, audiences, groups and windows', () => {
  const bags = program({
    promotions: [
      {
        id: 'bag',
        name: 'Free tote per 20.00',
        condition: { minAmountMinor: 2000, amountOf: 'order' },
        benefit: { kind: 'free-product', productId: 'tote', quantity: 1 },
        maxClaimsPerOrder: 2,
      },
    ],
  });
  const tote = (quantity: number) => item('t', 150, { productId: 'tote', quantity });

  it('frees one unit per claim up to the cap, and only units in the basket (45.00 + 3 totes: 2 free)', () => {
    const q = quote(sale(bags, [item('a', 4500), tote(3)], false));
    expect([q.discountMinor, q.totalMinor]).toEqual([300, 4650]);
    expect(quote(sale(bags, [item('a', 4500)], false)).discountMinor).toBe(0);
  });

  it('a members-only promotion is not given without a card', () => {
    const p = program({ promotions: [{ ...bags.promotions[0]!, audience: 'members' }] });
    expect(quote(sale(p, [item('a', 4500), tote(1)], false)).discountMinor).toBe(0);
    expect(quote(sale(p, [item('a', 4500), tote(1)], true)).discountMinor).toBe(150);
  });

  it('of a group, only the promotion worth most applies: 10 % (3.50) beats 3.00 off over 30.00 on 35.00', () => {
    const p = program({
      promotions: [
        {
          id: 'flat',
          name: '3.00 off',
          group: 'weekend',
          condition: { minAmountMinor: 3000, amountOf: 'order' },
          benefit: { kind: 'amount-off', amountMinor: 300, on: 'order' },
        },
        { id: 'pct', name: '10 % off', group: 'weekend', benefit: { kind: 'percent-off', percent: 10, on: 'order' } },
      ],
    });
    const q = quote(sale(p, [item('a', 3500)]));
    expect([q.discountMinor, q.explanation.filter((e) => e.discountMinor).map((e) => e.ruleId)]).toEqual([
      350,
      ['promotion:pct'],
    ]);
    // At 25.00 the flat one is not met, so 10 % still: 2.50.
    expect(quote(sale(p, [item('a', 2500)])).discountMinor).toBe(250);
  });

  it('is off outside its window, and comes before the discount card (5 % of what the promotion left)', () => {
    const p = program({
      discountCard: { percent: 5 },
      promotions: [
        {
          id: 'nov',
          name: 'November 20 %',
          window: { from: '2026-11-01', to: '2026-11-30' },
          benefit: { kind: 'percent-off', percent: 20 },
        },
      ],
    });
    // 10.00 − 20 % = 8.00, − 5 % = 7.60.
    expect(quote(sale(p, [item('a', 1000)])).totalMinor).toBe(760);
    expect(quote({ ...sale(p, [item('a', 1000)]), at: '2026-12-01T10:00:00Z' }).totalMinor).toBe(950);
  });
});

describe('promotion files that do not make sense are refused', () => {
  const base = BARE_PROGRAM;
  it('refuses repeated claims without a minimum per claim', () => {
    const r = validateProgram({
      ...base,
      promotions: [{ id: 'x', name: 'X', benefit: { kind: 'amount-off', amountMinor: 100 }, maxClaimsPerOrder: null }],
    });
    expect(r.ok ? [] : r.issues.map((i) => i.path)).toEqual(['promotions[0].maxClaimsPerOrder']);
  });

  it('refuses promotions the stacking order leaves out, and a benefit of an unknown kind', () => {
    const promo = { id: 'x', name: 'X', benefit: { kind: 'percent-off', percent: 10 } };
    const left = validateProgram({ ...base, stacking: { order: ['member-price', 'points'] }, promotions: [promo] });
    expect(left.ok ? [] : left.issues.map((i) => i.path)).toEqual(['stacking.order']);
    const odd = validateProgram({ ...base, promotions: [{ ...promo, benefit: { kind: 'half-off' } }] });
    expect(odd.ok ? [] : odd.issues.map((i) => i.path)).toEqual(['promotions[0].benefit.kind']);
  });
});

describe('promo codes', () => {
  const coded = program({
    promotions: [
      {
        id: 'week',
        name: 'Week 10 %',
        code: 'WEEK10',
        window: { to: '2026-11-30' },
        benefit: { kind: 'percent-off', percent: 10, on: 'order' },
      },
      {
        id: 'welcome',
        name: 'Welcome 5.00 off 20.00',
        code: 'hello-5',
        audience: 'members',
        maxUsesPerMember: 1,
        condition: { minAmountMinor: 2000, amountOf: 'order' },
        benefit: { kind: 'amount-off', amountMinor: 500, on: 'order' },
      },
    ],
  });
  const withCodes = (basket: BasketLine[], codes: string[], member = true, used = 0): QuoteInput => ({
    ...sale(coded, basket, member),
    ...(member
      ? { member: { id: M, state: { ...emptyMemberState(), offerUses: used ? { 'promotion:welcome': used } : {} } } }
      : {}),
    codes,
  });

  it('applies a promotion only on a sale its code was entered on, in any case', () => {
    expect(quote(sale(coded, [item('a', 1000)], false)).discountMinor).toBe(0);
    const q = quote(withCodes([item('a', 1000)], [' week10 '], false));
    expect([q.discountMinor, q.errors]).toEqual([100, []]);
  });

  it('refuses a code no promotion has, one out of its dates, and a members’ code without a card, changing nothing', () => {
    const unknown = quote(withCodes([item('a', 1000)], ['NOPE'], false));
    expect([unknown.errors.map((e) => [e.code, e.message]), unknown.discountMinor]).toEqual([
      [['CODE_UNKNOWN', 'No promotion has the code NOPE']],
      0,
    ]);
    const late = quote({ ...withCodes([item('a', 1000)], ['WEEK10'], false), at: '2026-12-01T10:00:00Z' });
    expect([late.errors.map((e) => e.code), late.discountMinor]).toEqual([['CODE_UNAVAILABLE'], 0]);
    const anonymous = quote(withCodes([item('a', 3000)], ['HELLO-5'], false));
    expect([anonymous.errors.map((e) => e.code), anonymous.discountMinor]).toEqual([['CARD_NOT_FOUND'], 0]);
  });

  it('counts a member’s uses: the first sale records one, the next is refused with CODE_USED', () => {
    const first = quote(withCodes([item('a', 3000)], ['hello-5']));
    expect([first.discountMinor, first.effects.offerUses]).toEqual([500, { 'promotion:welcome': 1 }]);
    const again = quote(withCodes([item('a', 3000)], ['HELLO-5'], true, 1));
    expect([again.errors.map((e) => e.message), again.discountMinor]).toEqual([
      ['The code HELLO-5 has been used up by this member'],
      0,
    ]);
  });

  it('says when a valid code’s promotion does not apply to the basket yet, and records no use', () => {
    const q = quote(withCodes([item('a', 1500)], ['HELLO-5']));
    expect([q.errors, q.discountMinor, q.effects.offerUses]).toEqual([[], 0, {}]);
    expect(q.explanation.map((e) => e.text)).toContain(
      'Code HELLO-5: the basket does not meet Welcome 5.00 off 20.00 yet',
    );
  });

  it('refuses a code used twice in one program and uses per member without a members’ audience', () => {
    const r = validateProgram({
      ...BARE_PROGRAM,
      promotions: [
        { id: 'a', name: 'A', code: 'SAME', benefit: { kind: 'percent-off', percent: 5 } },
        { id: 'b', name: 'B', code: 'same', maxUsesPerMember: 1, benefit: { kind: 'percent-off', percent: 5 } },
      ],
    });
    expect(r.ok ? [] : r.issues.map((i) => i.path)).toEqual(['promotions[1].code', 'promotions[1].maxUsesPerMember']);
  });
});

describe('points on a promotion’s discount', () => {
  const half = (pointsOn?: 'after' | 'before') =>
    program({
      promotions: [
        {
          id: 'half',
          name: 'Half price',
          benefit: { kind: 'percent-off', percent: 50 },
          ...(pointsOn ? { pointsOn } : {}),
        },
      ],
    });

  it('earns on the price after the promotion by default, and before it where the promotion says so', () => {
    // 20.00 at half price: 10.00 paid. 1 point per 1.00: 10 after, 20 before.
    expect(quote(sale(half(), [item('a', 2000)])).pointsEarned).toBe(10);
    expect(quote(sale(half('before'), [item('a', 2000)])).pointsEarned).toBe(20);
    expect(quote(sale(half('after'), [item('a', 2000)])).pointsEarned).toBe(10);
  });

  it('a program that earns before discounts can have one promotion earn after its own', () => {
    const p = programSchema.parse({
      ...half('after'),
      pointsBase: { discounts: 'before', tax: 'included' },
      discountCard: { percent: 10 },
    });
    // 20.00 − 10.00 (promotion) − 1.00 (card): points on 20.00 − 10.00 = 10, the card's 1.00 not taken off.
    const q = quote(sale(p, [item('a', 2000)]));
    expect([q.totalMinor, q.pointsEarned]).toEqual([900, 10]);
  });

  it('a unit the promotion gives free earns on its price before it, where the promotion says so', () => {
    const p = program({
      promotions: [
        {
          id: 'bogo',
          name: '1 + 1',
          benefit: { kind: 'buy-x-get-y', buy: 1, get: 1 },
          pointsOn: 'before',
        },
      ],
    });
    // Two at 5.00 on two lines, one free: points on 10.00.
    expect(quote(sale(p, [item('a', 500), item('b', 500)])).pointsEarned).toBe(10);
  });
});

describe('a coupon preloaded with points', () => {
  const preloaded = program({
    promotions: [
      {
        id: 'mailer',
        name: 'Mailer: 200 points',
        code: 'MAIL-200',
        audience: 'members',
        maxUsesPerMember: 1,
        benefit: { kind: 'points', points: 200 },
      },
    ],
  });

  it('gives its points once to the member who brings it, on top of what the sale earns, and a return takes them back', () => {
    const input: QuoteInput = { ...sale(preloaded, [item('a', 1000), item('b', 500)]), codes: ['mail-200'] };
    const q = quote(input);
    // 15.00 earns 15; the coupon 200, spread 133 / 67 over the lines in proportion to 10.00 and 5.00.
    expect([q.pointsEarned, q.discountMinor, q.effects.offerUses]).toEqual([215, 0, { 'promotion:mailer': 1 }]);
    expect(q.lines.map((l) => l.points)).toEqual([143, 72]);
    const used = quote({
      ...input,
      member: { id: M, state: { ...emptyMemberState(), offerUses: { 'promotion:mailer': 1 } } },
    });
    expect([used.errors.map((e) => e.code), used.pointsEarned]).toEqual([['CODE_USED'], 15]);
  });

  it('is refused without a card, and a program file giving points to everyone or in a group is refused', () => {
    const anonymous = quote({ ...sale(preloaded, [item('a', 1000)], false), codes: ['MAIL-200'] });
    expect(anonymous.errors.map((e) => e.code)).toEqual(['CARD_NOT_FOUND']);
    const r = validateProgram({
      ...BARE_PROGRAM,
      promotions: [{ id: 'x', name: 'X', benefit: { kind: 'points', points: 10 } }],
    });
    expect(r.ok ? [] : r.issues.map((i) => i.path)).toEqual(['promotions[0].benefit']);
  });
});

describe('next-order coupons', () => {
  const coupons = program({
    promotions: [
      {
        id: 'spend-40',
        name: 'Spend 40.00, get a coupon',
        audience: 'members',
        condition: { minAmountMinor: 4000, amountOf: 'order' },
        benefit: { kind: 'next-order-coupon', promotionId: 'back-soon' },
      },
      {
        id: 'back-soon',
        name: 'Back soon: 5.00 off',
        audience: 'members',
        coupon: true,
        benefit: { kind: 'amount-off', amountMinor: 500, on: 'order' },
      },
    ],
  });
  const holding = (given: number, used = 0) => ({
    id: M,
    state: {
      ...emptyMemberState(),
      offerUses: { 'coupon:back-soon': given, ...(used ? { 'promotion:back-soon': used } : {}) },
    },
  });

  it('a sale of 40.00 gives a coupon for the next sale, not for itself', () => {
    const q = quote(sale(coupons, [item('a', 4500)]));
    expect([q.discountMinor, q.effects.offerUses]).toEqual([0, { 'coupon:back-soon': 1 }]);
    expect(q.explanation.map((e) => e.text)).toContain('Coupon for the next visit: Back soon: 5.00 off (× 1)');
    expect(quote(sale(coupons, [item('a', 3900)])).effects.offerUses).toEqual({});
  });

  it('the next sale takes 5.00 off and uses the coupon; with none left, nothing', () => {
    const next = quote({ ...sale(coupons, [item('a', 1200)]), member: holding(1) });
    expect([next.discountMinor, next.effects.offerUses]).toEqual([500, { 'promotion:back-soon': 1 }]);
    const spent = quote({ ...sale(coupons, [item('a', 1200)]), member: holding(1, 1) });
    expect([spent.discountMinor, spent.effects.offerUses]).toEqual([0, {}]);
  });

  it('refuses a coupon for a promotion that is not a members’ coupon', () => {
    const r = validateProgram({
      ...BARE_PROGRAM,
      promotions: [
        {
          id: 'x',
          name: 'X',
          audience: 'members',
          benefit: { kind: 'next-order-coupon', promotionId: 'y' },
        },
        { id: 'y', name: 'Y', benefit: { kind: 'percent-off', percent: 5 } },
      ],
    });
    expect(r.ok ? [] : r.issues.map((i) => i.path)).toEqual(['promotions[0].benefit.promotionId']);
  });
});
