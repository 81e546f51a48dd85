import { describe, expect, it } from 'vitest';
import { saleBodySchema, type SaleBody } from '../../../shared/documents';
import { RETURN_SUPERVISOR_THRESHOLD_MINOR } from '../../../shared/staff/till-events';
import { refundTenders } from '../../../src-renderer/src/features/returns/refund-tenders';
import { planReturn, returnDocuments } from '../../../src-renderer/src/features/returns/return-plan';
import { saleViolation } from '../../../src-server/ingest/rules';
import type { SaleDoc } from '../../../shared/documents';

const M = '01HZZZZZZZZZZZZZZZZZZZZZZZ';
const SALE_ID = '01J00000000000000000000000';
const RETURN_ID = '01J00000000000000000000001';
const ENTRY_IDS = ['01J00000000000000000000002', '01J00000000000000000000003'];

function sale(tenders: SaleBody['tenders'], over: Partial<SaleBody> = {}): SaleBody {
  return saleBodySchema.parse({
    storeId: 'store-1',
    cashierId: 'cashier-1',
    memberId: M,
    currency: 'EUR',
    lines: [
      {
        lineId: 'L0001',
        productId: 'coffee',
        ean: '8710000000011',
        name: 'Coffee',
        quantity: 4,
        grams: null,
        unitPriceMinor: 1000,
        amountMinor: 4000,
        points: 40,
        categoryId: 'coffee',
      },
    ],
    subtotalMinor: 4000,
    discountMinor: 0,
    totalMinor: 4000,
    tenders,
    programId: 'supermarket',
    programVersion: 1,
    memberSeq: 1,
    effects: { redeemedPoints: 0 },
    ...over,
  });
}

describe('refundTenders', () => {
  const split = sale([
    { kind: 'cash', amountMinor: 1500, tenderedMinor: 2000 },
    { kind: 'card', amountMinor: 2500 },
  ]);

  it('goes back to the card first, then cash, never more than each paid (cash: net of change)', () => {
    expect(refundTenders(split, [], 1000)).toEqual([{ kind: 'card', amountMinor: 1000 }]);
    expect(refundTenders(split, [], 3000)).toEqual([
      { kind: 'card', amountMinor: 2500 },
      { kind: 'cash', amountMinor: 500 },
    ]);
    expect(refundTenders(split, [], 4000)).toEqual([
      { kind: 'card', amountMinor: 2500 },
      { kind: 'cash', amountMinor: 1500 },
    ]);
  });

  it('counts what earlier returns gave back to each tender', () => {
    const prior = [{ tenders: [{ kind: 'card' as const, amountMinor: -2000 }] }];
    expect(refundTenders(split, prior, 1000)).toEqual([
      { kind: 'card', amountMinor: 500 },
      { kind: 'cash', amountMinor: 500 },
    ]);
  });

  it('never gives back what paid for a top-up: the wallet gets back what it paid for the goods', () => {
    // 10.00 of goods and a 20.00 top-up: the wallet paid 10.00, the card 20.00 (of it 20.00 for the top-up).
    const withTopUp = {
      lines: [
        { kind: 'item', amountMinor: 1000 },
        { kind: 'topup', amountMinor: 2000 },
      ] as unknown as SaleBody['lines'],
      tenders: [
        { kind: 'wallet' as const, amountMinor: 1000 },
        { kind: 'card' as const, amountMinor: 2000 },
      ],
    };
    expect(refundTenders(withTopUp, [], 1000)).toEqual([{ kind: 'wallet', amountMinor: 1000 }]);
    expect(() => refundTenders(withTopUp, [], 1001)).toThrow(expect.objectContaining({ code: 'NOT_ALLOWED' }));
  });

  it('refuses more than the tenders have left, and a negative refund; a zero refund is 0 cash', () => {
    expect(() => refundTenders(split, [], 4001)).toThrow(expect.objectContaining({ code: 'NOT_ALLOWED' }));
    expect(() => refundTenders(split, [], -1)).toThrow(expect.objectContaining({ code: 'MONEY_BAD_INPUT' }));
    expect(refundTenders(split, [], 0)).toEqual([{ kind: 'cash', amountMinor: 0 }]);
  });

  it('a cash-only sale refunds in cash; a card-only sale on the card', () => {
    expect(refundTenders(sale([{ kind: 'cash', amountMinor: 4000 }]), [], 1000)).toEqual([
      { kind: 'cash', amountMinor: 1000 },
    ]);
    expect(refundTenders(sale([{ kind: 'card', amountMinor: 4000 }]), [], 1000)).toEqual([
      { kind: 'card', amountMinor: 1000 },
    ]);
  });
});

describe('planReturn and returnDocuments', () => {
  const original = {
    id: SALE_ID,
    tillId: 'till-1',
    at: '2026-12-01T10:00:00.000Z',
    body: sale([{ kind: 'card', amountMinor: 4000 }]),
  };

  it('asks a cashier for a supervisor at the threshold, never a supervisor', () => {
    const one = planReturn({
      original,
      priorReturns: [],
      picked: [{ lineId: 'L0001', quantity: 1 }],
      returnId: RETURN_ID,
      role: 'cashier',
    });
    expect(one.refund.refundMinor).toBe(1000);
    expect(one.needsSupervisor).toBe(1000 >= RETURN_SUPERVISOR_THRESHOLD_MINOR);
    const two = planReturn({
      original,
      priorReturns: [],
      picked: [{ lineId: 'L0001', quantity: 2 }],
      returnId: RETURN_ID,
      role: 'cashier',
    });
    expect(two.refund.refundMinor).toBe(2000);
    expect(two.needsSupervisor).toBe(true);
    expect(
      planReturn({
        original,
        priorReturns: [],
        picked: [{ lineId: 'L0001', quantity: 2 }],
        returnId: RETURN_ID,
        role: 'supervisor',
      }).needsSupervisor,
    ).toBe(false);
  });

  it('refuses to return a return', () => {
    const ret = { ...original, body: { ...original.body, refundOf: SALE_ID } };
    expect(() =>
      planReturn({
        original: ret,
        priorReturns: [],
        picked: [{ lineId: 'L0001', quantity: 1 }],
        returnId: RETURN_ID,
        role: 'cashier',
      }),
    ).toThrow(expect.objectContaining({ code: 'NOT_ALLOWED' }));
  });

  it('writes a return the server rules accept: refundOf, negative total and tenders, the cashier, entries after it', () => {
    const plan = planReturn({
      original,
      priorReturns: [],
      picked: [{ lineId: 'L0001', quantity: 1 }],
      returnId: RETURN_ID,
      role: 'cashier',
    });
    const docs = returnDocuments(
      plan,
      {
        tillId: 'till-2',
        storeId: 'store-1',
        cashierId: 'cashier-2',
        receiptNo: 7,
        offline: true,
        at: '2026-12-02T10:00:00.000Z',
      },
      ENTRY_IDS.slice(0, plan.refund.entries.length),
      [11, 12],
    );
    expect(docs.map((d) => [d.kind, d.tillSeq])).toEqual([
      ['sale', 11],
      ['entry', 12],
    ]);
    const ret = docs[0] as SaleDoc;
    expect(ret.body).toMatchObject({
      refundOf: SALE_ID,
      cashierId: 'cashier-2',
      receiptNo: 7,
      totalMinor: -1000,
      tenders: [{ kind: 'card', amountMinor: -1000 }],
      entryIds: [ENTRY_IDS[0]],
      offline: true,
    });
    expect(saleViolation(ret)).toBeNull();
    expect(docs[1]!.body).toMatchObject({ type: 'refund', points: -10, saleId: RETURN_ID, memberId: M });
  });
});

describe('typedReceipt', () => {
  it("reads a receipt label, or a bare number as this till's own; anything else is no receipt", async () => {
    const { typedReceipt } = await import('../../../src-renderer/src/db/returns');
    expect(typedReceipt(' till-2-000042 ', 'till-1')).toEqual({ kind: 'receipt', tillId: 'till-2', receiptNo: 42 });
    expect(typedReceipt('42', 'till-1')).toEqual({ kind: 'receipt', tillId: 'till-1', receiptNo: 42 });
    expect(typedReceipt('0', 'till-1')).toBeNull();
    expect(typedReceipt('receipt', 'till-1')).toBeNull();
  });
});

describe('refundTenders with the eWallet', () => {
  it('gives back to the card, then the wallet, then cash, each no more than it paid less earlier returns', () => {
    const paid = sale([
      { kind: 'cash', amountMinor: 500 },
      { kind: 'wallet', amountMinor: 1200 },
      { kind: 'card', amountMinor: 800 },
    ]);
    expect(refundTenders(paid, [], 1500)).toEqual([
      { kind: 'card', amountMinor: 800 },
      { kind: 'wallet', amountMinor: 700 },
    ]);
    const earlier = sale([
      { kind: 'card', amountMinor: -800 },
      { kind: 'wallet', amountMinor: -700 },
    ]);
    expect(refundTenders(paid, [earlier], 1000)).toEqual([
      { kind: 'wallet', amountMinor: 500 },
      { kind: 'cash', amountMinor: 500 },
    ]);
  });
});
