/**
 * A full return restores every balance exactly, through the documents a till really writes: a random basket sold
 * to a member with an eWallet top-up, gift cards sold or reloaded, and any split of wallet, gift cards, card and
 * cash (shared/sale-journal.ts), then returned at once or one unit at a time (features/returns/return-plan.ts), each
 * folded by the one projection (points, wallet) and the one gift card fold (shared/gift-cards.ts). After it the
 * member's points are what they were, the wallet holds what it held plus the top-up, every gift card that paid holds
 * what it held and every card sold holds what it held plus its load (stored value sold is not returnable), and the
 * money given back is the goods' total: to the wallet and to each gift card exactly what it paid, never more to the
 * bank card than it paid for the goods.
 */
import fc from 'fast-check';
import { monotonicFactory } from 'ulid';
import { describe, expect, it } from 'vitest';
import type { JournalDoc, SaleBody } from '../../../shared/documents';
import { factsFromJournal, project, type LedgerFact } from '../../../shared/ledger';
import { priceSale, saleDocuments } from '../../../shared/sale-journal';
import { checkedCode } from '../../../shared/check-code';
import { giftCardView, type GiftCardSale, type GiftCardState } from '../../../shared/gift-cards';
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
  giftCards: { prefix: 'GIFT', minLoadMinor: 500, maxBalanceMinor: 50_000, validMonths: 24 },
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
  /** Gift cards that pay: what each held, and the share of what it could pay that it pays. */
  paying: fc.array(
    fc.record({ before: fc.integer({ min: 1, max: 10_000 }), percent: fc.integer({ min: 0, max: 100 }) }),
    {
      maxLength: 2,
    },
  ),
  /** Gift cards the sale sells or reloads: what each held, and what goes on it. */
  loads: fc.array(
    fc.record({ before: fc.integer({ min: 0, max: 20_000 }), amount: fc.integer({ min: 500, max: 10_000 }) }),
    {
      maxLength: 2,
    },
  ),
});

/** Gift card `n` of the test: a fixed number with its check character. */
function giftCardNumber(n: number): string {
  let i = 0;
  return checkedCode('GIFT', (m) => (n * 7 + i++ * 3) % m);
}

function soldCard(number: string, balanceMinor: number): GiftCardState {
  return {
    number,
    programId: program.id,
    balanceMinor,
    validUntil: balanceMinor > 0 ? '2028-01-01' : null,
    issuedAt: balanceMinor > 0 ? '2026-01-01T10:00:00.000Z' : null,
    spentToday: null,
    tillMarks: {},
  };
}

function seqs(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i + 1);
}

describe('a full return restores every balance', () => {
  it('points, eWallet and gift cards exactly, whether returned at once or unit by unit, whatever paid', () => {
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
        // Each paying card pays a share of what it may: its balance, within the goods the wallet left.
        const payingCards = c.paying.map((p, i) => soldCard(giftCardNumber(i), p.before));
        let goodsLeft = goods - wallet;
        const giftPaid = c.paying.map((p) => {
          const paid = Math.floor((Math.min(p.before, goodsLeft) * p.percent) / 100);
          goodsLeft -= paid;
          return paid;
        });
        const loadedCards = c.loads.map((l, i) => soldCard(giftCardNumber(10 + i), l.before));
        const giftCardLoads = c.loads.map((l, i) => ({ giftCard: loadedCards[i]!.number, amountMinor: l.amount }));
        const loaded = c.loads.reduce((n, l) => n + l.amount, 0);
        const total = goods + c.topUp + loaded;
        const gifts = giftPaid.reduce((n, p) => n + p, 0);
        const card = Math.floor(((total - wallet - gifts) * c.cardPercent) / 100);
        const tenders: SaleBody['tenders'] = [
          { kind: 'wallet' as const, amountMinor: wallet },
          ...giftPaid.map((amountMinor, i) => ({
            kind: 'giftcard' as const,
            amountMinor,
            giftCard: payingCards[i]!.number,
          })),
          { kind: 'card' as const, amountMinor: card },
          { kind: 'cash' as const, amountMinor: total - wallet - gifts - card },
        ].filter((t) => t.amountMinor > 0);
        const cardsBefore = [...payingCards, ...loadedCards];
        const docs = saleDocuments(
          input,
          priced,
          {
            tillId: 't',
            storeId: 's',
            cashierId: 'c',
            memberSeq: null,
            tenders,
            topUpMinor: c.topUp,
            giftCardLoads,
            giftCards: new Map(cardsBefore.map((g) => [g.number, g])),
          },
          priced.entries.map(() => nextId()),
          seqs(1 + priced.entries.length),
        );
        const sale = docs[0]!;
        if (sale.kind !== 'sale') throw new Error('the first document is the sale');
        const facts: LedgerFact[] = factsFromJournal(docs);
        const sold = project(before, facts, ctx);
        expect(sold.wallet.balanceMinor).toBe(c.walletBefore + c.topUp - wallet);
        // Every document that moves a card, in the order a till writes them, through the one fold.
        const giftSales: GiftCardSale[] = [{ tillSeq: 1, at: AT, body: sale.body }];
        const cardsNow = () =>
          cardsBefore.map(
            (g) =>
              giftCardView({
                number: g.number,
                programId: program.id,
                server: g,
                epoch: 'e',
                sales: giftSales,
                timeZone: TZ,
                validMonths: 24,
              }).balanceMinor,
          );
        expect(cardsNow()).toEqual([
          ...c.paying.map((p, i) => p.before - giftPaid[i]!),
          ...c.loads.map((l) => l.before + l.amount),
        ]);

        const original = { id: saleId, tillId: 't', at: AT, body: sale.body };
        const items = sale.body.lines.filter((l) => l.kind === 'item');
        const picks = c.piecewise
          ? items.flatMap((l) => Array.from({ length: l.quantity }, () => [{ lineId: l.lineId, quantity: 1 }]))
          : [items.map((l) => ({ lineId: l.lineId, quantity: l.quantity }))];
        const returns: SaleBody[] = [];
        const given = new Map<string, number>();
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
          giftSales.push({ tillSeq: giftSales.length + 1, at: RETURN_AT, body: r.body });
          for (const t of plan.tenders) {
            const purse = t.giftCard ?? t.kind;
            given.set(purse, (given.get(purse) ?? 0) + t.amountMinor);
          }
          facts.push(...factsFromJournal(rdocs));
        }
        const after = project(before, facts, ctx);
        expect(after.balance).toBe(c.points);
        expect(after.wallet.balanceMinor).toBe(c.walletBefore + c.topUp);
        expect(cardsNow()).toEqual([...c.paying.map((p) => p.before), ...c.loads.map((l) => l.before + l.amount)]);
        // The goods' money back, each tender at most what it paid for the goods (stored value sold stays sold).
        expect([...given.values()].reduce((n, a) => n + a, 0)).toBe(goods);
        expect(given.get('wallet') ?? 0).toBe(wallet);
        for (const [i, g] of payingCards.entries()) expect(given.get(g.number) ?? 0).toBe(giftPaid[i]);
        expect(given.get('card') ?? 0).toBeLessThanOrEqual(card);
      }),
      { numRuns: 150 },
    );
  });
});
