import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import {
  commit,
  emptyMemberState,
  quote,
  validateProgram,
  type BasketLine,
  type QuoteInput,
} from '../../shared/engine';

const raw: unknown = JSON.parse(readFileSync(new URL('../../examples/supermarket.json', import.meta.url), 'utf8'));
const parsed = validateProgram(raw);
if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
const program = parsed.program;

const line = (id: string, priceMinor: number, over: Partial<BasketLine> = {}): BasketLine => ({
  lineId: id,
  productId: `p-${id}`,
  ean: '4006381333931',
  name: `Item ${id}`,
  categoryId: 'grocery',
  tags: [],
  unit: 'each',
  quantity: 1,
  grams: null,
  unitPriceMinor: priceMinor,
  ...over,
});

const member = (balance: number, tierPoints = 0) => ({
  id: '01J9ZQ6V4B8M3N2P5R7S9T0W1X',
  state: { ...emptyMemberState(), balance, tierWindow: { spendMinor: 0, points: tierPoints } },
});

const base = (over: Partial<QuoteInput> = {}): QuoteInput => ({
  program,
  member: member(0),
  basket: [],
  at: '2026-11-23T10:00:00Z',
  timeZone: 'Europe/Amsterdam',
  ...over,
});

describe('basic earn rule (1 pt per 1.00 EUR, rounded down over the basket)', () => {
  it('earns on the basket total, not per line', () => {
    // 0.60 + 0.60 = 1.20 EUR -> 1 point (each line alone would earn 0).
    const q = quote(base({ basket: [line('a', 60), line('b', 60)] }));
    expect(q.subtotalMinor).toBe(120);
    expect(q.pointsEarned).toBe(1);
    expect(q.lines.reduce((s, l) => s + l.points, 0)).toBe(1);
    expect(q.balanceAfter).toBe(1);
  });

  it('excludes tobacco and doubles coffee, and explains each number', () => {
    const q = quote(
      base({
        basket: [
          line('a', 1250, { categoryId: 'coffee', name: 'Coffee beans' }),
          line('b', 900, { tags: ['tobacco'] }),
        ],
      }),
    );
    // Coffee 12.50 EUR -> 12 base × 2 = 25 (computed on 12.50 × 2 = 25.00); tobacco earns nothing.
    expect(q.pointsEarned).toBe(25);
    expect(q.lines.find((l) => l.lineId === 'b')!.points).toBe(0);
    expect(q.explanation.map((e) => e.text)).toContain('+25 pts: 1 pt per 1.00 EUR');
  });

  it('earns nothing below the minimum spend and for non-members', () => {
    expect(quote(base({ basket: [line('a', 99)] })).pointsEarned).toBe(0);
    expect(quote(base({ member: null, basket: [line('a', 5000)] })).pointsEarned).toBe(0);
  });

  it('weighs goods per kg and adds the produce bonus', () => {
    // 1.500 kg at 2.00 EUR/kg = 3.00 EUR -> 3 pts; produce bonus 2 pts per kg × 1.5 kg -> 3.
    const q = quote(base({ basket: [line('a', 200, { unit: 'kg', grams: 1500, categoryId: 'produce' })] }));
    expect(q.subtotalMinor).toBe(300);
    expect(q.pointsEarned).toBe(3 + 3);
  });

  it('applies the tier multiplier', () => {
    const q = quote(base({ member: member(0, 2500), basket: [line('a', 1000)] }));
    expect(q.tierBefore).toBe('Gold');
    expect(q.pointsEarned).toBe(15);
  });

  it('pays with points under the 50 % cap and refuses more than the balance', () => {
    const q = quote(base({ member: member(5000), basket: [line('a', 1000)], redeem: { kind: 'points', points: 800 } }));
    expect(q.pointsRedeemed).toBe(500);
    expect(q.totalMinor).toBe(500);
    expect(q.pointsEarned).toBe(5); // points base is after the discount
    const poor = quote(
      base({ member: member(10), basket: [line('a', 1000)], redeem: { kind: 'points', points: 100 } }),
    );
    expect(poor.errors[0]).toMatchObject({ code: 'NOT_ENOUGH_POINTS', message: 'Not enough points: 10 available' });
    expect(poor.pointsRedeemed).toBe(0);
    expect(() =>
      commit({
        ...base({ member: member(10), basket: [line('a', 1000)], redeem: { kind: 'points', points: 100 } }),
        saleId: 'S',
      }),
    ).toThrow(/Not enough points/);
  });

  it('commit writes one earn and one redeem entry that add up to the quote', () => {
    const input = base({
      member: member(1000),
      basket: [line('a', 2000)],
      redeem: { kind: 'reward', rewardId: 'five-off' },
    });
    const entries = commit({ ...input, saleId: '01J9ZQ6V4B8M3N2P5R7S9T0W1Y' });
    const q = quote(input);
    expect(entries.map((e) => e.type).sort()).toEqual(['earn', 'redeem']);
    expect(entries.reduce((s, e) => s + e.points, 0)).toBe(q.pointsEarned - q.pointsRedeemed);
  });

  it('rejects a broken program with the JSON path', () => {
    const bad = validateProgram({
      ...(raw as object),
      earn: [{ id: 'x', kind: 'per-currency', points: 1, perMinor: 0 }],
    });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.issues[0]!.path).toBe('earn[0].perMinor');
  });

  it('is independent of line order and never creates points from nothing (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 20000 }), fc.constantFrom('grocery', 'coffee', 'produce')), {
          minLength: 1,
          maxLength: 12,
        }),
        (specs) => {
          const basket = specs.map(([price, cat], i) =>
            line(`l${String(i).padStart(2, '0')}`, price, { categoryId: cat }),
          );
          const a = quote(base({ basket }));
          const b = quote(base({ basket: [...basket].reverse() }));
          expect(JSON.stringify(b)).toBe(JSON.stringify(a));
          // At most 2 pts per 1.00 (coffee double) — never more than the spend allows.
          expect(a.pointsEarned).toBeLessThanOrEqual(Math.floor((a.totalMinor * 2) / 100));
          expect(a.lines.reduce((s, l) => s + l.points, 0)).toBe(a.pointsEarned);
          expect(a.totalMinor).toBeGreaterThanOrEqual(0);
        },
      ),
    );
  });
});
