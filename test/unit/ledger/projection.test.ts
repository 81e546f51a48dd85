/**
 * Properties of the one projection (shared/ledger): facts from 2–5 tills in
 * any interleaving give the same member state, a fact given twice counts
 * once, lots and balance agree, and — simulating tills that sell offline
 * with the real engine against their snapshot — every till's view is what
 * the server computes once it has that till's journal.
 */
import fc from 'fast-check';
import { monotonicFactory } from 'ulid';
import { describe, expect, it } from 'vitest';
import type { LedgerType, SaleBody } from '../../../shared/documents';
import { programSchema, refund, type BasketLine } from '../../../shared/engine';
import { priceSale, saleDocuments } from '../../../shared/sale-journal';
import { returnLines } from '../../../shared/returns';
import { emptyMemberState, type MemberState } from '../../../shared/engine/member-state';
import { KassaError } from '../../../shared/errors';
import {
  factsFromJournal,
  lotDebt,
  memberView,
  openLots,
  project,
  validStampBuckets,
  type LedgerFact,
} from '../../../shared/ledger';

const nextId = monotonicFactory();

const M = '01KDVDNA000000000000000001';
const ctx = { timeZone: 'Europe/Amsterdam' };

const dayArb = fc.integer({ min: 0, max: 60 }).map((d) => new Date(Date.UTC(2026, 9, 1 + d, 10)).toISOString());

const entryArb = (till: number) =>
  fc
    .record({
      n: fc.integer({ min: 0, max: 1_000_000 }),
      type: fc.constantFrom<LedgerType>('earn', 'redeem', 'bonus', 'refund', 'adjust'),
      points: fc.integer({ min: 1, max: 500 }),
      at: dayArb,
      grant: fc.constantFrom(null, `birthday:${M}:2026`, `signup:${M}`),
    })
    .map((e): LedgerFact => ({
      kind: 'entry',
      id: `E${till}-${e.n}`,
      memberId: M,
      type: e.type,
      points: e.type === 'redeem' ? -e.points : e.type === 'refund' && e.n % 2 === 0 ? -e.points : e.points,
      at: e.at,
      naturalId: e.type === 'bonus' ? e.grant : null,
      ruleId: e.type === 'refund' ? 'refund:earn' : null,
    }));

const saleArb = (till: number) =>
  fc
    .record({
      n: fc.integer({ min: 0, max: 1_000_000 }),
      at: dayArb,
      spend: fc.integer({ min: -2000, max: 5000 }),
      stamps: fc.integer({ min: -9, max: 3 }),
      stampDay: dayArb,
      offer: fc.boolean(),
      redeemed: fc.integer({ min: 0, max: 400 }),
      months: fc.option(fc.integer({ min: 1, max: 12 }), { nil: null }),
      grant: fc.constantFrom<string[]>([], [`referral:X:${M}`]),
    })
    .map((s): LedgerFact => ({
      kind: 'sale',
      id: `S${till}-${s.n}`,
      memberId: M,
      at: s.at,
      spendMinor: s.spend,
      effects: {
        stamps: s.stamps === 0 ? {} : { card: { [s.stampDay.slice(0, 10)]: s.stamps } },
        offerUses: s.offer ? { welcome: 1 } : {},
        grants: s.grant,
        redeemedPoints: s.redeemed,
        membership: s.months ? { planId: 'plus', months: s.months } : null,
      },
    }));

/** Facts from 2–5 tills, each till's in its own order, interleaved arbitrarily. */
const historyArb = fc
  .integer({ min: 2, max: 5 })
  .chain((tills) =>
    fc.tuple(
      ...Array.from({ length: tills }, (_, t) => fc.array(fc.oneof(entryArb(t), saleArb(t)), { maxLength: 12 })),
    ),
  )
  // A set: one fact per id (the till's journal and the server's primary keys make it so).
  .map((perTill) => [...new Map(perTill.flat().map((f) => [`${f.kind}:${f.id}`, f])).values()]);

const start: MemberState = {
  ...emptyMemberState(),
  balance: 300,
  lots: { asOf: '2026-09-01', buckets: { '2026-09-01': [300, 0] }, spent: 0 },
};

describe('the shared projection', () => {
  it('gives the same state for any interleaving of any number of tills', () => {
    fc.assert(
      fc.property(historyArb, fc.integer(), (facts, seed) => {
        const shuffled = fc.sample(fc.shuffledSubarray(facts, { minLength: facts.length }), { seed, numRuns: 1 })[0]!;
        expect(project(start, shuffled, ctx)).toEqual(project(start, facts, ctx));
      }),
      { numRuns: 300 },
    );
  });

  it('applies in batches as at once (the server takes pushes one at a time)', () => {
    fc.assert(
      fc.property(historyArb, fc.nat(), (facts, cut) => {
        const k = facts.length === 0 ? 0 : cut % facts.length;
        expect(project(project(start, facts.slice(0, k), ctx), facts.slice(k), ctx)).toEqual(
          project(start, facts, ctx),
        );
      }),
      { numRuns: 200 },
    );
  });

  it('counts a fact given twice once', () => {
    fc.assert(
      fc.property(historyArb, fc.nat(), (facts, k) => {
        const again = facts.slice(0, facts.length ? k % facts.length : 0);
        expect(project(start, [...facts, ...again], ctx)).toEqual(project(start, facts, ctx));
      }),
      { numRuns: 200 },
    );
  });

  it('keeps the balance equal to the points, and open lots minus debt equal to the balance', () => {
    fc.assert(
      fc.property(historyArb, (facts) => {
        const s = project(start, facts, ctx);
        const points = facts.reduce((sum, f) => sum + (f.kind === 'entry' ? f.points : 0), 300);
        expect(s.balance).toBe(points);
        expect(openLots(s.lots).reduce((sum, l) => sum + l.points, 0) - lotDebt(s.lots)).toBe(s.balance);
      }),
      { numRuns: 200 },
    );
  });

  it('adds stamps from two tills instead of overwriting (the lost-stamp case)', () => {
    const three: MemberState = { ...emptyMemberState(), stamps: { card: { asOf: '2026-11-01', buckets: { all: 3 } } } };
    const stamp = (id: string): LedgerFact => ({
      kind: 'sale',
      id,
      memberId: M,
      at: '2026-11-02T10:00:00Z',
      spendMinor: 380,
      effects: { stamps: { card: { all: 1 } }, offerUses: {}, grants: [], redeemedPoints: 0, membership: null },
    });
    const s = project(three, [stamp('A'), stamp('B')], ctx);
    expect(validStampBuckets(s.stamps.card, '2026-11-02', null)).toEqual([['all', 5]]);
  });
});

// --- Tills selling offline with the real engine, and a server merging their journals.

const program = programSchema.parse({
  format: 'kassa-program/1',
  id: 'sim',
  version: 1,
  name: 'Simulation',
  currency: 'EUR',
  earn: [{ id: 'base', kind: 'per-currency', points: 1, perMinor: 100 }],
  stampCards: [{ id: 'card', name: 'Card', filter: { categories: ['coffee'] }, every: 4, windowDays: 30 }],
  offers: [
    {
      id: 'welcome',
      name: 'Welcome',
      filter: { categories: ['dairy'] },
      benefit: { kind: 'bonus-points', points: 20 },
      maxUses: 1,
    },
  ],
  bonuses: { birthday: { points: 50, windowDays: 30 } },
  rewards: [{ id: 'euro', name: '1 EUR off', cost: 100, benefit: { kind: 'amount-off', amountMinor: 100 } }],
  offlineRedemptionCapPerDay: 250,
});

const products: Record<string, Omit<BasketLine, 'lineId' | 'quantity'>> = {
  coffee: {
    productId: 'coffee',
    ean: '1',
    name: 'Coffee',
    categoryId: 'coffee',
    tags: [],
    unit: 'each',
    grams: null,
    unitPriceMinor: 380,
  },
  milk: {
    productId: 'milk',
    ean: '2',
    name: 'Milk',
    categoryId: 'dairy',
    tags: [],
    unit: 'each',
    grams: null,
    unitPriceMinor: 120,
  },
};

const actionArb = (tills: number) =>
  fc.oneof(
    fc.record({
      kind: fc.constant('sell' as const),
      till: fc.integer({ min: 0, max: tills - 1 }),
      items: fc.array(fc.tuple(fc.constantFrom('coffee', 'milk'), fc.integer({ min: 1, max: 3 })), {
        minLength: 1,
        maxLength: 2,
      }),
      redeem: fc.boolean(),
      day: fc.integer({ min: 0, max: 3 }),
    }),
    fc.record({ kind: fc.constant('sync' as const), till: fc.integer({ min: 0, max: tills - 1 }) }),
    fc.record({ kind: fc.constant('return' as const), till: fc.integer({ min: 0, max: tills - 1 }) }),
  );

describe('tills offline and the server merging their journals', () => {
  it("each till's view after a sale or return is what the server computes from its journal; merges commute", () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 2, max: 5 })
          .chain((n) => fc.tuple(fc.constant(n), fc.array(actionArb(n), { maxLength: 25 }))),
        ([tills, actions]) => {
          let server: MemberState = { ...emptyMemberState(), balance: 400, birthday: '11-20' };
          type Sold = { id: string; body: SaleBody; redeemed: number };
          const tillState = Array.from({ length: tills }, () => ({
            snapshot: server,
            pending: [] as LedgerFact[],
            sold: [] as Sold[],
          }));
          let counter = 0;
          for (const a of actions) {
            const t = tillState[a.till]!;
            if (a.kind === 'sync') {
              server = project(server, t.pending, ctx);
              t.pending = [];
              t.snapshot = server;
              continue;
            }
            if (a.kind === 'return') {
              // The member brings back everything of this till's last sale: earned points reversed, redeemed restored.
              const last = t.sold.pop();
              if (!last) continue;
              const at = new Date(Date.UTC(2026, 10, 24, 9, counter % 60)).toISOString();
              const returnId = `R${String(counter++).padStart(4, '0')}`;
              const r = refund({
                sale: last.body,
                saleId: last.id,
                pointsRedeemed: last.redeemed,
                returned: last.body.lines.map((l, lineIndex) => ({ lineIndex, quantity: l.quantity })),
              });
              t.pending.push(
                { kind: 'sale', id: returnId, memberId: M, at, spendMinor: -r.refundMinor, effects: null },
                ...r.entries.map((e, i): LedgerFact => ({
                  kind: 'entry',
                  id: `${returnId}-${i}`,
                  memberId: e.memberId,
                  type: e.type,
                  points: e.points,
                  at,
                  naturalId: null,
                  ruleId: e.ruleId,
                })),
              );
              continue;
            }
            const view = memberView({
              member: { id: M, state: t.snapshot },
              account: null,
              pending: t.pending,
              ctx,
            }).state;
            const at = new Date(Date.UTC(2026, 10, 20 + a.day, 9, counter % 60)).toISOString();
            counter++;
            const saleId = nextId();
            const saleInput = {
              program,
              member: { id: M, state: view },
              basket: a.items.map(([p, q], i) => ({ ...products[p]!, lineId: `L${i}`, quantity: q })),
              timeZone: ctx.timeZone,
              redeem: a.redeem ? ({ kind: 'reward', rewardId: 'euro' } as const) : null,
              offline: true,
            };
            let priced;
            try {
              priced = priceSale(saleInput, at, saleId);
            } catch (e) {
              // A redemption the till's view does not allow (balance, the day's cap) is never committed.
              expect(e).toBeInstanceOf(KassaError);
              continue;
            }
            // The journal documents a till writes for the sale, and the facts the server takes from them.
            const docs = saleDocuments(
              saleInput,
              priced,
              {
                tillId: 't',
                storeId: 's',
                cashierId: 'c',
                memberSeq: null,
                tenders: [{ kind: 'cash', amountMinor: priced.quote.totalMinor }],
              },
              priced.entries.map(() => nextId()),
              Array.from({ length: 1 + priced.entries.length }, (_, i) => counter * 10 + i + 1),
            );
            t.pending.push(...factsFromJournal(docs));
            const sale = docs[0]!;
            if (sale.kind === 'sale')
              t.sold.push({ id: saleId, redeemed: priced.quote.pointsRedeemed, body: sale.body });
            // The offline cap holds across this till's consecutive sales.
            const after = memberView({
              member: { id: M, state: t.snapshot },
              account: null,
              pending: t.pending,
              ctx,
            }).state;
            if (after.redeemedToday) expect(after.redeemedToday.points).toBeLessThanOrEqual(250);
            // What the till shows is what the server computes from the same snapshot and this till's journal.
            expect(after).toEqual(project(t.snapshot, t.pending, ctx));
          }
          // The server merges the tills' remaining journals in whatever order they reconnect.
          const forward = tillState.reduce((st, t) => project(st, t.pending, ctx), server);
          const backward = [...tillState].reverse().reduce((st, t) => project(st, t.pending, ctx), server);
          expect(backward).toEqual(forward);
          // Offline double spend is bounded: one day's redemptions never exceed cap × tills.
          if (forward.redeemedToday) expect(forward.redeemedToday.points).toBeLessThanOrEqual(250 * tills);
          // One birthday bonus per till at most (the server collapses them by natural id).
          const birthdays = tillState.flatMap((t) => t.pending).filter((f) => f.kind === 'entry' && f.naturalId);
          expect(birthdays.length).toBeLessThanOrEqual(tills);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('stamps a sale earned, on its lines and back on a return', () => {
  const at = '2026-11-20T09:00:00.000Z';
  const sell = (state: MemberState, coffees: number) => {
    const saleInput = {
      program,
      member: { id: M, state },
      basket: [
        { ...products.coffee!, lineId: 'L1', quantity: coffees },
        { ...products.milk!, lineId: 'L2', quantity: 1 },
      ],
      timeZone: ctx.timeZone,
    };
    const saleId = nextId();
    const priced = priceSale(saleInput, at, saleId);
    const docs = saleDocuments(
      saleInput,
      priced,
      {
        tillId: 't',
        storeId: 's',
        cashierId: 'c',
        memberSeq: null,
        tenders: [{ kind: 'cash', amountMinor: priced.quote.totalMinor }],
      },
      priced.entries.map(() => nextId()),
      Array.from({ length: 1 + priced.entries.length }, (_, i) => i + 1),
    );
    const sale = docs[0]!;
    if (sale.kind !== 'sale') throw new Error('no sale');
    return { docs, body: sale.body };
  };
  const fullReturn = (body: SaleBody) =>
    returnLines({
      sale: body,
      returnId: nextId(),
      priorReturns: [],
      picked: body.lines.map((l) => ({ lineId: l.lineId, quantity: l.quantity })),
    });
  const stampsOn = (s: MemberState) =>
    validStampBuckets(s.stamps.card, '2026-11-20', 30).reduce((n, [, k]) => n + k, 0);

  it('the sale line records the stamps it earned; a full return leaves the card as before the sale', () => {
    const before = emptyMemberState();
    const { docs, body } = sell(before, 2);
    expect(body.lines[0]!.stamps).toEqual({ card: { bucket: '2026-11-20', n: 2 } });
    expect(body.lines[1]!.stamps).toBeUndefined();
    const after = project(before, factsFromJournal(docs), ctx);
    expect(stampsOn(after)).toBe(2);
    const r = fullReturn(body);
    expect(r.effects?.stamps).toEqual({ card: { '2026-11-20': -2 } });
    const back = project(
      after,
      [{ kind: 'sale', id: nextId(), memberId: M, at, spendMinor: 0, effects: r.effects }],
      ctx,
    );
    expect(stampsOn(back)).toBe(0);
  });

  it('stamps the same sale used again for a free unit are not on its lines', () => {
    // Every 4th coffee free: 4 coffees from nothing earn 3 stamps and use them for the 4th.
    const { body } = sell(emptyMemberState(), 4);
    expect(body.lines[0]!.stamps).toBeUndefined();
    expect(fullReturn(body).effects).toBeNull();
    // 5 coffees: 3 stamps used for the free 4th, the 5th earns one that stays.
    const five = sell(emptyMemberState(), 5).body;
    expect(five.lines[0]!.stamps).toEqual({ card: { bucket: '2026-11-20', n: 1 } });
  });

  it('a free unit using older stamps does not give them back on a return (only what the lines earned)', () => {
    const three: MemberState = {
      ...emptyMemberState(),
      stamps: { card: { asOf: '2026-11-19', buckets: { '2026-11-19': 3 } } },
    };
    const { docs, body } = sell(three, 2);
    // The first coffee is free (3 older stamps used), the second earns one.
    expect(body.lines[0]!.stamps).toEqual({ card: { bucket: '2026-11-20', n: 1 } });
    const after = project(three, factsFromJournal(docs), ctx);
    const r = fullReturn(body);
    const back = project(
      after,
      [{ kind: 'sale', id: nextId(), memberId: M, at, spendMinor: 0, effects: r.effects }],
      ctx,
    );
    expect(stampsOn(back)).toBe(0);
  });
});
