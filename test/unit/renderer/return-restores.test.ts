/**
 * A full return restores every balance exactly, through the documents a till really writes: a random basket sold
 * to a member with an eWallet top-up and any split of wallet, card and cash (shared/sale-journal.ts), then returned
 * at once or one unit at a time (features/returns/return-plan.ts), each folded by the one projection. After it the
 * member's points are what they were, the wallet holds what it held plus the top-up (a top-up is not returnable),
 * and the money given back is the goods' total, never more to a tender than it paid for the goods.
 */
import fc from 'fast-check';
import { monotonicFactory } from 'ulid';
import { describe, expect, it } from 'vitest';
import type { JournalDoc, SaleBody } from '../../../shared/documents';
import { factsFromJournal, project, type LedgerFact } from '../../../shared/ledger';
import { priceSale, saleDocuments } from '../../../shared/sale-journal';
import { planReturn, returnDocuments } from '../../../src-renderer/src/features/returns/return-plan';
import { memberStateSchema } from '../../../shared/engine';
import { testLine, testProgram } from '../engine/fixtures';

const nextId = monotonicFactory();
const M = '01KDVDNA000000000000000001';
const TZ = 'Europe/Amsterdam';
const AT = '2026-12-07T10:00:00.000Z';
const RETURN_AT = '2026-12-08T10:00:00.000Z';
const ctx = { timeZone: TZ };
const program = testProgram({
  wallet: { maxBalanceMinor: 100_000, minTopUpMinor: 500, offlineSpendCapPerDayMinor: 0 },
  tiers: [
    { id: 'base', name: 'Base', threshold: 0 },
    { id: 'gold', name: 'Gold', threshold: 3_000, multiplier: 200 },
  ],
});

const caseArb = fc.record({
  lines: fc.array(fc.record({ price: fc.integer({ min: 50, max: 3_000 }), qty: fc.integer({ min: 1, max: 3 }) }), {
    minLength: 1,
    maxLength: 4,
  }),
  points: fc.integer({ min: 0, max: 5_000 }),
  walletBefore: fc.integer({ min: 0, max: 20_000 }),
  topUp: fc.oneof(fc.constant(0), fc.integer({ min: 500, max: 5_000 })),
  walletPercent: fc.integer({ min: 0, max: 100 }),
  cardPercent: fc.integer({ min: 0, max: 100 }),
  piecewise: fc.boolean(),
});

function seqs(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i + 1);
}

describe('a full return restores every balance', () => {
  it('points and eWallet exactly, whether returned at once or unit by unit, whatever paid for the sale', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const before = memberStateSchema.parse({
          balance: c.points,
          lots: c.points > 0 ? [{ id: 'l', points: c.points, earnedAt: '2026-11-01T10:00:00Z', expiresAt: null }] : [],
          wallet: { balanceMinor: c.walletBefore, spentToday: null },
        });
        const input = {
          program,
          member: { id: M, accountId: M, state: before },
          basket: c.lines.map((l, i) => testLine(`L${i}`, l.price, { quantity: l.qty })),
          timeZone: TZ,
        };
        const saleId = nextId();
        const priced = priceSale(input, AT, saleId);
        const goods = priced.quote.totalMinor;
        const wallet = Math.floor((Math.min(goods, c.walletBefore) * c.walletPercent) / 100);
        const card = Math.floor(((goods + c.topUp - wallet) * c.cardPercent) / 100);
        const tenders: SaleBody['tenders'] = [
          { kind: 'wallet' as const, amountMinor: wallet },
          { kind: 'card' as const, amountMinor: card },
          { kind: 'cash' as const, amountMinor: goods + c.topUp - wallet - card },
        ].filter((t) => t.amountMinor > 0);
        const docs = saleDocuments(
          input,
          priced,
          { tillId: 't', storeId: 's', cashierId: 'c', memberSeq: null, tenders, topUpMinor: c.topUp },
          priced.entries.map(() => nextId()),
          seqs(1 + priced.entries.length),
        );
        const sale = docs[0]!;
        if (sale.kind !== 'sale') throw new Error('the first document is the sale');
        const facts: LedgerFact[] = factsFromJournal(docs);
        const sold = project(before, facts, ctx);
        expect(sold.wallet.balanceMinor).toBe(c.walletBefore + c.topUp - wallet);

        const original = { id: saleId, tillId: 't', at: AT, body: sale.body };
        const items = sale.body.lines.filter((l) => l.kind === 'item');
        const picks = c.piecewise
          ? items.flatMap((l) => Array.from({ length: l.quantity }, () => [{ lineId: l.lineId, quantity: 1 }]))
          : [items.map((l) => ({ lineId: l.lineId, quantity: l.quantity }))];
        const returns: SaleBody[] = [];
        const given = { wallet: 0, card: 0, cash: 0 };
        for (const picked of picks) {
          const plan = planReturn({ original, priorReturns: returns, picked, returnId: nextId(), role: 'supervisor' });
          const rdocs: JournalDoc[] = returnDocuments(
            plan,
            { tillId: 't', storeId: 's', cashierId: 'c', receiptNo: 1, offline: false, at: RETURN_AT },
            plan.refund.entries.map(() => nextId()),
            seqs(1 + plan.refund.entries.length),
          );
          const r = rdocs[0]!;
          if (r.kind !== 'sale') throw new Error('the first document is the return');
          returns.push(r.body);
          for (const t of plan.tenders) given[t.kind] += t.amountMinor;
          facts.push(...factsFromJournal(rdocs));
        }
        const after = project(before, facts, ctx);
        expect(after.balance).toBe(c.points);
        expect(after.wallet.balanceMinor).toBe(c.walletBefore + c.topUp);
        // The goods' money back, each tender at most what it paid for the goods (the top-up stays on the wallet).
        expect(given.wallet + given.card + given.cash).toBe(goods);
        expect(given.wallet).toBe(wallet);
        expect(given.card).toBeLessThanOrEqual(card);
      }),
      { numRuns: 150 },
    );
  });
});
