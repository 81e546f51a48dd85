/**
 * The sale session without a DOM: what a scan, a member, the pay dialog and
 * the tenders do to one customer's sale, and that the next customer always
 * starts fresh.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { MemberRecord } from '../../../shared/member-snapshot';
import type { ProductRow } from '../../../src-renderer/src/db/schemas';
import type { ScannedLine } from '../../../src-renderer/src/features/sale/scanned-line';
import {
  newSession,
  saleSession,
  scanRefusal,
  takeTender,
  tenderSummary,
  type SaleSession,
  type SessionAction,
  type Tender,
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
const plain: ScannedLine = {
  line: { unit: 'each', quantity: 1, grams: null, unitPriceMinor: 699 },
  mergeable: true,
};
const label: ScannedLine = {
  line: { unit: 'each', quantity: 1, grams: null, unitPriceMinor: 350 },
  mergeable: false,
};
const bram: MemberRecord = {
  id: 'm-bram',
  cardNumber: '2990000000029',
  name: 'Bram Jansen',
  phoneHash: '',
  storeId: 'store-1',
  enrolledAt: '2026-01-01T00:00:00.000Z',
  state: { balance: 120, lots: [], tierWindow: { spendMinor: 0, points: 0 } } as unknown as MemberRecord['state'],
  tillMark: 0,
  seq: 1,
};

function run(...actions: SessionAction[]): SaleSession {
  return actions.reduce(saleSession, newSession());
}

describe('sale session', () => {
  it('adds a plain code to its line and a label as a line of its own, highlighting the last', () => {
    const s = run(
      { type: 'add-product', product: coffee, scanned: plain },
      { type: 'add-product', product: coffee, scanned: plain },
      { type: 'add-product', product: coffee, scanned: label },
    );
    expect(s.lines.map((l) => [l.lineId, l.quantity, l.unitPriceMinor])).toEqual([
      ['L0001', 2, 699],
      ['L0002', 1, 350],
    ]);
    expect(s.lastLineId).toBe('L0002');
    const again = saleSession(s, { type: 'add-product', product: coffee, scanned: plain });
    expect(again.lastLineId).toBe('L0001');
  });

  it('keeps a quantity at 1 or more, and moves the highlight when the highlighted line goes', () => {
    let s = run(
      { type: 'add-product', product: coffee, scanned: plain },
      { type: 'change-quantity', lineId: 'L0001', delta: -3 },
    );
    expect(s.lines[0]!.quantity).toBe(1);
    s = saleSession(s, { type: 'add-product', product: coffee, scanned: label });
    s = saleSession(s, { type: 'remove-line', lineId: 'L0002' });
    expect(s.lastLineId).toBe('L0001');
  });

  it('fixes the basket and the member while paying: scans are refused, never added', () => {
    const paying = run(
      { type: 'attach-member', member: bram },
      { type: 'add-product', product: coffee, scanned: plain },
      { type: 'open-pay' },
    );
    expect(paying.phase).toBe('paying');
    expect(scanRefusal(paying)).toBe('SCAN_DURING_PAYMENT');
    for (const a of [
      { type: 'add-product', product: coffee, scanned: plain },
      { type: 'change-quantity', lineId: 'L0001', delta: 1 },
      { type: 'remove-line', lineId: 'L0001' },
      { type: 'attach-member', member: { ...bram, id: 'm-other' } },
      { type: 'clear-member' },
      { type: 'redeem', choice: { kind: 'points', points: 10 } },
    ] satisfies SessionAction[])
      expect(saleSession(paying, a)).toBe(paying);
    const back = saleSession(paying, { type: 'close-pay' });
    expect(back.phase).toBe('selling');
    expect(scanRefusal(back)).toBeNull();
  });

  it('does not open the pay dialog on an empty basket', () => {
    expect(run({ type: 'open-pay' }).phase).toBe('selling');
  });

  it('starts the next customer fresh after a sale, a void or cancelled tenders', () => {
    const sold = run(
      { type: 'attach-member', member: bram },
      { type: 'redeem', choice: { kind: 'points', points: 50 } },
      { type: 'add-product', product: coffee, scanned: plain },
      { type: 'open-pay' },
      { type: 'add-tender', tender: { kind: 'card', amountMinor: 699 } },
      { type: 'completed' },
    );
    expect(sold).toMatchObject({ phase: 'selling', lines: [], member: null, redeem: null, tenders: [] });
    // Line ids keep counting: a new sale's first line is not L0001 again in this session.
    expect(saleSession(sold, { type: 'add-product', product: coffee, scanned: plain }).lines[0]!.lineId).toBe('L0002');
    const voided = run({ type: 'attach-member', member: bram }, { type: 'void' });
    expect(voided.member).toBeNull();
    const cancelled = run(
      { type: 'add-product', product: coffee, scanned: plain },
      { type: 'open-pay' },
      { type: 'add-tender', tender: { kind: 'cash', amountMinor: 100 } },
      { type: 'close-pay' },
    );
    expect(cancelled.tenders).toEqual([]);
  });

  it('drops the reward choice when the member changes, and takes none without a member', () => {
    const chosen = run(
      { type: 'attach-member', member: bram },
      { type: 'redeem', choice: { kind: 'points', points: 50 } },
    );
    expect(chosen.redeem).toEqual({ kind: 'points', points: 50 });
    expect(saleSession(chosen, { type: 'attach-member', member: { ...bram, id: 'm-2' } }).redeem).toBeNull();
    expect(run({ type: 'redeem', choice: { kind: 'points', points: 50 } }).redeem).toBeNull();
  });
});

describe('tenders', () => {
  it('keeps promo codes in capitals, each once, fixed while paying, and none for the next customer', () => {
    const s = run(
      { type: 'add-product', product: coffee, scanned: plain },
      { type: 'add-code', code: ' week10 ' },
      { type: 'add-code', code: 'WEEK10' },
      { type: 'add-code', code: 'hello-5' },
      { type: 'remove-code', code: 'WEEK10' },
    );
    expect(s.codes).toEqual(['HELLO-5']);
    const paying = saleSession(s, { type: 'open-pay' });
    expect(saleSession(paying, { type: 'add-code', code: 'X-1' }).codes).toEqual(['HELLO-5']);
    expect(saleSession(paying, { type: 'remove-code', code: 'HELLO-5' }).codes).toEqual(['HELLO-5']);
    expect(saleSession(paying, { type: 'completed' }).codes).toEqual([]);
  });

  it('gives change for cash over what is due, and takes exactly what is due when no amount is typed', () => {
    expect(takeTender(1345, [], 'cash', 2000)).toEqual({
      ok: true,
      tender: { kind: 'cash', amountMinor: 1345, tenderedMinor: 2000 },
    });
    expect(takeTender(1345, [], 'cash', null)).toEqual({ ok: true, tender: { kind: 'cash', amountMinor: 1345 } });
    expect(tenderSummary(1345, [{ kind: 'cash', amountMinor: 1345, tenderedMinor: 2000 }])).toEqual({
      paidMinor: 1345,
      dueMinor: 0,
      changeMinor: 655,
      covered: true,
    });
  });

  it('splits: part on card, the rest in cash', () => {
    const card = takeTender(5000, [], 'card', 3000);
    expect(card).toEqual({ ok: true, tender: { kind: 'card', amountMinor: 3000 } });
    const tenders: Tender[] = [{ kind: 'card', amountMinor: 3000 }];
    expect(tenderSummary(5000, tenders)).toMatchObject({ dueMinor: 2000, covered: false });
    const cash = takeTender(5000, tenders, 'cash', 2500);
    expect(cash).toEqual({ ok: true, tender: { kind: 'cash', amountMinor: 2000, tenderedMinor: 2500 } });
  });

  it('refuses a card over what is due, an amount of nothing, and a tender after the sale is covered', () => {
    expect(takeTender(1000, [], 'card', 1001)).toEqual({ ok: false, code: 'TENDER_OVER_DUE' });
    expect(takeTender(1000, [], 'cash', 0)).toEqual({ ok: false, code: 'TENDER_NOT_POSITIVE' });
    expect(takeTender(1000, [{ kind: 'card', amountMinor: 1000 }], 'cash', null)).toEqual({
      ok: false,
      code: 'SALE_COVERED',
    });
  });

  it('pays exactly the total whatever the tenders, with change only from cash', () => {
    const step = fc.record({
      kind: fc.constantFrom('cash' as const, 'card' as const),
      given: fc.option(fc.integer({ min: -10, max: 20_000 }), { nil: null }),
    });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50_000 }), fc.array(step, { maxLength: 8 }), (total, steps) => {
        const tenders: Tender[] = [];
        for (const s of steps) {
          const r = takeTender(total, tenders, s.kind, s.given);
          if (r.ok) tenders.push(r.tender);
        }
        const sum = tenderSummary(total, tenders);
        expect(sum.paidMinor).toBeLessThanOrEqual(total);
        expect(sum.covered).toBe(sum.paidMinor === total);
        for (const t of tenders) {
          expect(t.amountMinor).toBeGreaterThan(0);
          if (t.kind === 'card') expect(t.tenderedMinor).toBeUndefined();
          else expect(t.tenderedMinor ?? t.amountMinor).toBeGreaterThanOrEqual(t.amountMinor);
        }
      }),
    );
  });
});

describe('the eWallet on a sale', () => {
  it('tops up only with a member on the sale, and drops the top-up when the member changes', () => {
    expect(run({ type: 'set-top-up', amountMinor: 2000 }).topUpMinor).toBe(0);
    const s = run({ type: 'attach-member', member: bram }, { type: 'set-top-up', amountMinor: 2000 });
    expect(s.topUpMinor).toBe(2000);
    // A top-up alone may be paid for.
    expect(saleSession(s, { type: 'open-pay' }).phase).toBe('paying');
    expect(saleSession(s, { type: 'attach-member', member: bram }).topUpMinor).toBe(2000);
    expect(saleSession(s, { type: 'attach-member', member: { ...bram, id: 'm-other' } }).topUpMinor).toBe(0);
    expect(saleSession(s, { type: 'clear-member' }).topUpMinor).toBe(0);
    expect(saleSession(s, { type: 'set-top-up', amountMinor: -1 }).topUpMinor).toBe(2000);
    expect(saleSession(s, { type: 'completed' }).topUpMinor).toBe(0);
  });

  it('takes a wallet tender up to what the wallet may pay, across several wallet tenders', () => {
    expect(takeTender(1000, [], 'wallet', null, 600)).toEqual({
      ok: true,
      tender: { kind: 'wallet', amountMinor: 600 },
    });
    expect(takeTender(1000, [], 'wallet', 700, 600)).toEqual({ ok: false, code: 'WALLET_SHORT' });
    expect(takeTender(1000, [{ kind: 'wallet', amountMinor: 600 }], 'wallet', null, 600)).toEqual({
      ok: false,
      code: 'WALLET_SHORT',
    });
    expect(takeTender(1000, [], 'wallet', 1100, 5000)).toEqual({ ok: false, code: 'TENDER_OVER_DUE' });
    expect(takeTender(1000, [], 'wallet', null, 0)).toEqual({ ok: false, code: 'WALLET_SHORT' });
  });
});
