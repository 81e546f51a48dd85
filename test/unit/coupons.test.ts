/**
 * Single-use coupons: the codes' shape and check character, the till's lookup of entered codes in its batches, and
 * the engine's promotion for a batch (one code once, one of a batch per sale, unknown and used codes refused).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { batchCodesOf, couponCode, couponCodeValid, type CouponBatchRef } from '../../shared/coupons';
import { quote, validateProgram } from '../../shared/engine';
import { testLine, testProgram } from './engine/fixtures';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const TZ = 'Europe/Amsterdam';
const AT = '2026-12-07T10:00:00.000Z';
const randomArb = fc.array(fc.integer({ min: 0, max: 31 }), { minLength: 7, maxLength: 7 });

function drawn(values: number[]): (n: number) => number {
  let i = 0;
  return () => values[i++ % values.length]!;
}

describe('coupon codes', () => {
  it('every code drawn is valid, and any one character mistyped is not', () => {
    fc.assert(
      fc.property(randomArb, fc.nat(7), fc.integer({ min: 1, max: 31 }), (values, at, shift) => {
        const code = couponCode('xmas', drawn(values));
        expect(code).toMatch(/^XMAS-[0-9A-Z]{8}$/);
        expect(couponCodeValid(code)).toBe(true);
        expect(couponCodeValid(code.toLowerCase())).toBe(true);
        const body = code.slice(5);
        const wrong = ALPHABET[(ALPHABET.indexOf(body[at]!) + shift) % 32]!;
        expect(couponCodeValid(`XMAS-${body.slice(0, at)}${wrong}${body.slice(at + 1)}`)).toBe(false);
      }),
    );
    expect(couponCodeValid('XMAS-7KQ2H9T')).toBe(false);
    expect(couponCodeValid('XMAS-7KQ2H9TIL')).toBe(false);
    expect(couponCodeValid('')).toBe(false);
  });

  it('finds entered codes in the batches, used when the batch or this till says so', () => {
    const batch: CouponBatchRef = {
      programId: 'p',
      batch: 'xmas',
      codes: ['XMAS-A', 'XMAS-B', 'XMAS-C'],
      used: ['XMAS-B'],
    };
    expect(batchCodesOf([' xmas-a', 'XMAS-B', 'XMAS-C', 'OTHER'], [batch], new Set(['XMAS-C']))).toEqual({
      'XMAS-A': { batch: 'xmas', used: false },
      'XMAS-B': { batch: 'xmas', used: true },
      'XMAS-C': { batch: 'xmas', used: true },
    });
    expect(batchCodesOf(undefined, [batch])).toEqual({});
  });
});

describe('a promotion for a coupon batch', () => {
  const program = testProgram({
    promotions: [
      {
        id: 'xmas',
        name: '5.00 off',
        couponBatch: 'xmas',
        benefit: { kind: 'amount-off', amountMinor: 500, on: 'order' },
      },
    ],
  });
  const base = { program, member: null, basket: [testLine('L1', 2_000)], at: AT, timeZone: TZ, redeem: null };

  it('applies with one open code of the batch, and not without one', () => {
    expect(quote(base).totalMinor).toBe(2_000);
    const open = quote({ ...base, codes: ['XMAS-A'], batchCodes: { 'XMAS-A': { batch: 'xmas', used: false } } });
    expect([open.totalMinor, open.errors]).toEqual([1_500, []]);
    // A code the caller did not find in a batch is unknown, even in a coupon's shape.
    expect(quote({ ...base, codes: ['XMAS-A'] }).errors.map((e) => e.code)).toEqual(['CODE_UNKNOWN']);
  });

  it('refuses a used code, and a second code of the same batch on one sale', () => {
    const used = quote({ ...base, codes: ['XMAS-A'], batchCodes: { 'XMAS-A': { batch: 'xmas', used: true } } });
    expect([used.totalMinor, used.errors.map((e) => e.code)]).toEqual([2_000, ['COUPON_USED']]);
    const two = quote({
      ...base,
      codes: ['XMAS-A', 'XMAS-B'],
      batchCodes: { 'XMAS-A': { batch: 'xmas', used: false }, 'XMAS-B': { batch: 'xmas', used: false } },
    });
    expect([two.totalMinor, two.errors.map((e) => e.code)]).toEqual([1_500, ['COUPON_ONE_PER_SALE']]);
  });

  it('a program is refused when a promotion has a code and a batch, or two promotions one batch', () => {
    const promo = { name: 'x', benefit: { kind: 'amount-off', amountMinor: 100, on: 'order' } };
    const file = (promotions: unknown[]) => ({
      format: 'kassa-program/1',
      id: 'p',
      version: 1,
      name: 'P',
      currency: 'EUR',
      earn: [],
      promotions,
    });
    const both = validateProgram(file([{ ...promo, id: 'a', code: 'SAVE', couponBatch: 'b' }]));
    expect(both.ok ? [] : both.issues.map((i) => i.path)).toEqual(['promotions[0].couponBatch']);
    const shared = validateProgram(
      file([
        { ...promo, id: 'a', couponBatch: 'b' },
        { ...promo, id: 'c', couponBatch: 'b' },
      ]),
    );
    expect(shared.ok ? [] : shared.issues.map((i) => i.path)).toEqual(['promotions[1].couponBatch']);
  });
});
