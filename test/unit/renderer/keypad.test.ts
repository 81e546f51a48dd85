/**
 * The keypad without a DOM: a number then a numeric-pad key, read into a
 * command for the highlighted line or refused with a code; the session's
 * quantity, weight and price changes; discounts and overrides as the line's
 * new price and the record kept with it, and who must approve them.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { ProductRow } from '../../../src-renderer/src/db/schemas';
import { keypadCommand } from '../../../src-renderer/src/features/sale/keypad';
import { priceChange, priceNeedsSupervisor } from '../../../src-renderer/src/features/sale/price-change';
import {
  discountedPrice,
  newSession,
  saleSession,
  type SaleSession,
  type SessionAction,
  type SessionLine,
} from '../../../src-renderer/src/features/sale/session';

const coffee: ProductRow = {
  id: 'p-coffee',
  ean: '8710000000116',
  name: 'Coffee',
  priceMinor: 699,
  currency: 'EUR',
  categoryId: 'coffee',
  unit: 'each',
  tags: [],
  seq: 1,
};
const bananas: ProductRow = { ...coffee, id: 'p-bananas', ean: '21031', name: 'Bananas', priceMinor: 199, unit: 'kg' };

function run(...actions: SessionAction[]): SaleSession {
  return actions.reduce(saleSession, newSession());
}
const addCoffee: SessionAction = {
  type: 'add-product',
  product: coffee,
  scanned: { line: { unit: 'each', quantity: 1, grams: null, unitPriceMinor: 699 }, mergeable: true },
};
const addBananas: SessionAction = {
  type: 'add-product',
  product: bananas,
  scanned: { line: { unit: 'kg', quantity: 1, grams: 1200, unitPriceMinor: 199 }, mergeable: false },
};

describe('keypad commands', () => {
  const s = run(addCoffee, addBananas);
  const [cup, bunch] = s.lines as [SessionLine, SessionLine];

  it('reads a quantity, a weight, a price and a discount for the line they fit', () => {
    expect(keypadCommand('*', '3', cup, 'EUR')).toEqual({ ok: true, command: { kind: 'quantity', quantity: 3 } });
    expect(keypadCommand('/', '1,250', bunch, 'EUR')).toEqual({ ok: true, command: { kind: 'weight', grams: 1250 } });
    expect(keypadCommand('+', '5.49', cup, 'EUR')).toEqual({
      ok: true,
      command: { kind: 'price', unitPriceMinor: 549 },
    });
    expect(keypadCommand('-', '15', cup, 'EUR')).toEqual({ ok: true, command: { kind: 'discount', percent: 15 } });
  });

  it('refuses what does not fit, with a code', () => {
    expect(keypadCommand('*', '3', null, 'EUR')).toEqual({ ok: false, code: 'KEYPAD_NO_LINE' });
    expect(keypadCommand('*', '0', cup, 'EUR')).toEqual({ ok: false, code: 'KEYPAD_BAD_QUANTITY' });
    expect(keypadCommand('*', '1.5', cup, 'EUR')).toEqual({ ok: false, code: 'KEYPAD_BAD_QUANTITY' });
    expect(keypadCommand('*', '10000', cup, 'EUR')).toEqual({ ok: false, code: 'KEYPAD_BAD_QUANTITY' });
    expect(keypadCommand('*', '2', bunch, 'EUR')).toEqual({ ok: false, code: 'KEYPAD_LINE_WEIGHED' });
    expect(keypadCommand('/', '1.2', cup, 'EUR')).toEqual({ ok: false, code: 'KEYPAD_LINE_NOT_WEIGHED' });
    expect(keypadCommand('/', '', bunch, 'EUR')).toEqual({ ok: false, code: 'KEYPAD_BAD_WEIGHT' });
    expect(keypadCommand('+', '5.499', cup, 'EUR')).toEqual({ ok: false, code: 'KEYPAD_BAD_PRICE' });
    expect(keypadCommand('+', '6.99', cup, 'EUR')).toEqual({ ok: false, code: 'KEYPAD_SAME_PRICE' });
    expect(keypadCommand('-', '0', cup, 'EUR')).toEqual({ ok: false, code: 'KEYPAD_BAD_PERCENT' });
    expect(keypadCommand('-', '101', cup, 'EUR')).toEqual({ ok: false, code: 'KEYPAD_BAD_PERCENT' });
  });

  it('changes the line it names, and nothing while paying', () => {
    const q = saleSession(s, { type: 'set-quantity', lineId: cup.lineId, quantity: 4 });
    expect(q.lines[0]!.quantity).toBe(4);
    expect(q.lastLineId).toBe(cup.lineId);
    const w = saleSession(s, { type: 'set-weight', lineId: bunch.lineId, grams: 900 });
    expect(w.lines[1]!.grams).toBe(900);
    // A weight on goods sold per item, a quantity on a weighed line: nothing changes.
    expect(saleSession(s, { type: 'set-weight', lineId: cup.lineId, grams: 900 }).lines).toEqual(s.lines);
    expect(saleSession(s, { type: 'set-quantity', lineId: bunch.lineId, quantity: 3 }).lines).toEqual(s.lines);
    const paying = saleSession(s, { type: 'open-pay' });
    expect(saleSession(paying, { type: 'set-quantity', lineId: cup.lineId, quantity: 4 })).toBe(paying);
    expect(saleSession(s, { type: 'select-line', lineId: cup.lineId }).lastLineId).toBe(cup.lineId);
    expect(saleSession(s, { type: 'select-line', lineId: 'nope' })).toBe(s);
  });
});

describe('discounts and price overrides', () => {
  const s = run(addCoffee);
  const cup = s.lines[0]!;

  it('takes a whole percentage off the first price, rounded half up, and never stacks', () => {
    const first = priceChange(cup, { kind: 'discount', percent: 10 }, 'Damaged packaging', null);
    expect(first.unitPriceMinor).toBe(629); // 699 × 0.9 = 629.1
    const s1 = saleSession(s, { type: 'set-price', lineId: cup.lineId, ...first });
    const again = priceChange(s1.lines[0]!, { kind: 'discount', percent: 10 }, 'Again', null);
    expect(again.unitPriceMinor).toBe(629);
    expect(again.change.fromMinor).toBe(699);
    // A discounted line is never merged with the next scan of the same product.
    const s2 = saleSession(s1, addCoffee);
    expect(s2.lines).toHaveLength(2);
    expect(s2.lines.map((l) => l.unitPriceMinor)).toEqual([629, 699]);
  });

  it('a discount price is never negative and never above the first price', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 ** 9 }), fc.integer({ min: 1, max: 100 }), (price, percent) => {
        const p = discountedPrice(price, percent);
        expect(Number.isSafeInteger(p)).toBe(true);
        expect(p).toBeGreaterThanOrEqual(0);
        expect(p).toBeLessThanOrEqual(price);
        // Half up: within half a minor unit of the exact value.
        expect(Math.abs(p * 100 - price * (100 - percent))).toBeLessThanOrEqual(50);
      }),
    );
  });

  it('asks a supervisor for any override and for a discount above 10 %, never of a supervisor', () => {
    expect(priceNeedsSupervisor('cashier', { kind: 'price', unitPriceMinor: 100 })).toBe(true);
    expect(priceNeedsSupervisor('cashier', { kind: 'discount', percent: 10 })).toBe(false);
    expect(priceNeedsSupervisor('cashier', { kind: 'discount', percent: 11 })).toBe(true);
    expect(priceNeedsSupervisor('supervisor', { kind: 'price', unitPriceMinor: 100 })).toBe(false);
    const o = priceChange(cup, { kind: 'price', unitPriceMinor: 500 }, 'Shelf price differs', 'supervisor-1');
    expect(o).toEqual({
      unitPriceMinor: 500,
      change: { kind: 'override', fromMinor: 699, reason: 'Shelf price differs', supervisorId: 'supervisor-1' },
    });
  });

  it('a restored basket goes back only onto an empty one', () => {
    const other = run(addCoffee, addCoffee);
    const restored = saleSession(newSession(7), { type: 'restore', session: other });
    expect(restored.lines).toEqual(other.lines);
    expect(restored.lineCounter).toBe(7);
    expect(saleSession(s, { type: 'restore', session: other })).toBe(s);
  });
});
