import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { saleBodySchema, type SaleBody } from '../../shared/documents';
import {
  parseReceiptLabel,
  receiptLabel,
  returnableLines,
  returnedQuantities,
  returnLines,
} from '../../shared/returns';

const M = '01HZZZZZZZZZZZZZZZZZZZZZZZ';
const RETURN_ID = '01J00000000000000000000001';

function line(lineId: string, name: string, quantity: number, unit: number, discount: number, points: number) {
  return {
    lineId,
    kind: 'item' as const,
    productId: name,
    ean: '8710000000011',
    name,
    quantity,
    grams: null,
    unit: 'each' as const,
    tags: [],
    unitPriceMinor: unit,
    amountMinor: unit * quantity,
    discountMinor: discount,
    points,
    categoryId: 'c',
  };
}

function sampleSale(over: Partial<SaleBody> = {}): SaleBody {
  return saleBodySchema.parse({
    storeId: 'store-1',
    cashierId: 'cashier-1',
    memberId: M,
    currency: 'EUR',
    lines: [line('L0001', 'Coffee', 3, 500, 0, 15), line('L0002', 'Milk', 1, 120, 20, 1)],
    subtotalMinor: 1620,
    discountMinor: 20,
    totalMinor: 1600,
    tenders: [
      { kind: 'card', amountMinor: 1000 },
      { kind: 'cash', amountMinor: 600, tenderedMinor: 1000 },
    ],
    programId: 'supermarket',
    programVersion: 1,
    memberSeq: 1,
    effects: { redeemedPoints: 100 },
    ...over,
  });
}

describe('returnLines', () => {
  it('gives back one line: negative money and points, the original line id, entries on the member', () => {
    const r = returnLines({
      sale: sampleSale(),
      returnId: RETURN_ID,
      priorReturns: [],
      picked: [{ lineId: 'L0001', quantity: 1 }],
    });
    expect(r.lines).toHaveLength(1);
    expect(r.lines[0]).toMatchObject({
      lineId: 'L0001',
      kind: 'return',
      quantity: 1,
      unitPriceMinor: -500,
      amountMinor: -500,
      points: -5,
    });
    expect(r.refund.refundMinor).toBe(500);
    expect(r.refund.pointsReversed).toBe(5);
    // 100 redeemed points × 500 / 1620 of the value, rounded down.
    expect(r.refund.pointsRestored).toBe(30);
    expect(r.refund.entries.map((e) => [e.memberId, e.saleId, e.points, e.ruleId])).toEqual([
      [M, RETURN_ID, -5, 'refund:earn'],
      [M, RETURN_ID, 30, 'refund:redeem'],
    ]);
  });

  it('a sale on a household account gives the points back to that account, not to the shopper', () => {
    const ACCOUNT = '01HYYYYYYYYYYYYYYYYYYYYYYY';
    const r = returnLines({
      sale: sampleSale({ accountId: ACCOUNT }),
      returnId: RETURN_ID,
      priorReturns: [],
      picked: [{ lineId: 'L0001', quantity: 1 }],
    });
    expect(r.refund.entries.map((e) => [e.memberId, e.points])).toEqual([
      [ACCOUNT, -5],
      [ACCOUNT, 30],
    ]);
  });

  it('refuses a line beyond what is left after earlier returns, and lines the sale does not have', () => {
    const sale = sampleSale();
    const first = returnLines({
      sale,
      returnId: RETURN_ID,
      priorReturns: [],
      picked: [{ lineId: 'L0001', quantity: 2 }],
    });
    const prior = [{ lines: first.lines }];
    expect(() =>
      returnLines({ sale, returnId: RETURN_ID, priorReturns: prior, picked: [{ lineId: 'L0001', quantity: 2 }] }),
    ).toThrow(expect.objectContaining({ code: 'NOT_ALLOWED', message: expect.stringContaining('1 left to return') }));
    expect(() =>
      returnLines({ sale, returnId: RETURN_ID, priorReturns: [], picked: [{ lineId: 'L0009', quantity: 1 }] }),
    ).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    expect(() => returnLines({ sale, returnId: RETURN_ID, priorReturns: [], picked: [] })).toThrow(
      expect.objectContaining({ code: 'NOT_ALLOWED' }),
    );
    expect(() =>
      returnLines({ sale, returnId: RETURN_ID, priorReturns: [], picked: [{ lineId: 'L0001', quantity: 0 }] }),
    ).toThrow(expect.objectContaining({ code: 'NOT_ALLOWED' }));
  });

  it('partial returns in any split add up to one full return: money, earned and redeemed points exactly', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 999 }),
        fc.integer({ min: 0, max: 50 }),
        fc.integer({ min: 0, max: 500 }),
        fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 9 }),
        (quantity, unit, points, redeemed, steps) => {
          const l = line('L0001', 'Tea', quantity, unit, 0, points);
          const sale = sampleSale({
            lines: [l],
            subtotalMinor: l.amountMinor,
            discountMinor: 0,
            totalMinor: l.amountMinor,
            tenders: [{ kind: 'cash', amountMinor: l.amountMinor }],
            effects: { stamps: {}, offerUses: {}, grants: [], redeemedPoints: redeemed, membership: null },
          });
          const prior: Array<Pick<SaleBody, 'lines'>> = [];
          let money = 0;
          let reversed = 0;
          let restored = 0;
          let left = quantity;
          const take = (q: number) => {
            const r = returnLines({
              sale,
              returnId: RETURN_ID,
              priorReturns: prior,
              picked: [{ lineId: 'L0001', quantity: q }],
            });
            expect(-r.lines[0]!.amountMinor).toBe(r.refund.refundMinor);
            expect(-r.lines[0]!.points).toBe(r.refund.pointsReversed);
            money += r.refund.refundMinor;
            reversed += r.refund.pointsReversed;
            restored += r.refund.pointsRestored;
            prior.push({ lines: r.lines });
            left -= q;
          };
          for (const step of steps) if (left > 0) take(Math.min(step, left));
          if (left > 0) take(left);
          expect(returnedQuantities(prior).get('L0001')).toBe(quantity);
          expect(money).toBe(l.amountMinor);
          expect(reversed).toBe(points);
          expect(restored).toBe(redeemed);
        },
      ),
    );
  });
});

describe('returnLines: stamps', () => {
  const washes = { ...line('L0001', 'Wash', 4, 900, 0, 0), stamps: { 'wash-card': { bucket: '2026-03-02', n: 4 } } };
  const other = { ...line('L0002', 'Wax', 2, 300, 0, 0), stamps: { 'wax-card': { bucket: 'all', n: 2 } } };
  const stamped = (lines: SaleBody['lines']) =>
    sampleSale({
      lines,
      subtotalMinor: lines.reduce((s, l) => s + l.amountMinor, 0),
      discountMinor: 0,
      totalMinor: lines.reduce((s, l) => s + l.amountMinor, 0),
      tenders: [{ kind: 'cash', amountMinor: lines.reduce((s, l) => s + l.amountMinor, 0) }],
      effects: {
        stamps: { 'wash-card': { '2026-03-02': 4 }, 'wax-card': { all: 2 } },
        offerUses: {},
        grants: [],
        redeemedPoints: 0,
        membership: null,
      },
    });

  it('a full return takes back every stamp the lines earned, from the buckets they went to', () => {
    const r = returnLines({
      sale: stamped([washes, other]),
      returnId: RETURN_ID,
      priorReturns: [],
      picked: [
        { lineId: 'L0001', quantity: 4 },
        { lineId: 'L0002', quantity: 2 },
      ],
    });
    expect(r.effects).toEqual({
      stamps: { 'wash-card': { '2026-03-02': -4 }, 'wax-card': { all: -2 } },
      offerUses: {},
      grants: [],
      redeemedPoints: 0,
      membership: null,
    });
    // Return lines carry no stamps of their own: the effects say what the return changes.
    expect(r.lines.every((l) => l.stamps === undefined)).toBe(true);
  });

  it('a partial return takes back the share of the quantity returned, of the lines returned only', () => {
    const r = returnLines({
      sale: stamped([washes, other]),
      returnId: RETURN_ID,
      priorReturns: [],
      picked: [{ lineId: 'L0001', quantity: 1 }],
    });
    expect(r.effects?.stamps).toEqual({ 'wash-card': { '2026-03-02': -1 } });
  });

  it('partial returns in any split never take back more stamps than the line earned, and all of them in the end', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 0, max: 9 }),
        fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 9 }),
        (quantity, earnedRaw, steps) => {
          const earned = Math.min(earnedRaw, quantity);
          const l = { ...line('L0001', 'Wash', quantity, 900, 0, 0), stamps: { c: { bucket: 'all', n: earned } } };
          const sale = stamped([l]);
          const prior: Array<Pick<SaleBody, 'lines'>> = [];
          let back = 0;
          let left = quantity;
          const take = (q: number) => {
            const r = returnLines({
              sale,
              returnId: RETURN_ID,
              priorReturns: prior,
              picked: [{ lineId: 'L0001', quantity: q }],
            });
            back -= r.effects?.stamps.c?.all ?? 0;
            expect(back).toBeLessThanOrEqual(earned);
            prior.push({ lines: r.lines });
            left -= q;
          };
          for (const step of steps) if (left > 0) take(Math.min(step, left));
          if (left > 0) take(left);
          expect(back).toBe(earned);
        },
      ),
    );
  });

  it('two partial returns of a line never take back more than it earned', () => {
    const sale = stamped([{ ...washes, quantity: 3, amountMinor: 2700, stamps: { c: { bucket: 'all', n: 2 } } }]);
    const first = returnLines({
      sale,
      returnId: RETURN_ID,
      priorReturns: [],
      picked: [{ lineId: 'L0001', quantity: 2 }],
    });
    const second = returnLines({
      sale,
      returnId: RETURN_ID,
      priorReturns: [{ lines: first.lines }],
      picked: [{ lineId: 'L0001', quantity: 1 }],
    });
    expect(first.effects?.stamps).toEqual({ c: { all: -2 } });
    expect(second.effects).toBeNull();
  });

  it('an older sale without line stamps takes back none', () => {
    const r = returnLines({
      sale: sampleSale(),
      returnId: RETURN_ID,
      priorReturns: [],
      picked: [{ lineId: 'L0001', quantity: 3 }],
    });
    expect(r.effects).toBeNull();
  });
});

describe('returnableLines', () => {
  it('shows what is left of each goods line', () => {
    const sale = sampleSale();
    const lines = returnableLines(sale, new Map([['L0001', 2]]));
    expect(lines.map((l) => [l.lineId, l.quantity, l.returned, l.remaining, l.netMinor])).toEqual([
      ['L0001', 3, 2, 1, 1500],
      ['L0002', 1, 0, 1, 100],
    ]);
  });
});

describe('receipt labels', () => {
  it('round-trips a label and refuses what is not one', () => {
    expect(receiptLabel('till-1', 42)).toBe('till-1-000042');
    expect(parseReceiptLabel(' till-1-000042 ')).toEqual({ tillId: 'till-1', receiptNo: 42 });
    expect(parseReceiptLabel('till-1-0')).toBeNull();
    expect(parseReceiptLabel('000042')).toBeNull();
    expect(parseReceiptLabel('till 1-000042')).toBeNull();
  });
});
