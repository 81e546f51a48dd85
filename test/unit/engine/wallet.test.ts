/**
 * The eWallet: what a sale moves (top-up lines in, wallet tenders out), the program's limits and the offline cap,
 * the projection of its effects (any order of facts, the same balance), the journal documents a till writes for a
 * sale with a top-up and a wallet tender, and what a return may give back to it.
 */
import fc from 'fast-check';
import { monotonicFactory } from 'ulid';
import { describe, expect, it } from 'vitest';
import type { SaleBody } from '../../../shared/documents';
import {
  checkWalletMoves,
  walletMoves,
  walletRefundLeft,
  walletSpendable,
  walletTopUpRoom,
  withWalletEffects,
} from '../../../shared/engine';
import { KassaError } from '../../../shared/errors';
import { project, saleFact, saleGoodsMinor, type SaleFact } from '../../../shared/ledger';
import { priceSale, saleDocuments, topUpLine } from '../../../shared/sale-journal';
import { testLine, testProgram, testState } from './fixtures';

const nextId = monotonicFactory();
const M = '01KDVDNA000000000000000001';
const TZ = 'Europe/Amsterdam';
const AT = '2026-12-07T10:00:00.000Z';
const program = testProgram({
  wallet: { maxBalanceMinor: 50_000, minTopUpMinor: 500, offlineSpendCapPerDayMinor: 2_000 },
});

function code(f: () => void): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(KassaError);
    return (e as KassaError).code;
  }
  return 'none';
}

function body(lines: Array<Pick<SaleBody['lines'][number], 'kind' | 'amountMinor'>>, tenders: SaleBody['tenders']) {
  return { lines: lines as SaleBody['lines'], tenders };
}

describe('wallet moves and effects', () => {
  it('takes top-up lines in and wallet tenders out; a return’s negative tender gives back', () => {
    const sale = body(
      [
        { kind: 'item', amountMinor: 1_000 },
        { kind: 'topup', amountMinor: 2_500 },
      ],
      [
        { kind: 'wallet', amountMinor: 600 },
        { kind: 'cash', amountMinor: 2_900 },
      ],
    );
    expect(walletMoves(sale)).toEqual({ topUpMinor: 2_500, paidMinor: 600 });
    const fx = withWalletEffects(null, sale)!;
    expect(fx.walletMinor).toBe(1_900);
    expect(fx.walletSpentMinor).toBe(600);
    const back = withWalletEffects(
      null,
      body([{ kind: 'return', amountMinor: -600 }], [{ kind: 'wallet', amountMinor: -600 }]),
    )!;
    expect(back.walletMinor).toBe(600);
    expect(back.walletSpentMinor).toBeUndefined();
  });

  it('leaves effects without wallet fields when nothing moves, and replaces stale ones', () => {
    const cash = body([{ kind: 'item', amountMinor: 1_000 }], [{ kind: 'cash', amountMinor: 1_000 }]);
    expect(withWalletEffects(null, cash)).toBeNull();
    const stale = { stamps: {}, offerUses: {}, grants: [], redeemedPoints: 0, membership: null, walletMinor: 99 };
    expect(withWalletEffects(stale, cash)).toEqual({
      stamps: {},
      offerUses: {},
      grants: [],
      redeemedPoints: 0,
      membership: null,
    });
  });
});

describe('wallet limits', () => {
  const ctx = { offline: false, at: AT, timeZone: TZ };
  const state = testState({ wallet: { balanceMinor: 3_000, spentToday: null } });

  it('refuses each wrong move with its code, and lets a right one pass', () => {
    const goods = 5_000;
    expect(
      code(() => checkWalletMoves(testProgram({}), state, { topUpMinor: 0, paidMinor: 100, goodsMinor: goods }, ctx)),
    ).toBe('WALLET_NOT_OFFERED');
    expect(code(() => checkWalletMoves(program, null, { topUpMinor: 1_000, paidMinor: 0, goodsMinor: 0 }, ctx))).toBe(
      'WALLET_NOT_OFFERED',
    );
    expect(code(() => checkWalletMoves(program, state, { topUpMinor: 499, paidMinor: 0, goodsMinor: 0 }, ctx))).toBe(
      'WALLET_BAD_AMOUNT',
    );
    expect(code(() => checkWalletMoves(program, state, { topUpMinor: 47_001, paidMinor: 0, goodsMinor: 0 }, ctx))).toBe(
      'WALLET_OVER_LIMIT',
    );
    expect(
      code(() => checkWalletMoves(program, state, { topUpMinor: 0, paidMinor: 3_001, goodsMinor: goods }, ctx)),
    ).toBe('WALLET_INSUFFICIENT');
    // The wallet pays for goods, never for its own top-up.
    expect(
      code(() => checkWalletMoves(program, state, { topUpMinor: 1_000, paidMinor: 1_000, goodsMinor: 0 }, ctx)),
    ).toBe('WALLET_BAD_AMOUNT');
    expect(
      code(() => checkWalletMoves(program, state, { topUpMinor: 47_000, paidMinor: 3_000, goodsMinor: goods }, ctx)),
    ).toBe('none');
    expect(walletTopUpRoom(program, state)).toBe(47_000);
  });

  it('offline, spends no more than the day’s cap left; a new store day starts from zero', () => {
    const spent = testState({ wallet: { balanceMinor: 10_000, spentToday: { date: '2026-12-07', minor: 1_500 } } });
    const offline = { offline: true, at: AT, timeZone: TZ };
    expect(walletSpendable(program, spent, offline)).toBe(500);
    expect(walletSpendable(program, spent, { ...offline, offline: false })).toBe(10_000);
    expect(walletSpendable(program, spent, { ...offline, at: '2026-12-08T10:00:00.000Z' })).toBe(2_000);
    expect(
      code(() => checkWalletMoves(program, spent, { topUpMinor: 0, paidMinor: 501, goodsMinor: 5_000 }, offline)),
    ).toBe('WALLET_OFFLINE_CAP');
    // A negative balance (an offline overdraft) spends nothing.
    expect(walletSpendable(program, testState({ wallet: { balanceMinor: -200, spentToday: null } }), ctx)).toBe(0);
  });
});

describe('wallet in the projection', () => {
  function fact(id: string, at: string, walletMinor: number, walletSpentMinor?: number): SaleFact {
    return {
      kind: 'sale',
      id,
      memberId: M,
      at,
      spendMinor: 0,
      effects: {
        stamps: {},
        offerUses: {},
        grants: [],
        redeemedPoints: 0,
        membership: null,
        walletMinor,
        ...(walletSpentMinor ? { walletSpentMinor } : {}),
      },
    };
  }

  it('sums the balance in any order and counts spending per store day', () => {
    const facts = [
      fact('a', '2026-12-06T10:00:00.000Z', 5_000),
      fact('b', '2026-12-07T09:00:00.000Z', -700, 700),
      fact('c', '2026-12-07T15:00:00.000Z', -300, 300),
      fact('d', '2026-12-06T12:00:00.000Z', -100, 100),
    ];
    fc.assert(
      fc.property(fc.shuffledSubarray(facts, { minLength: facts.length }), (order) => {
        const s = project(testState(), order, { timeZone: TZ });
        expect(s.wallet.balanceMinor).toBe(3_900);
        expect(s.wallet.spentToday).toEqual({ date: '2026-12-07', minor: 1_000 });
      }),
    );
    // A fact given twice counts once.
    expect(project(testState(), [facts[0]!, facts[0]!], { timeZone: TZ }).wallet.balanceMinor).toBe(5_000);
  });
});

describe('a sale with the wallet, as journal documents', () => {
  const member = { id: M, accountId: M, state: testState({ wallet: { balanceMinor: 1_000, spentToday: null } }) };
  const input = { program, member, basket: [testLine('L0001', 1_500)], timeZone: TZ };
  const ctx = { tillId: 't', storeId: 's', cashierId: 'c', memberSeq: null };

  it('adds the top-up line after the goods, in the totals, and puts the moves in the effects', () => {
    const priced = priceSale(input, AT, nextId());
    const docs = saleDocuments(
      input,
      priced,
      {
        ...ctx,
        topUpMinor: 2_000,
        tenders: [
          { kind: 'wallet', amountMinor: 1_000 },
          { kind: 'cash', amountMinor: 2_500 },
        ],
      },
      priced.entries.map(() => nextId()),
      Array.from({ length: 1 + priced.entries.length }, (_, i) => i + 1),
    );
    const sale = docs[0]!;
    if (sale.kind !== 'sale') throw new Error('the first document is the sale');
    expect(sale.body.lines.map((l) => l.kind)).toEqual(['item', 'topup']);
    expect(sale.body.lines[1]).toMatchObject(topUpLine(2_000));
    expect(sale.body.subtotalMinor).toBe(3_500);
    expect(sale.body.totalMinor).toBe(3_500);
    // The top-up earns nothing: the goods' 15 points only.
    expect(priced.quote.pointsEarned).toBe(15);
    expect(sale.body.effects).toMatchObject({ walletMinor: 1_000, walletSpentMinor: 1_000 });
    // As the till's view and the server project it: the top-up is the member's money still, not spend.
    const fact = saleFact(sale)!;
    expect(fact.spendMinor).toBe(1_500);
    const after = project(member.state, [fact], { timeZone: TZ });
    expect(after.wallet.balanceMinor).toBe(2_000);
    expect(after.tierWindow.spendMinor).toBe(member.state.tierWindow.spendMinor + 1_500);
    // A gift card sold with goods is no spend either; a return's (negative) total is all goods.
    const card = { kind: 'giftcard' as const, amountMinor: 2_500 };
    expect(
      saleGoodsMinor({ totalMinor: 6_000, lines: [...sale.body.lines, { ...sale.body.lines[1]!, ...card }] }),
    ).toBe(1_500);
    expect(
      saleGoodsMinor({ totalMinor: -1_500, lines: [{ ...sale.body.lines[0]!, kind: 'return', amountMinor: -1_500 }] }),
    ).toBe(-1_500);
  });

  it('refuses a wallet payment beyond the balance before anything is written', () => {
    const priced = priceSale(input, AT, nextId());
    expect(
      code(() => saleDocuments(input, priced, { ...ctx, tenders: [{ kind: 'wallet', amountMinor: 1_500 }] }, [], [1])),
    ).toBe('WALLET_INSUFFICIENT');
  });
});

describe('what a return gives back to the wallet', () => {
  it('is what the sale paid from it, less earlier returns', () => {
    const sale = body(
      [{ kind: 'item', amountMinor: 3_000 }],
      [
        { kind: 'wallet', amountMinor: 1_200 },
        { kind: 'card', amountMinor: 1_800 },
      ],
    );
    const first = body([{ kind: 'return', amountMinor: -1_000 }], [{ kind: 'wallet', amountMinor: -1_000 }]);
    expect(walletRefundLeft(sale, [])).toBe(1_200);
    expect(walletRefundLeft(sale, [first])).toBe(200);
    expect(walletRefundLeft(sale, [first, first])).toBe(0);
  });
});
