/**
 * One test per program mechanic, numbers checked by hand in the comments.
 * Time: 2026-11-24 is a Tuesday; the store is in Europe/Amsterdam.
 */
import { membershipUntil, project } from '../../../shared/ledger';
import { describe, expect, it } from 'vitest';
import {
  refund,
  commitSale,
  expire,
  expiryWarningsAfterSale,
  grantBonus,
  programSchema,
  validateProgram,
  quote,
  type BasketLine,
  type MemberState,
  type QuoteInput,
} from '../../../shared/engine';
import { BARE_PROGRAM, testLine, testProgram, testState } from './fixtures';

const TUESDAY = '2026-11-24T10:00:00Z';
const WEDNESDAY = '2026-11-25T10:00:00Z';
const M = '01KDVDNA000000000000000002';

const program = testProgram;
const line = testLine;
const state = testState;
const input = (
  p: ReturnType<typeof program>,
  basket: BasketLine[],
  s: MemberState = state(),
  over: Partial<QuoteInput> = {},
): QuoteInput => ({
  program: p,
  member: { id: M, state: s },
  basket,
  at: TUESDAY,
  timeZone: 'Europe/Amsterdam',
  ...over,
});

describe('earning', () => {
  it('double points on Tuesdays only (day-of-week window)', () => {
    const p = program({
      earn: [
        { id: 'base', kind: 'per-currency', points: 1, perMinor: 100 },
        { id: 'tue', kind: 'multiplier', percent: 200, window: { daysOfWeek: [2] } },
      ],
    });
    expect(quote(input(p, [line('a', 1000)])).pointsEarned).toBe(20);
    expect(quote(input(p, [line('a', 1000)], state(), { at: WEDNESDAY })).pointsEarned).toBe(10);
  });

  it('date windows switch a rule on and off', () => {
    const p = program({
      earn: [{ id: 'promo', kind: 'per-order', points: 50, window: { from: '2026-11-20', to: '2026-11-24' } }],
    });
    expect(quote(input(p, [line('a', 100)])).pointsEarned).toBe(50);
    expect(quote(input(p, [line('a', 100)], state(), { at: WEDNESDAY })).pointsEarned).toBe(0);
  });

  it('per-order points need the order minimum', () => {
    const p = program({ earn: [{ id: 'order', kind: 'per-order', points: 25, minSpendMinor: 2000 }] });
    expect(quote(input(p, [line('a', 1999)])).pointsEarned).toBe(0);
    expect(quote(input(p, [line('a', 2000)])).pointsEarned).toBe(25);
  });

  it('per item, with category filters and exclusions', () => {
    const p = program({
      earn: [{ id: 'items', kind: 'per-item', points: 5, filter: { categories: ['fruit'], excludeTags: ['promo'] } }],
    });
    // 3 apples × 5; the promo pear earns nothing; bread is not fruit.
    expect(
      quote(
        input(p, [
          line('a', 50, { categoryId: 'fruit', quantity: 3 }),
          line('b', 60, { categoryId: 'fruit', tags: ['promo'] }),
          line('c', 200),
        ]),
      ).pointsEarned,
    ).toBe(15);
  });

  it('points before discounts when the program says so', () => {
    const base = { discountCard: { percent: 10, filter: { excludeTags: [] } } };
    // 20.00 with 10 % off = 18.00: after → 18 pts, before → 20 pts.
    expect(quote(input(program(base), [line('a', 2000)])).pointsEarned).toBe(18);
    expect(
      quote(input(program({ ...base, pointsBase: { discounts: 'before', tax: 'included' } }), [line('a', 2000)]))
        .pointsEarned,
    ).toBe(20);
  });

  it('half-up rounding when the program says so', () => {
    expect(quote(input(program({}), [line('a', 150)])).pointsEarned).toBe(1);
    expect(quote(input(program({ rounding: 'half-up' }), [line('a', 150)])).pointsEarned).toBe(2);
  });
});

describe('tiers', () => {
  const tiers = program({
    tierRules: { metric: 'spend', windowMonths: 12, downgradeGraceDays: 30 },
    tiers: [
      { id: 'base', name: 'Base', threshold: 0 },
      { id: 'gold', name: 'Gold', threshold: 100_000, multiplier: 200, perks: { percentOff: 5, freeDelivery: true } },
    ],
  });

  it('upgrades immediately when this basket crosses the spend threshold', () => {
    const q = quote(input(tiers, [line('a', 5000)], state({ tierWindow: { spendMinor: 96_000, points: 0 } })));
    expect(q.tierBefore).toBe('Base');
    expect(q.tierAfter).toBe('Gold');
    expect(q.tierProgress).toEqual({ current: 'Gold', next: null, remaining: null, metric: 'spend' });
  });

  it('a held tier is kept at the till (downgrades happen on the server at the window end) and its perks apply', () => {
    const q = quote(input(tiers, [line('a', 1000)], state({ tier: 'gold', tierWindow: { spendMinor: 0, points: 0 } })));
    // 5 % off 10.00 = 9.50; 9 base points × 2 = 19 (9.50 × 2 = 19.0).
    expect(q.tierBefore).toBe('Gold');
    expect(q.totalMinor).toBe(950);
    expect(q.pointsEarned).toBe(19);
  });
});

describe('discounts and stacking', () => {
  it('only the best of discount card, tier perk and membership perk applies (exclusive group)', () => {
    const p = program({
      discountCard: { percent: 5, filter: { excludeTags: [] } },
      memberships: [
        { id: 'plus', name: 'Plus', feeMinor: 0, termMonths: 12, perks: { multiplier: 100, percentOff: 8 } },
      ],
    });
    const q = quote(
      input(p, [line('a', 1000)], state({ membership: { planId: 'plus', validUntil: '2027-01-01T00:00:00Z' } })),
    );
    expect(q.discountMinor).toBe(80);
    // Lapsed membership: the card's 5 % is the best left.
    const lapsed = quote(
      input(p, [line('a', 1000)], state({ membership: { planId: 'plus', validUntil: '2026-01-01T00:00:00Z' } })),
    );
    expect(lapsed.discountMinor).toBe(50);
  });

  it('a discount card can be limited to a segment', () => {
    const p = program({ discountCard: { percent: 10, filter: { excludeTags: [] }, segment: 'staff' } });
    expect(quote(input(p, [line('a', 1000)])).discountMinor).toBe(0);
    expect(quote(input(p, [line('a', 1000)], state({ segments: ['staff'] }))).discountMinor).toBe(100);
  });

  it('member prices apply to members only', () => {
    const p = program({ memberPrices: [{ productId: 'a', priceMinor: 700 }] });
    expect(quote(input(p, [line('a', 1000, { quantity: 2 })])).totalMinor).toBe(1400);
    expect(quote({ ...input(p, [line('a', 1000, { quantity: 2 })]), member: null }).totalMinor).toBe(2000);
  });

  it('a one-time personal offer works once, for that member, inside its dates', () => {
    const p = program({
      offers: [
        {
          id: 'welcome',
          name: 'Welcome 20 %',
          filter: { excludeTags: [] },
          benefit: { kind: 'percent-off', percent: 20 },
          memberIds: [M],
          window: { to: '2026-11-30' },
          maxUses: 1,
        },
      ],
    });
    const q = quote(input(p, [line('a', 1000)]));
    expect(q.discountMinor).toBe(200);
    expect(q.effects.offerUses).toEqual({ welcome: 1 });
    expect(quote(input(p, [line('a', 1000)], state({ offerUses: { welcome: 1 } }))).discountMinor).toBe(0);
    expect(
      quote({ ...input(p, [line('a', 1000)]), member: { id: '01KDVDNA000000000000000009', state: state() } })
        .discountMinor,
    ).toBe(0);
    expect(quote(input(p, [line('a', 1000)], state(), { at: '2026-12-01T10:00:00Z' })).discountMinor).toBe(0);
  });

  it('segment offers can give bonus points or a fixed price', () => {
    const p = program({
      offers: [
        {
          id: 'bonus',
          name: 'Students: +30 pts on books',
          filter: { categories: ['books'] },
          benefit: { kind: 'bonus-points', points: 30 },
          segments: ['students'],
        },
        {
          id: 'price',
          name: 'Coffee 1.00',
          filter: { categories: ['coffee'] },
          benefit: { kind: 'price', priceMinor: 100 },
          segments: ['students'],
        },
      ],
    });
    const q = quote(
      input(
        p,
        [line('a', 1500, { categoryId: 'books' }), line('b', 250, { categoryId: 'coffee' })],
        state({ segments: ['students'] }),
      ),
    );
    // 15.00 + 1.00 = 16.00 → 16 pts + 30 offer points.
    expect(q.totalMinor).toBe(1600);
    expect(q.pointsEarned).toBe(46);
  });
});

describe('rewards and paying with points', () => {
  const p = program({
    tiers: [
      { id: 'base', name: 'Base', threshold: 0 },
      { id: 'vip', name: 'VIP', threshold: 1000 },
    ],
    rewards: [
      {
        id: 'ten-pct',
        name: '10 % off coffee',
        cost: 200,
        benefit: { kind: 'percent-off', percent: 10, filter: { categories: ['coffee'] } },
      },
      { id: 'free-cake', name: 'Free cake', cost: 300, benefit: { kind: 'free-item', productId: 'cake' } },
      {
        id: 'vip-only',
        name: 'VIP 5.00 off',
        cost: 100,
        benefit: { kind: 'amount-off', amountMinor: 500 },
        tiers: ['vip'],
      },
      {
        id: 'trees',
        name: 'Plant a tree',
        cost: 250,
        benefit: { kind: 'donation', cause: 'a reforestation fund', amountMinor: 250 },
      },
      {
        id: 'xmas',
        name: 'Christmas 2.00 off',
        cost: 100,
        benefit: { kind: 'amount-off', amountMinor: 200 },
        validFrom: '2026-12-01',
        validTo: '2026-12-26',
      },
    ],
  });
  const rich = state({ balance: 1000 });

  it('percent off matching lines, free item, donation', () => {
    const pct = quote(
      input(p, [line('a', 1000, { categoryId: 'coffee' }), line('b', 1000)], rich, {
        redeem: { kind: 'reward', rewardId: 'ten-pct' },
      }),
    );
    expect([pct.discountMinor, pct.pointsRedeemed]).toEqual([100, 200]);
    const cake = quote(
      input(p, [line('cake', 450, { quantity: 2 })], rich, { redeem: { kind: 'reward', rewardId: 'free-cake' } }),
    );
    expect(cake.totalMinor).toBe(450);
    const tree = commitSale({
      ...input(p, [line('a', 1000)], rich, { redeem: { kind: 'reward', rewardId: 'trees' } }),
      saleId: 'S',
    });
    expect(tree.entries.find((e) => e.type === 'redeem')).toMatchObject({
      points: -250,
      reason: 'Donation to a reforestation fund',
    });
  });

  it('tier-only and dated rewards are offered only when allowed', () => {
    const ids = (s: MemberState, at = TUESDAY) =>
      quote(input(p, [line('a', 1000)], s, { at })).affordableRewards.map((r) => r.rewardId);
    expect(ids(rich)).not.toContain('vip-only');
    expect(ids(state({ balance: 1000, tierWindow: { spendMinor: 0, points: 1500 } }))).toContain('vip-only');
    expect(ids(rich)).not.toContain('xmas');
    expect(ids(rich, '2026-12-10T10:00:00Z')).toContain('xmas');
    const refused = quote(input(p, [line('a', 1000)], rich, { redeem: { kind: 'reward', rewardId: 'vip-only' } }));
    expect(refused.errors[0]!.code).toBe('NOT_ALLOWED');
    expect(refused.totalMinor).toBe(1000);
  });

  it('the offline cap bounds what a member can redeem per store day', () => {
    const capped = program({ payWithPoints: { minorPerPoint: 1, maxPercent: 100 }, offlineRedemptionCapPerDay: 300 });
    const s = state({ balance: 5000, redeemedToday: { date: '2026-11-24', points: 200 } });
    const offline = quote(
      input(capped, [line('a', 1000)], s, { redeem: { kind: 'points', points: 200 }, offline: true }),
    );
    expect(offline.errors[0]).toMatchObject({
      code: 'OFFLINE_CAP_REACHED',
      message: 'Offline, at most 100 points can be redeemed today',
    });
    expect(offline.pointsRedeemed).toBe(0);
    expect(quote(input(capped, [line('a', 1000)], s, { redeem: { kind: 'points', points: 200 } })).pointsRedeemed).toBe(
      200,
    );
  });
});

describe('bonuses', () => {
  const p = program({
    bonuses: {
      signup: 50,
      emailConfirmed: 20,
      review: 10,
      birthday: { points: 100, windowDays: 0 },
      referral: { referrer: 200, referee: 100 },
    },
  });

  it('sign-up, e-mail and review bonuses have natural ids and are granted once', () => {
    expect(grantBonus({ program: p, memberId: M, state: state(), kind: 'signup' })).toMatchObject({
      points: 50,
      naturalId: `signup:${M}`,
    });
    expect(
      grantBonus({ program: p, memberId: M, state: state({ grants: [`signup:${M}`] }), kind: 'signup' }),
    ).toBeNull();
    expect(grantBonus({ program: p, memberId: M, state: state(), kind: 'email-confirmed' })).toMatchObject({
      naturalId: `email-confirmed:${M}`,
    });
    expect(grantBonus({ program: p, memberId: M, state: state(), kind: 'review', reviewId: 'r1' })).toMatchObject({
      points: 10,
      naturalId: `review:${M}:r1`,
    });
  });

  it('birthday bonus once a year, on the day in the store time zone', () => {
    // 23:30 UTC on the 23rd is already the 24th in Amsterdam.
    const q = quote(input(p, [line('a', 100)], state({ birthday: '11-24' }), { at: '2026-11-23T23:30:00Z' }));
    expect(q.bonuses).toEqual([expect.objectContaining({ points: 100, naturalId: `birthday:${M}:2026` })]);
    expect(
      quote(input(p, [line('a', 100)], state({ birthday: '11-24', grants: [`birthday:${M}:2026`] }))).bonuses,
    ).toEqual([]);
  });

  it('referral pays both sides on the referee’s first purchase', () => {
    const referrer = '01KDVDNA000000000000000001';
    const { entries, effects } = commitSale({
      ...input(p, [line('a', 1000)], state({ referredBy: referrer })),
      saleId: 'S',
    });
    expect(entries.filter((e) => e.type === 'bonus').map((e) => [e.memberId, e.points])).toEqual([
      [M, 100],
      [referrer, 200],
    ]);
    expect(effects.grants).toContain(`referral:${referrer}:${M}`);
    expect(
      quote(input(p, [line('a', 1000)], state({ referredBy: referrer, grants: [`referral:${referrer}:${M}`] })))
        .bonuses,
    ).toEqual([]);
  });
});

describe('expiry, membership, households', () => {
  it('expires FIFO lots N months after earning, with natural ids', () => {
    const p = program({ expiry: { mode: 'months-after-earn', months: 12, warnDays: 30 } });
    const s = state({
      balance: 150,
      lots: { asOf: '2025-12-10', buckets: { '2025-11-01': [100, 0], '2025-12-10': [50, 0] }, spent: 0 },
    });
    expect(expire({ program: p, memberId: M, state: s, at: TUESDAY, timeZone: 'Europe/Amsterdam' })).toEqual([
      {
        memberId: M,
        saleId: null,
        type: 'expire',
        points: -100,
        reason: '100 points expired on 2026-11-01',
        naturalId: `expire:${M}:2025-11-01:2026-11-01`,
        ruleId: 'expiry:months-after-earn',
      },
    ]);
    expect(quote(input(p, [line('a', 100)], s)).expiryWarnings).toEqual([{ points: 50, expiresAt: '2026-12-10' }]);
  });

  it('the receipt warns of what still expires after the sale: redeemed points go from the oldest lot', () => {
    const p = program({ expiry: { mode: 'months-after-earn', months: 12, warnDays: 30 } });
    const s = state({
      balance: 150,
      lots: { asOf: '2025-12-10', buckets: { '2025-11-01': [100, 0], '2025-12-10': [50, 0] }, spent: 100 },
    });
    const at = '2026-11-20T10:00:00Z';
    const tz = 'Europe/Amsterdam';
    expect(expiryWarningsAfterSale(p, s, { pointsEarned: 0, pointsRedeemed: 0 }, at, tz)).toEqual([
      { points: 50, expiresAt: '2026-12-10' },
    ]);
    // 30 redeemed now come out of the lot that expires soonest; 12 earned today expire next year.
    expect(expiryWarningsAfterSale(p, s, { pointsEarned: 12, pointsRedeemed: 30 }, at, tz)).toEqual([
      { points: 20, expiresAt: '2026-12-10' },
    ]);
    expect(expiryWarningsAfterSale(p, s, { pointsEarned: 0, pointsRedeemed: 50 }, at, tz)).toEqual([]);
  });

  it('inactivity expiry counts from the last activity', () => {
    const p = program({ expiry: { mode: 'inactivity', months: 6, warnDays: 14 } });
    const s = state({
      balance: 80,
      lastActivityAt: '2026-05-20T10:00:00Z',
      lots: { asOf: '2025-01-01', buckets: { '2025-01-01': [80, 0] }, spent: 0 },
    });
    expect(expire({ program: p, memberId: M, state: s, at: TUESDAY, timeZone: 'UTC' }).map((e) => e.points)).toEqual([
      -80,
    ]);
  });

  it('days-after-earn: a lot earned on 10 November expires 14 days later, on the 24th; a later one does not', () => {
    const p = program({ expiry: { mode: 'days-after-earn', days: 14, warnDays: 3 } });
    const s = state({
      balance: 90,
      lots: { asOf: '2026-11-20', buckets: { '2026-11-10': [60, 0], '2026-11-20': [30, 0] }, spent: 0 },
    });
    // Tuesday 24 November: the 10 November lot (60) is due; the 20 November lot lives until 4 December.
    expect(expire({ program: p, memberId: M, state: s, at: TUESDAY, timeZone: 'UTC' }).map((e) => e.points)).toEqual([
      -60,
    ]);
    // On the 22nd the 60 points are 2 days from expiry: inside warnDays (3), and dated.
    expect(
      expiryWarningsAfterSale(p, s, { pointsEarned: 0, pointsRedeemed: 0 }, '2026-11-22T10:00:00Z', 'UTC'),
    ).toEqual([{ points: 60, expiresAt: '2026-11-24' }]);
  });

  it('inactivity expiry in days counts from the last activity', () => {
    const p = program({ expiry: { mode: 'inactivity', days: 30, warnDays: 7 } });
    const lots = { asOf: '2026-10-01', buckets: { '2026-10-01': [80, 0] as [number, number] }, spent: 0 };
    // Last sale 20 October: all points expire on 19 November, before Tuesday the 24th.
    const idle = state({ balance: 80, lastActivityAt: '2026-10-20T10:00:00Z', lots });
    expect(expire({ program: p, memberId: M, state: idle, at: TUESDAY, timeZone: 'UTC' }).map((e) => e.points)).toEqual(
      [-80],
    );
    // Last sale 1 November: they live until 1 December.
    const active = state({ balance: 80, lastActivityAt: '2026-11-01T10:00:00Z', lots });
    expect(expire({ program: p, memberId: M, state: active, at: TUESDAY, timeZone: 'UTC' })).toEqual([]);
  });

  it('an inactivity expiry with both months and days, or neither, is refused', () => {
    for (const expiry of [{ mode: 'inactivity', months: 6, days: 30 }, { mode: 'inactivity' }]) {
      const r = programSchema.safeParse({
        format: 'kassa-program/1',
        id: 'p',
        version: 1,
        name: 'P',
        currency: 'EUR',
        earn: [],
        expiry,
      });
      expect(r.success).toBe(false);
      expect(r.error?.issues.map((i) => i.message)).toContain('Inactivity expiry needs "months" or "days" (one)');
    }
  });

  it('buying a paid membership sets its term; renewing extends it', () => {
    const p = program({
      memberships: [
        { id: 'plus', name: 'Plus', feeMinor: 2500, termMonths: 12, perks: { multiplier: 150, percentOff: 0 } },
      ],
    });
    const fee = line('fee', 2500, { tags: ['membership:plus', 'no-discount'] });
    const bought = quote(input(p, [fee]));
    expect(bought.effects.membership).toEqual({ planId: 'plus', months: 12 });
    expect(bought.explanation.map((e) => e.text)).toContain('Plus until 2027-11-24');
    const held = state({ membership: { planId: 'plus', validUntil: '2027-02-01T00:00:00.000Z' } });
    const renew = quote(input(p, [fee], held));
    expect(renew.explanation.map((e) => e.text)).toContain('Plus until 2028-02-01');
    // The term starts when the held one ends (the shared projection folds the terms in date order).
    const after = project(
      held,
      [{ kind: 'sale', id: 'S1', memberId: M, at: TUESDAY, spendMinor: 2500, effects: renew.effects }],
      {
        timeZone: 'Europe/Amsterdam',
      },
    );
    expect(membershipUntil(after)).toEqual({ planId: 'plus', validUntil: '2028-02-01T00:00:00.000Z' });
  });

  it('household members earn into and redeem from the shared account', () => {
    const household = '01KDVDNA00000000000000000H';
    const p = program({ payWithPoints: { minorPerPoint: 1, maxPercent: 50 } });
    const { entries } = commitSale({
      ...input(p, [line('a', 1000)], state({ balance: 400, householdId: household }), {
        redeem: { kind: 'points', points: 100 },
      }),
      member: { id: M, accountId: household, state: state({ balance: 400, householdId: household }) },
      saleId: 'S',
    });
    expect(entries.map((e) => [e.type, e.memberId, e.points])).toEqual([
      ['redeem', household, -100],
      ['earn', household, 9],
    ]);
  });
});

describe('free units: one unit off, no per-item points, however the units are split into lines', () => {
  // Every 10th drink free, 10 points per drink paid; no points per currency. A member with 8 stamps buys two
  // lattes at 3.80: the first is stamp 9, the second is the 10th and free. One latte is paid: 3.80, 10 points.
  const coffee = program({
    earn: [{ id: 'per-drink', kind: 'per-item', points: 10, filter: { categories: ['drinks'] } }],
    stampCards: [{ id: 'card', name: 'Coffee card', filter: { categories: ['drinks'] }, every: 10 }],
  });
  const eight = state({ stamps: { card: { asOf: '2026-11-20', buckets: { all: 8 } } } });
  const latte = (id: string, quantity: number) => line(id, 380, { productId: 'latte', categoryId: 'drinks', quantity });

  it('a stamp card frees one latte of a line of two, not the line (it took 7.60 off)', () => {
    const q = quote(input(coffee, [latte('l1', 2)], eight));
    expect(q.discountMinor).toBe(380);
    expect(q.totalMinor).toBe(380);
  });

  it('the free latte earns no drink points on one line of two as on two lines (it earned 20 and 10)', () => {
    const one = quote(input(coffee, [latte('l1', 2)], eight));
    const two = quote(input(coffee, [latte('l1', 1), latte('l2', 1)], eight));
    expect([one.discountMinor, one.pointsEarned]).toEqual([380, 10]);
    expect([two.discountMinor, two.pointsEarned]).toEqual([380, 10]);
  });

  it('a free-item reward takes one unit of a line of three and leaves two earning per item', () => {
    const p = program({
      earn: [{ id: 'per-drink', kind: 'per-item', points: 10, filter: { categories: ['drinks'] } }],
      rewards: [{ id: 'free', name: 'Free latte', cost: 100, benefit: { kind: 'free-item', productId: 'latte' } }],
    });
    const q = quote(
      input(p, [latte('l1', 3)], state({ balance: 500 }), { redeem: { kind: 'reward', rewardId: 'free' } }),
    );
    expect([q.discountMinor, q.totalMinor, q.pointsEarned]).toEqual([380, 760, 20]);
  });

  describe('a stamp card and a free-item reward on the same line of three (found by the split property)', () => {
    const both = program({
      earn: [{ id: 'per-drink', kind: 'per-item', points: 10, filter: { categories: ['drinks'] } }],
      stampCards: [{ id: 'card', name: 'Coffee card', filter: { categories: ['drinks'] }, every: 10 }],
      rewards: [{ id: 'free', name: 'Free latte', cost: 100, benefit: { kind: 'free-item', productId: 'latte' } }],
    });
    const member = state({ balance: 500, stamps: { card: { asOf: '2026-11-20', buckets: { all: 8 } } } });
    const reward = { redeem: { kind: 'reward' as const, rewardId: 'free' } };

    it('each frees a whole latte, as on three lines (the reward took a third of the two lattes left)', () => {
      const one = quote(input(both, [latte('l1', 3)], member, reward));
      const three = quote(input(both, [latte('l1', 1), latte('l2', 1), latte('l3', 1)], member, reward));
      expect([one.discountMinor, one.totalMinor, one.pointsEarned]).toEqual([760, 380, 10]);
      expect([three.discountMinor, three.totalMinor, three.pointsEarned]).toEqual([760, 380, 10]);
    });

    it('refuses the reward when the stamp card already freed the only latte, and charges no points for it', () => {
      const q = quote(
        input(
          both,
          [latte('l1', 1), line('b', 200)],
          state({ ...member, stamps: { card: { asOf: '2026-11-20', buckets: { all: 9 } } } }),
          reward,
        ),
      );
      expect(q.errors.map((e) => e.code)).toEqual(['NOT_ALLOWED']);
      expect([q.discountMinor, q.pointsRedeemed]).toEqual([380, 0]);
    });
  });
});

describe('returns of a sale worth nothing', () => {
  it('restores every redeemed point when a free sale comes back whole (found by the refund property)', () => {
    // 1 g of a product at 0.01 per kg rounds to 0.00; the member still spent 100 points on the free-item reward.
    const sale = {
      storeId: 's',
      cashierId: 'c',
      memberId: M,
      currency: 'EUR',
      lines: [
        {
          lineId: 'L00',
          kind: 'item' as const,
          productId: 'p1',
          ean: '',
          name: 'Product 1',
          quantity: 1,
          grams: 1,
          unit: 'kg' as const,
          tags: [],
          unitPriceMinor: 1,
          amountMinor: 0,
          discountMinor: 0,
          points: 0,
          categoryId: 'grocery',
        },
      ],
      subtotalMinor: 0,
      discountMinor: 0,
      totalMinor: 0,
      tenders: [{ kind: 'cash' as const, amountMinor: 0 }],
      programId: 'p',
      programVersion: 1,
      memberSeq: null,
      accountSeq: null,
      accountId: null,
      redeem: { kind: 'reward' as const, rewardId: 'r-free' },
      offline: false,
      refundOf: null,
      receiptNo: null,
      entryIds: [],
      effects: null,
    };
    const r = refund({ sale, saleId: 'S', pointsRedeemed: 100, returned: [{ lineIndex: 0, quantity: 1 }] });
    expect(r.pointsRestored).toBe(100);
    expect(r.entries).toEqual([expect.objectContaining({ type: 'refund', points: 100, ruleId: 'refund:redeem' })]);
  });
});

describe('redeeming: several of a reward, points in blocks, points the order itself earns', () => {
  const vouchers = program({
    rewards: [
      { id: 'five', name: '5.00 off', cost: 500, benefit: { kind: 'amount-off', amountMinor: 500 }, maxPerOrder: 3 },
      {
        id: 'latte',
        name: 'Free latte',
        cost: 300,
        benefit: { kind: 'free-item', productId: 'latte' },
        maxPerOrder: 2,
      },
    ],
  });
  const rich = state({ balance: 2000 });
  const latte = (quantity: number) => line('l', 380, { productId: 'latte', quantity });

  it('takes two 5.00 vouchers in one order for 1,000 points, and refuses a fourth with nothing changed', () => {
    const two = quote(
      input(vouchers, [line('a', 3000)], rich, { redeem: { kind: 'reward', rewardId: 'five', count: 2 } }),
    );
    // 30.00 − 10.00 = 20.00, 20 points on it; 2,000 − 1,000 + 20.
    expect([two.discountMinor, two.pointsRedeemed, two.balanceAfter]).toEqual([1000, 1000, 1020]);
    const four = quote(
      input(vouchers, [line('a', 3000)], rich, { redeem: { kind: 'reward', rewardId: 'five', count: 4 } }),
    );
    expect([four.errors.map((e) => [e.code, e.message]), four.discountMinor, four.pointsRedeemed]).toEqual([
      [['BAD_COUNT', '5.00 off: at most 3 per order']],
      0,
      0,
    ]);
  });

  it('frees two lattes of three for two claims, and refuses two claims with one latte in the basket', () => {
    const q = quote(input(vouchers, [latte(3)], rich, { redeem: { kind: 'reward', rewardId: 'latte', count: 2 } }));
    expect([q.discountMinor, q.totalMinor, q.pointsRedeemed]).toEqual([760, 380, 600]);
    const one = quote(input(vouchers, [latte(1)], rich, { redeem: { kind: 'reward', rewardId: 'latte', count: 2 } }));
    expect([one.errors.map((e) => e.code), one.pointsRedeemed]).toEqual([['NOT_ALLOWED'], 0]);
  });

  it('pays points in blocks of 100: 250 is refused, a cap of 255 takes 200', () => {
    const p = program({ payWithPoints: { minorPerPoint: 1, maxPercent: 50, blockPoints: 100 } });
    const odd = quote(input(p, [line('a', 1000)], rich, { redeem: { kind: 'points', points: 250 } }));
    expect([odd.errors.map((e) => e.message), odd.pointsRedeemed]).toEqual([['Points are paid in steps of 100'], 0]);
    // 50 % of 5.10 = 2.55 → 255 points at most → 200 in whole blocks.
    const capped = quote(input(p, [line('a', 510)], rich, { redeem: { kind: 'points', points: 300 } }));
    expect([capped.pointsRedeemed, capped.totalMinor]).toEqual([200, 310]);
  });

  it('spends points the order earns where the program allows it, never leaving the balance below zero', () => {
    const reward = { id: 'r', name: '0.60 off', cost: 60, benefit: { kind: 'amount-off' as const, amountMinor: 60 } };
    const strict = program({ rewards: [reward] });
    const same = program({ rewards: [reward], spendSameOrderPoints: true });
    const take = { redeem: { kind: 'reward' as const, rewardId: 'r' } };
    // 50 points, a 20.00 basket: 50 − 60 + 19 (on 19.40) = 9.
    const ok = quote(input(same, [line('a', 2000)], state({ balance: 50 }), take));
    expect([ok.errors, ok.pointsRedeemed, ok.pointsEarned, ok.balanceAfter]).toEqual([[], 60, 19, 9]);
    expect(quote(input(strict, [line('a', 2000)], state({ balance: 50 }), take)).errors.map((e) => e.code)).toEqual([
      'NOT_ENOUGH_POINTS',
    ]);
    // 30 points: 30 − 60 + 19 < 0, so no reward: the quote without it, and why.
    const short = quote(input(same, [line('a', 2000)], state({ balance: 30 }), take));
    expect([short.errors.map((e) => e.message), short.discountMinor, short.balanceAfter]).toEqual([
      ['Not enough points: 50 available'],
      0,
      50,
    ]);
    // The catalogue counts this order's points: 30 + 20 affords the 60-point reward only with them.
    expect(
      quote(input(same, [line('a', 4000)], state({ balance: 30 }))).affordableRewards.map((r) => r.rewardId),
    ).toEqual(['r']);
  });

  it('refuses a percentage reward taken more than once per order in the program file', () => {
    const r = validateProgram({
      ...BARE_PROGRAM,
      earn: [{ id: 'base', kind: 'per-currency', points: 1, perMinor: 100 }],
      rewards: [{ id: 'pct', name: '10 %', cost: 100, benefit: { kind: 'percent-off', percent: 10 }, maxPerOrder: 2 }],
    });
    expect(r.ok ? [] : r.issues.map((i) => i.path)).toEqual(['rewards[0].maxPerOrder']);
  });
});
