/** Builds journal documents (sales and ledger entries) as a till writes them. */
import { monotonicFactory } from 'ulid';
import type { JournalDoc } from '../../shared/documents';

const id = monotonicFactory();

export const entryDoc = (o: {
  tillId: string;
  tillSeq: number;
  memberId: string;
  points: number;
  type?: 'earn' | 'redeem' | 'bonus';
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
    ruleId: null,
  },
});

export const saleDoc = (o: {
  tillId: string;
  tillSeq: number;
  memberId: string | null;
  totalMinor?: number;
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
    refundOf: null,
    effects: null,
  },
});

export const row = (doc: JournalDoc) => ({ newDocumentState: doc, assumedMasterState: null });
