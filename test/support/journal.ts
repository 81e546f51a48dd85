/**
 * Hand-made journal documents for tests of what a till must not send or what
 * the server must survive (real sales come from test-till.ts, priced by the engine).
 */
import { monotonicFactory } from 'ulid';
import type { JournalDoc } from '../../shared/documents';

const id = monotonicFactory();

export const entryDoc = (o: {
  tillId: string;
  tillSeq: number;
  memberId: string;
  points: number;
  type?: 'earn' | 'redeem' | 'bonus' | 'adjust' | 'expire' | 'refund' | 'transfer';
  ruleId?: string | null;
  naturalId?: string | null;
  saleId?: string | null;
}): JournalDoc => ({
  id: id(),
  kind: 'entry',
  tillId: o.tillId,
  tillSeq: o.tillSeq,
  at: new Date().toISOString(),
  memberId: o.memberId,
  _deleted: false,
  body: {
    memberId: o.memberId,
    saleId: o.saleId ?? null,
    type: o.type ?? 'earn',
    points: o.points,
    reason: 'test',
    naturalId: o.naturalId ?? null,
    ruleId: o.ruleId ?? null,
  },
});

export const saleDoc = (o: {
  tillId: string;
  tillSeq: number;
  memberId: string | null;
  totalMinor?: number;
  entryIds?: string[];
}): JournalDoc => ({
  id: id(),
  kind: 'sale',
  tillId: o.tillId,
  tillSeq: o.tillSeq,
  at: new Date().toISOString(),
  memberId: o.memberId ?? '',
  _deleted: false,
  body: {
    storeId: 'store-1',
    cashierId: 'cashier-1',
    memberId: o.memberId,
    currency: 'EUR',
    lines: [
      {
        lineId: 'L0001',
        kind: 'item',
        unit: 'each',
        tags: [],
        productId: 'p-001',
        ean: '8710000000019',
        name: 'Whole milk 1 l',
        quantity: 1,
        grams: null,
        unitPriceMinor: o.totalMinor ?? 119,
        amountMinor: o.totalMinor ?? 119,
        discountMinor: 0,
        points: 1,
        categoryId: 'dairy',
      },
    ],
    subtotalMinor: o.totalMinor ?? 119,
    discountMinor: 0,
    totalMinor: o.totalMinor ?? 119,
    tenders: [{ kind: 'cash', amountMinor: o.totalMinor ?? 119 }],
    programId: 'supermarket',
    programVersion: 1,
    memberSeq: null,
    accountSeq: null,
    accountId: null,
    redeem: null,
    offline: false,
    refundOf: null,
    receiptNo: null,
    entryIds: o.entryIds ?? [],
    effects: null,
  },
});

export const row = (doc: JournalDoc) => ({ newDocumentState: doc, assumedMasterState: null });
