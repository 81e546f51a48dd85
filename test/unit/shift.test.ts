/**
 * The shift report (shared/shift.ts): totals by tender, returns, discounts,
 * points and the cash the drawer should hold, from the shift's journal
 * documents; the shift events' wire contract (shared/shift-events.ts).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { journalDocSchema, type EventDoc, type SaleBody } from '../../shared/documents';
import {
  closeReport,
  shiftEvents,
  shiftNeedsSupervisor,
  shiftReport,
  type Shift,
  type ShiftDoc,
} from '../../shared/shift';
import { shiftDetailSchemas } from '../../shared/shift-events';
import { eventDocument } from '../../shared/staff/till-events';
import { demoGiftCardNumber } from '../../src-server/seed';

const ID = (n: number) => `01KDVDNA${String(n).padStart(18, '0')}`;
const SHIFT: Shift = {
  shiftId: ID(999_999),
  shiftNo: 3,
  tillId: 'till-1',
  currency: 'EUR',
  floatMinor: 10_000,
  openedAt: '2026-12-03T08:00:00.000Z',
  openedBy: 'cashier-1',
  openSeq: 10,
};
const ctx = { tillId: 'till-1', storeId: 'store-1' };
const AT = '2026-12-03T09:00:00.000Z';

type Tender = SaleBody['tenders'][number];
type SaleSpec = { totalMinor: number; discountMinor: number; tenders: Tender[]; refundOf: string | null };

function saleDoc(seq: number, s: SaleSpec, tillId = 'till-1'): ShiftDoc {
  const body = {
    storeId: 'store-1',
    cashierId: 'cashier-1',
    memberId: null,
    currency: 'EUR',
    lines: [
      {
        lineId: 'L0001',
        kind: s.refundOf ? 'return' : 'item',
        productId: 'p1',
        ean: '8710000000015',
        name: 'Milk',
        quantity: 1,
        grams: null,
        unit: 'each',
        tags: [],
        unitPriceMinor: s.totalMinor,
        amountMinor: s.totalMinor,
        discountMinor: 0,
        points: 0,
        categoryId: 'dairy',
      },
    ],
    subtotalMinor: s.totalMinor + s.discountMinor,
    discountMinor: s.discountMinor,
    totalMinor: s.totalMinor,
    tenders: s.tenders,
    programId: 'prog',
    programVersion: 1,
    memberSeq: null,
    refundOf: s.refundOf,
  };
  const doc = journalDocSchema.parse({ id: ID(seq), kind: 'sale', tillId, tillSeq: seq, at: AT, memberId: '', body });
  return doc;
}

function entryDoc(seq: number, saleSeq: number, points: number): ShiftDoc {
  return journalDocSchema.parse({
    id: ID(seq),
    kind: 'entry',
    tillId: 'till-1',
    tillSeq: seq,
    at: AT,
    memberId: ID(500_000),
    body: {
      memberId: ID(500_000),
      saleId: ID(saleSeq),
      type: points >= 0 ? 'earn' : 'redeem',
      points,
      reason: 'r',
    },
  });
}

function cashDoc(seq: number, kind: 'cash-in' | 'cash-out', amountMinor: number): EventDoc {
  return eventDocument(
    ctx,
    shiftEvents.cash(SHIFT, kind, amountMinor, 'float top-up', { cashierId: 'cashier-1' }),
    ID(seq),
    seq,
    AT,
  );
}

const GIFT_CARD = demoGiftCardNumber(3);

/** Tenders of card, eWallet and gift card paying these amounts (a zero pays nothing and is left out). */
function otherTenders(r: { card: number; wallet: number; gift: number }, sign: 1 | -1): Tender[] {
  return [
    ...(r.card > 0 ? [{ kind: 'card' as const, amountMinor: sign * r.card }] : []),
    ...(r.wallet > 0 ? [{ kind: 'wallet' as const, amountMinor: sign * r.wallet }] : []),
    ...(r.gift > 0 ? [{ kind: 'giftcard' as const, amountMinor: sign * r.gift, giftCard: GIFT_CARD }] : []),
  ];
}

/** A sale paid exactly by a mix of cash (with money handed over), card, points, eWallet and a gift card. */
const saleArb = fc
  .record({
    cash: fc.integer({ min: 0, max: 50_000 }),
    extraGiven: fc.integer({ min: 0, max: 5_000 }),
    card: fc.integer({ min: 0, max: 50_000 }),
    points: fc.integer({ min: 0, max: 2_000 }),
    wallet: fc.integer({ min: 0, max: 5_000 }),
    gift: fc.integer({ min: 0, max: 5_000 }),
    discountMinor: fc.integer({ min: 0, max: 1_000 }),
  })
  .filter((r) => r.cash + r.card + r.points + r.wallet + r.gift > 0)
  .map((r): SaleSpec => ({
    totalMinor: r.cash + r.card + r.points + r.wallet + r.gift,
    discountMinor: r.discountMinor,
    refundOf: null,
    tenders: [
      ...(r.cash > 0 ? [{ kind: 'cash' as const, amountMinor: r.cash, tenderedMinor: r.cash + r.extraGiven }] : []),
      ...(r.points > 0 ? [{ kind: 'points' as const, amountMinor: r.points }] : []),
      ...otherTenders(r, 1),
    ],
  }));

/** A return refunding cash, card, eWallet and/or gift card (negative tender amounts, negative total). */
const returnArb = fc
  .record({
    cash: fc.integer({ min: 0, max: 20_000 }),
    card: fc.integer({ min: 0, max: 20_000 }),
    wallet: fc.integer({ min: 0, max: 3_000 }),
    gift: fc.integer({ min: 0, max: 3_000 }),
  })
  .filter((r) => r.cash + r.card + r.wallet + r.gift > 0)
  .map((r): SaleSpec => ({
    totalMinor: -(r.cash + r.card + r.wallet + r.gift),
    discountMinor: 0,
    refundOf: ID(1),
    tenders: [...(r.cash > 0 ? [{ kind: 'cash' as const, amountMinor: -r.cash }] : []), ...otherTenders(r, -1)],
  }));

const movementArb = fc.record({
  kind: fc.constantFrom('cash-in' as const, 'cash-out' as const),
  amountMinor: fc.integer({ min: 1, max: 30_000 }),
});

const shiftArb = fc.record({
  sales: fc.array(saleArb, { maxLength: 15 }),
  returns: fc.array(returnArb, { maxLength: 5 }),
  movements: fc.array(movementArb, { maxLength: 5 }),
});

function build(input: {
  sales: SaleSpec[];
  returns: SaleSpec[];
  movements: Array<{ kind: 'cash-in' | 'cash-out'; amountMinor: number }>;
}): ShiftDoc[] {
  let seq = SHIFT.openSeq;
  return [
    ...input.sales.map((s) => saleDoc(++seq, s)),
    ...input.returns.map((s) => saleDoc(++seq, s)),
    ...input.movements.map((m) => cashDoc(++seq, m.kind, m.amountMinor)),
  ];
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

describe('shift report', () => {
  it('totals equal the sum of the sales, tender by tender, and the drawer holds float + cash − refunds ± movements', () => {
    fc.assert(
      fc.property(shiftArb, (input) => {
        const r = shiftReport(SHIFT, build(input));
        const tendersOf = (specs: SaleSpec[], kind: Tender['kind']) =>
          sum(specs.flatMap((s) => s.tenders.filter((x) => x.kind === kind).map((x) => x.amountMinor)));
        expect(r.salesCount).toBe(input.sales.length);
        expect(r.salesMinor).toBe(sum(input.sales.map((s) => s.totalMinor)));
        expect(r.discountMinor).toBe(sum(input.sales.map((s) => s.discountMinor)));
        expect(r.returnsCount).toBe(input.returns.length);
        expect(r.returnsMinor).toBe(0 - sum(input.returns.map((s) => s.totalMinor)));
        // Every sale is paid exactly: its tenders add up to the sales total.
        expect(
          r.cashTakenMinor - r.changeMinor + r.cardMinor + r.pointsTenderMinor + r.walletMinor + r.giftCardMinor,
        ).toBe(r.salesMinor);
        expect(r.cashRefundMinor + r.cardRefundMinor + r.walletRefundMinor + r.giftCardRefundMinor).toBe(
          r.returnsMinor,
        );
        const cashIn = sum(input.movements.filter((m) => m.kind === 'cash-in').map((m) => m.amountMinor));
        const cashOut = sum(input.movements.filter((m) => m.kind === 'cash-out').map((m) => m.amountMinor));
        expect(r.expectedCashMinor).toBe(
          SHIFT.floatMinor +
            tendersOf(input.sales, 'cash') +
            tendersOf(input.returns, 'cash') /* negative */ +
            cashIn -
            cashOut,
        );
        expect(r.byTender).toEqual({
          cashMinor: tendersOf(input.sales, 'cash') + tendersOf(input.returns, 'cash'),
          cardMinor: tendersOf(input.sales, 'card') + tendersOf(input.returns, 'card'),
          pointsMinor: tendersOf(input.sales, 'points'),
          walletMinor: tendersOf(input.sales, 'wallet') + tendersOf(input.returns, 'wallet'),
          giftCardMinor: tendersOf(input.sales, 'giftcard') + tendersOf(input.returns, 'giftcard'),
        });
        expect(r.movements.map((m) => m.kind)).toEqual(input.movements.map((m) => m.kind));
      }),
    );
  });

  it("counts the till's own discounts with the engine's: the price a line lost, quantity by quantity", () => {
    const sale = saleDoc(12, {
      totalMinor: 1258,
      discountMinor: 0,
      tenders: [{ kind: 'cash', amountMinor: 1258 }],
      refundOf: null,
    });
    if (sale.kind !== 'sale') throw new Error('not a sale');
    sale.body.lines[0] = {
      ...sale.body.lines[0]!,
      quantity: 2,
      unitPriceMinor: 629,
      amountMinor: 1258,
      priceChange: { kind: 'discount', fromMinor: 699, percent: 10, reason: 'Damaged packaging', supervisorId: null },
    };
    const report = shiftReport(SHIFT, [sale]);
    expect([report.salesMinor, report.discountMinor]).toEqual([1258, 140]);
  });

  it('eWallet and gift cards: paid and refunded apart from cash, card and points; stored value sold counted apart', () => {
    // 12.58 of goods paid 5.00 from the wallet, 4.00 from a gift card and 3.58 cash; a 20.00 top-up and a 25.00
    // gift card sold on a second sale, paid by card; a return gives 3.00 back to the card and 2.00 to the wallet.
    const goods = saleDoc(11, {
      totalMinor: 1258,
      discountMinor: 0,
      refundOf: null,
      tenders: [
        { kind: 'wallet', amountMinor: 500 },
        { kind: 'giftcard', amountMinor: 400, giftCard: GIFT_CARD },
        { kind: 'cash', amountMinor: 358, tenderedMinor: 400 },
      ],
    });
    const card: Tender[] = [{ kind: 'card', amountMinor: 4500 }];
    const stored = saleDoc(12, { totalMinor: 4500, discountMinor: 0, refundOf: null, tenders: card });
    if (stored.kind !== 'sale') throw new Error('not a sale');
    const line = stored.body.lines[0]!;
    stored.body.lines = [
      { ...line, lineId: 'L0001', kind: 'topup', productId: 'wallet-topup', unitPriceMinor: 2000, amountMinor: 2000 },
      { ...line, lineId: 'L0002', kind: 'giftcard', giftCard: GIFT_CARD, unitPriceMinor: 2500, amountMinor: 2500 },
    ];
    const back = saleDoc(13, {
      totalMinor: -500,
      discountMinor: 0,
      refundOf: ID(11),
      tenders: [
        { kind: 'giftcard', amountMinor: -300, giftCard: GIFT_CARD },
        { kind: 'wallet', amountMinor: -200 },
      ],
    });
    const r = shiftReport(SHIFT, [goods, stored, back]);
    expect([r.salesMinor, r.storedValueSoldMinor, r.returnsMinor]).toEqual([5758, 4500, 500]);
    expect([r.walletMinor, r.giftCardMinor, r.pointsTenderMinor, r.cardMinor]).toEqual([500, 400, 0, 4500]);
    expect([r.walletRefundMinor, r.giftCardRefundMinor, r.cashRefundMinor, r.cardRefundMinor]).toEqual([
      200, 300, 0, 0,
    ]);
    expect(r.byTender).toEqual({
      cashMinor: 358,
      cardMinor: 4500,
      pointsMinor: 0,
      walletMinor: 300,
      giftCardMinor: 100,
    });
    expect(r.expectedCashMinor).toBe(SHIFT.floatMinor + 358);
  });

  it('does not depend on the order the documents come in', () => {
    fc.assert(
      fc.property(
        shiftArb.chain((input) => {
          const docs = build(input);
          return fc.tuple(fc.constant(docs), fc.shuffledSubarray(docs, { minLength: docs.length }));
        }),
        ([docs, shuffled]) => {
          expect(shiftReport(SHIFT, shuffled)).toEqual(shiftReport(SHIFT, docs));
        },
      ),
    );
  });

  it('counts only the shift: not before its open, not from its close on, not another till', () => {
    const sale: SaleSpec = {
      totalMinor: 500,
      discountMinor: 0,
      refundOf: null,
      tenders: [{ kind: 'cash', amountMinor: 500, tenderedMinor: 1000 }],
    };
    const docs = [
      saleDoc(SHIFT.openSeq - 1, sale),
      saleDoc(SHIFT.openSeq + 1, sale),
      saleDoc(SHIFT.openSeq + 2, sale, 'till-2'),
      saleDoc(SHIFT.openSeq + 5, sale),
    ];
    const r = shiftReport(SHIFT, docs, SHIFT.openSeq + 5);
    expect(r.salesCount).toBe(1);
    expect(r.cashTakenMinor).toBe(1000);
    expect(r.changeMinor).toBe(500);
    expect(r.expectedCashMinor).toBe(SHIFT.floatMinor + 500);
  });

  it('points: earned and redeemed on sales; reversed and restored on returns', () => {
    const sale: SaleSpec = {
      totalMinor: 900,
      discountMinor: 100,
      refundOf: null,
      tenders: [{ kind: 'card', amountMinor: 900 }],
    };
    const ret: SaleSpec = {
      totalMinor: -300,
      discountMinor: 0,
      refundOf: ID(11),
      tenders: [{ kind: 'card', amountMinor: -300 }],
    };
    const docs = [
      saleDoc(11, sale),
      entryDoc(12, 11, 90),
      entryDoc(13, 11, -40),
      saleDoc(14, ret),
      entryDoc(15, 14, -30),
      entryDoc(16, 14, 10),
    ];
    const r = shiftReport(SHIFT, docs);
    expect([r.pointsIssued, r.pointsRedeemed, r.pointsReversed, r.pointsRestored]).toEqual([90, 40, 30, 10]);
    expect(r.byTender.cardMinor).toBe(600);
    expect(r.discountMinor).toBe(100);
    expect(r.expectedCashMinor).toBe(SHIFT.floatMinor);
  });

  it('a Z report: counted less expected, and its event passes the wire contract', () => {
    fc.assert(
      fc.property(shiftArb, fc.integer({ min: 0, max: 2_000_000 }), (input, counted) => {
        const z = closeReport(shiftReport(SHIFT, build(input)), counted, AT);
        expect(z.differenceMinor).toBe(counted - z.expectedCashMinor);
        const doc = eventDocument(ctx, shiftEvents.close(z, '', { cashierId: 'cashier-1' }), ID(1), 99, AT);
        expect(doc.body.details).toMatchObject({ countedCashMinor: counted, differenceMinor: z.differenceMinor });
      }),
    );
  });
});

describe('shift events on the wire', () => {
  const z = closeReport(shiftReport(SHIFT, []), 9_000, AT);
  const closeEvent = () => eventDocument(ctx, shiftEvents.close(z, 'short', { cashierId: 'cashier-1' }), ID(1), 99, AT);

  it('refuses a close whose difference is not counted − expected, a cash movement without a reason, a bad amount', () => {
    const good = closeEvent();
    expect(good.body.details.differenceMinor).toBe(-1_000);
    const wrong = { ...good, body: { ...good.body, details: { ...good.body.details, differenceMinor: 0 } } };
    expect(journalDocSchema.safeParse(wrong).success).toBe(false);
    const missing = { ...good, body: { ...good.body, details: { shiftId: SHIFT.shiftId } } };
    expect(journalDocSchema.safeParse(missing).success).toBe(false);
    const cash = cashDoc(20, 'cash-out', 500);
    expect(journalDocSchema.safeParse({ ...cash, body: { ...cash.body, reason: '' } }).success).toBe(false);
    const negative = { ...cash, body: { ...cash.body, details: { ...cash.body.details, amountMinor: -5 } } };
    expect(journalDocSchema.safeParse(negative).success).toBe(false);
    const fraction = { ...cash, body: { ...cash.body, details: { ...cash.body.details, amountMinor: 1.5 } } };
    expect(journalDocSchema.safeParse(fraction).success).toBe(false);
    expect(() => shiftEvents.cash(SHIFT, 'cash-in', 0, 'x', { cashierId: 'c' })).toThrow(
      expect.objectContaining({ code: 'SHIFT_BAD_AMOUNT' }),
    );
    expect(() => shiftEvents.cash(SHIFT, 'cash-in', 100, '  ', { cashierId: 'c' })).toThrow(
      expect.objectContaining({ code: 'SHIFT_REASON_NEEDED' }),
    );
    expect(() => closeReport(z, -1, AT)).toThrow(expect.objectContaining({ code: 'SHIFT_BAD_AMOUNT' }));
  });

  it('takes a report from a till of an earlier version, without the eWallet and gift card totals, as zero', () => {
    const good = closeEvent();
    const { walletMinor: _w, giftCardMinor: _g, storedValueSoldMinor: _s, ...older } = good.body.details;
    const { walletRefundMinor: _wr, giftCardRefundMinor: _gr, ...oldest } = older;
    expect(journalDocSchema.safeParse({ ...good, body: { ...good.body, details: oldest } }).success).toBe(true);
    expect(shiftDetailSchemas['shift-close'].parse(oldest)).toMatchObject({ walletMinor: 0, giftCardRefundMinor: 0 });
  });

  it('asks a supervisor for a large cash out and a large difference at close, never a supervisor', () => {
    expect(shiftNeedsSupervisor('cashier', 'cash-out', 9_999)).toBe(false);
    expect(shiftNeedsSupervisor('cashier', 'cash-out', 10_000)).toBe(true);
    expect(shiftNeedsSupervisor('cashier', 'close-difference', -500)).toBe(false);
    expect(shiftNeedsSupervisor('cashier', 'close-difference', -501)).toBe(true);
    expect(shiftNeedsSupervisor('cashier', 'close-difference', 501)).toBe(true);
    expect(shiftNeedsSupervisor('supervisor', 'cash-out', 1_000_000)).toBe(false);
  });
});
