/**
 * Gift cards: the numbers' check character and prefix, the one fold a card's moves go through (any order, any
 * split of a sale's tenders, the same card), the till's view above its mark, every refusal of a sale's moves with
 * its code, what returns may give back to a card, and the journal documents of a sale that sells or loads cards.
 */
import fc from 'fast-check';
import { monotonicFactory } from 'ulid';
import { describe, expect, it } from 'vitest';
import { checkedCode } from '../../shared/check-code';
import type { SaleBody } from '../../shared/documents';
import { emptyMemberState } from '../../shared/engine';
import { KassaError } from '../../shared/errors';
import {
  applyGiftCardMove,
  checkGiftCardMoves,
  emptyGiftCard,
  giftCardExpired,
  giftCardLoadRoom,
  giftCardMoves,
  giftCardNumberOf,
  giftCardNumberSchema,
  giftCardRefundLeft,
  giftCardSpendable,
  giftCardView,
  type GiftCardMove,
  type GiftCardSale,
  type GiftCardState,
} from '../../shared/gift-cards';
import { giftCardLine, priceSale, saleDocuments, topUpLine } from '../../shared/sale-journal';
import { testLine, testProgram } from './engine/fixtures';

const nextId = monotonicFactory();
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const TZ = 'Europe/Amsterdam';
const AT = '2026-12-07T10:00:00.000Z';
const M = '01KDVDNA000000000000000001';
const RULES = {
  prefix: 'GIFT',
  minLoadMinor: 500,
  maxBalanceMinor: 30_000,
  validMonths: 24,
  offlineSpendCapPerDayMinor: 5_000,
};
const program = testProgram({
  giftCards: RULES,
  wallet: { maxBalanceMinor: 50_000, minTopUpMinor: 500, offlineSpendCapPerDayMinor: 2_000 },
});
const FOLD = { timeZone: TZ, validMonths: RULES.validMonths };
const online = { offline: false, at: AT, timeZone: TZ };

/** A card number drawn from `values` (whole numbers below 32), as head office draws them from a random source. */
function drawn(values: readonly number[], prefix = 'GIFT'): string {
  let i = 0;
  return checkedCode(prefix, () => values[i++ % values.length]!);
}

const randomArb = fc.array(fc.integer({ min: 0, max: 31 }), { minLength: 7, maxLength: 7 });
const A = drawn([1, 2, 3, 4, 5, 6, 7]);
const B = drawn([30, 29, 28, 27, 26, 25, 24]);
const C = drawn([9, 9, 9, 0, 0, 0, 1]);

function thrown(f: () => void): KassaError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(KassaError);
    return e as KassaError;
  }
  throw new Error('nothing was refused');
}

function code(f: () => void): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(KassaError);
    return (e as KassaError).code;
  }
  return 'none';
}

type Line = Pick<SaleBody['lines'][number], 'kind' | 'amountMinor' | 'giftCard'>;
function body(lines: Line[], tenders: SaleBody['tenders']): Pick<SaleBody, 'lines' | 'tenders'> {
  return { lines: lines as SaleBody['lines'], tenders };
}
const load = (giftCard: string, amountMinor: number): Line => ({ kind: 'giftcard', amountMinor, giftCard });
const pay = (giftCard: string, amountMinor: number): SaleBody['tenders'][number] => ({
  kind: 'giftcard',
  amountMinor,
  giftCard,
});

/** A card sold on `day` with `balanceMinor` on it. */
function soldCard(number: string, balanceMinor: number, over: Partial<GiftCardState> = {}): GiftCardState {
  return {
    ...emptyGiftCard(number, program.id),
    balanceMinor,
    issuedAt: '2026-06-15T09:00:00.000Z',
    validUntil: '2028-06-15',
    ...over,
  };
}

describe('gift card numbers', () => {
  it('every number drawn is valid, in any case; one character mistyped or another prefix is refused', () => {
    fc.assert(
      fc.property(randomArb, fc.nat(7), fc.integer({ min: 1, max: 31 }), (values, at, shift) => {
        const number = drawn(values);
        expect(number).toMatch(/^GIFT-[0-9A-Z]{8}$/);
        expect(giftCardNumberOf(number, 'GIFT')).toBe(number);
        expect(giftCardNumberOf(` ${number.toLowerCase()} `, 'GIFT')).toBe(number);
        expect(giftCardNumberSchema.safeParse(number).success).toBe(true);
        const chars = number.slice(5);
        const wrong = ALPHABET[(ALPHABET.indexOf(chars[at]!) + shift) % 32]!;
        const mistyped = `GIFT-${chars.slice(0, at)}${wrong}${chars.slice(at + 1)}`;
        expect(giftCardNumberOf(mistyped, 'GIFT')).toBeNull();
        expect(giftCardNumberSchema.safeParse(mistyped).success).toBe(false);
        expect(giftCardNumberOf(number, 'BEAN')).toBeNull();
        expect(giftCardNumberOf(`BEAN-${chars}`, 'GIFT')).toBeNull();
      }),
    );
    // Stored and sent in capitals: the wire refuses a number in small letters.
    expect(giftCardNumberSchema.safeParse(A.toLowerCase()).success).toBe(false);
    expect(giftCardNumberOf('GIFT-1234567', 'GIFT')).toBeNull();
    expect(giftCardNumberOf('', 'GIFT')).toBeNull();
  });
});

/** Moves of one card on a few store days around AT; paid may be negative (a return gives back). */
const moveArb = fc.record({
  move: fc.oneof(
    fc.record({ loadMinor: fc.integer({ min: 500, max: 10_000 }), paidMinor: fc.constant(0) }),
    fc.record({ loadMinor: fc.constant(0), paidMinor: fc.integer({ min: -3_000, max: 5_000 }) }),
  ),
  // Up to 40 days either side of AT, to the minute: several store days, some loads months apart.
  at: fc.integer({ min: -40 * 24 * 60, max: 40 * 24 * 60 }).map((m) => new Date(Date.parse(AT) + m * 60_000)),
});

function foldAll(card: GiftCardState, moves: ReadonlyArray<{ move: GiftCardMove; at: Date }>): GiftCardState {
  return moves.reduce((c, m) => applyGiftCardMove(c, m.move, { ...FOLD, at: m.at.toISOString() }), card);
}
const seen = (c: GiftCardState) => [c.balanceMinor, c.validUntil, c.issuedAt, c.spentToday];

describe('the fold', () => {
  it('gives the same card for any order of the same moves', () => {
    fc.assert(
      fc.property(
        fc
          .array(moveArb, { minLength: 1, maxLength: 12 })
          .chain((moves) => fc.tuple(fc.constant(moves), fc.shuffledSubarray(moves, { minLength: moves.length }))),
        ([moves, order]) => {
          const start = emptyGiftCard(A, program.id);
          expect(seen(foldAll(start, order))).toEqual(seen(foldAll(start, moves)));
        },
      ),
    );
  });

  it('sums the balance, keeps the first load, extends validity on a reload, and counts spending per store day', () => {
    const sold = applyGiftCardMove(
      emptyGiftCard(A, program.id),
      { loadMinor: 2_500, paidMinor: 0 },
      {
        ...FOLD,
        at: '2026-06-15T09:00:00.000Z',
      },
    );
    expect(seen(sold)).toEqual([2_500, '2028-06-15', '2026-06-15T09:00:00.000Z', null]);
    const spent = applyGiftCardMove(sold, { loadMinor: 0, paidMinor: 700 }, { ...FOLD, at: AT });
    // Paying leaves the validity as it was.
    expect(seen(spent)).toEqual([1_800, '2028-06-15', '2026-06-15T09:00:00.000Z', { date: '2026-12-07', minor: 700 }]);
    const reloaded = applyGiftCardMove(spent, { loadMinor: 1_000, paidMinor: 0 }, { ...FOLD, at: AT });
    expect(seen(reloaded)).toEqual([
      2_800,
      '2028-12-07',
      '2026-06-15T09:00:00.000Z',
      { date: '2026-12-07', minor: 700 },
    ]);
    // A return gives back to the balance and counts nothing against the day.
    const back = applyGiftCardMove(reloaded, { loadMinor: 0, paidMinor: -300 }, { ...FOLD, at: AT });
    expect(seen(back)).toEqual([3_100, '2028-12-07', '2026-06-15T09:00:00.000Z', { date: '2026-12-07', minor: 700 }]);
    // A program whose cards never expire gives none a last day.
    const forever = applyGiftCardMove(
      emptyGiftCard(A, program.id),
      { loadMinor: 500, paidMinor: 0 },
      {
        ...FOLD,
        validMonths: 0,
        at: AT,
      },
    );
    expect(forever.validUntil).toBeNull();
  });

  it('takes the same moves from a sale however its tenders are split over the cards', () => {
    const splitArb = fc.array(fc.integer({ min: 1, max: 2_000 }), { minLength: 1, maxLength: 4 });
    const saleArb = fc.tuple(splitArb, splitArb, fc.integer({ min: 1, max: 3_000 })).chain(([onA, onB, cash]) => {
      const tenders = [
        ...onA.map((a) => pay(A, a)),
        ...onB.map((b) => pay(B, b)),
        { kind: 'cash' as const, amountMinor: cash },
      ];
      return fc.tuple(fc.constant({ onA, onB, cash }), fc.shuffledSubarray(tenders, { minLength: tenders.length }));
    });
    fc.assert(
      fc.property(saleArb, ([{ onA, onB, cash }, tenders]) => {
        // One tender per card for the same amounts: the moves, and the cards after them, are the same.
        const whole = giftCardMoves(
          body([], [pay(A, sum(onA)), pay(B, sum(onB)), { kind: 'cash', amountMinor: cash }]),
        );
        const split = giftCardMoves(body([], tenders));
        expect([...split.entries()].sort()).toEqual([...whole.entries()].sort());
        expect(split.get(A)).toEqual({ loadMinor: 0, paidMinor: sum(onA) });
        const card = soldCard(A, 10_000);
        expect(applyGiftCardMove(card, split.get(A)!, { ...FOLD, at: AT })).toEqual(
          applyGiftCardMove(card, whole.get(A)!, { ...FOLD, at: AT }),
        );
      }),
    );
  });
});

function sum(xs: readonly number[]): number {
  return xs.reduce((s, x) => s + x, 0);
}

describe('the till’s view of a card', () => {
  it('adds only this database’s sales above the card’s mark for it, through the fold', () => {
    const saleArb = fc.record({
      load: fc.integer({ min: 0, max: 3_000 }),
      paid: fc.integer({ min: 0, max: 2_000 }),
      other: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(saleArb, { maxLength: 10 }), fc.nat(12), fc.nat(50), (sales, mark, otherMark) => {
        const journal: GiftCardSale[] = sales.map((s, i) => ({
          tillSeq: i + 1,
          at: new Date(Date.parse(AT) + i * 3_600_000).toISOString(),
          // A sale of another card (or of none) moves nothing on this one.
          body: s.other ? body([load(B, s.load)], [pay(C, s.paid)]) : body([load(A, s.load)], [pay(A, s.paid)]),
        }));
        const server = soldCard(A, 5_000, { tillMarks: { E: mark, F: otherMark } });
        const view = giftCardView({
          number: A,
          programId: program.id,
          server,
          epoch: 'E',
          sales: journal,
          ...FOLD,
        });
        let expected = server;
        for (const s of journal.filter((x) => x.tillSeq > mark)) {
          const m = giftCardMoves(s.body).get(A);
          if (m) expected = applyGiftCardMove(expected, m, { ...FOLD, at: s.at });
        }
        expect(view).toEqual(expected);
        // Another database's mark says nothing about this one's sales: with no mark of its own, all count.
        const fresh = giftCardView({ number: A, programId: program.id, server, epoch: 'G', sales: journal, ...FOLD });
        expect(fresh).toEqual(
          journal.reduce((c, s) => {
            const m = giftCardMoves(s.body).get(A);
            return m ? applyGiftCardMove(c, m, { ...FOLD, at: s.at }) : c;
          }, server),
        );
      }),
    );
  });

  it('starts from an empty card when the server has none', () => {
    const view = giftCardView({
      number: A,
      programId: program.id,
      server: null,
      epoch: 'E',
      sales: [{ tillSeq: 1, at: AT, body: body([load(A, 2_000)], []) }],
      ...FOLD,
    });
    expect(seen(view)).toEqual([2_000, '2028-12-07', AT, null]);
  });
});

describe('what may be paid from and put on a card', () => {
  it('pays the balance online, no more than the day’s cap left offline, and nothing once expired', () => {
    const card = soldCard(A, 8_000, { spentToday: { date: '2026-12-07', minor: 3_500 } });
    expect(giftCardSpendable(program, card, online)).toBe(8_000);
    expect(giftCardSpendable(program, card, { ...online, offline: true })).toBe(1_500);
    // A new store day starts the cap again.
    expect(giftCardSpendable(program, card, { ...online, offline: true, at: '2026-12-08T10:00:00.000Z' })).toBe(5_000);
    // Valid through its last day, in the store's zone: 23:30 UTC on 15 June 2028 is 16 June in Amsterdam.
    expect(giftCardExpired(card, '2028-06-15T21:00:00.000Z', TZ)).toBe(false);
    expect(giftCardExpired(card, '2028-06-15T23:30:00.000Z', TZ)).toBe(true);
    expect(giftCardSpendable(program, card, { ...online, at: '2028-06-16T10:00:00.000Z' })).toBe(0);
    expect(giftCardSpendable(program, soldCard(A, -200), online)).toBe(0);
    expect(giftCardSpendable(program, null, online)).toBe(0);
    expect(giftCardSpendable(testProgram({}), card, online)).toBe(0);
    expect(giftCardLoadRoom(program, card)).toBe(22_000);
    expect(giftCardLoadRoom(program, null)).toBe(30_000);
    expect(giftCardLoadRoom(testProgram({}), null)).toBe(0);
  });
});

describe('the checks a sale’s gift card moves pass', () => {
  const cards = new Map<string, GiftCardState | null>([
    [A, soldCard(A, 2_500)],
    [B, soldCard(B, 30_000)],
    [C, soldCard(C, 1_000, { validUntil: '2026-12-06' })],
  ]);
  const check = (b: ReturnType<typeof body>, goods = 10_000, ctx = online, p = program) =>
    code(() => checkGiftCardMoves(p, cards, b, goods, ctx));

  it('refuses every wrong move with its code', () => {
    expect(check(body([], [pay(A, 100)]), 10_000, online, testProgram({}))).toBe('GIFT_CARD_NOT_OFFERED');
    expect(check(body([load(drawn([1, 2, 3, 4, 5, 6, 7], 'BEAN'), 1_000)], []))).toBe('GIFT_CARD_BAD_NUMBER');
    expect(check(body([], [pay(`${A.slice(0, -1)}${A.endsWith('0') ? '1' : '0'}`, 100)]))).toBe('GIFT_CARD_BAD_NUMBER');
    expect(check(body([], [pay(A, 10.5)]))).toBe('GIFT_CARD_BAD_AMOUNT');
    expect(check(body([], [pay(A, -100)]))).toBe('GIFT_CARD_BAD_AMOUNT');
    expect(check(body([load(A, 499)], []))).toBe('GIFT_CARD_BAD_AMOUNT');
    expect(check(body([load(A, 27_501)], []))).toBe('GIFT_CARD_OVER_LIMIT');
    expect(check(body([load(B, 500)], []))).toBe('GIFT_CARD_OVER_LIMIT');
    expect(check(body([load(A, 1_000)], [pay(A, 100)]))).toBe('GIFT_CARD_BAD_AMOUNT');
    const unsold = drawn([4, 4, 4, 4, 4, 4, 4]);
    expect(check(body([], [pay(unsold, 100)]))).toBe('GIFT_CARD_UNKNOWN');
    // A number the server sent but nobody put money on is as unknown as one it never sent.
    expect(
      code(() =>
        checkGiftCardMoves(
          program,
          new Map([[unsold, emptyGiftCard(unsold, 'p')]]),
          body([], [pay(unsold, 1)]),
          100,
          online,
        ),
      ),
    ).toBe('GIFT_CARD_UNKNOWN');
    expect(check(body([], [pay(C, 100)]))).toBe('GIFT_CARD_EXPIRED');
    expect(check(body([], [pay(A, 2_501)]))).toBe('GIFT_CARD_INSUFFICIENT');
    const spentToday = new Map([[A, soldCard(A, 2_500, { spentToday: { date: '2026-12-07', minor: 4_000 } })]]);
    expect(
      code(() =>
        checkGiftCardMoves(program, spentToday, body([], [pay(A, 1_001)]), 10_000, { ...online, offline: true }),
      ),
    ).toBe('GIFT_CARD_OFFLINE_CAP');
    // Offline, more than the card holds is still "not enough on it", not the cap.
    expect(
      code(() =>
        checkGiftCardMoves(program, spentToday, body([], [pay(A, 2_501)]), 10_000, { ...online, offline: true }),
      ),
    ).toBe('GIFT_CARD_INSUFFICIENT');
    // Cards pay for goods, never for cards loaded (or the wallet topped up) on the same sale.
    expect(check(body([load(drawn([7, 7, 7, 7, 7, 7, 7]), 5_000)], [pay(A, 600)]), 500)).toBe('GIFT_CARD_BAD_AMOUNT');
    expect(check(body([], [pay(A, 300), pay(B, 300)]), 500)).toBe('GIFT_CARD_BAD_AMOUNT');
  });

  it('says which of the amount rules a move breaks', () => {
    const message = (b: ReturnType<typeof body>, goods = 10_000) =>
      thrown(() => checkGiftCardMoves(program, cards, b, goods, online)).message;
    expect(message(body([], [pay(A, 10.5)]))).toMatch(/whole number of minor units/);
    expect(message(body([load(A, 499)], []))).toMatch(/at least 500/);
    expect(message(body([load(A, 1_000)], [pay(A, 100)]))).toMatch(/does not pay with the card it puts money on/);
    expect(message(body([], [pay(A, 300), pay(B, 300)]), 500)).toMatch(/pay for goods/);
    // And names which in its details, for the till's message.
    const why = (b: ReturnType<typeof body>, goods = 10_000) =>
      (thrown(() => checkGiftCardMoves(program, cards, b, goods, online)).details as { why?: string } | undefined)?.why;
    expect(why(body([], [pay(A, 10.5)]))).toBe('whole');
    expect(why(body([load(A, 499)], []))).toBe('min');
    expect(why(body([load(A, 1_000)], [pay(A, 100)]))).toBe('loaded-here');
    expect(why(body([], [pay(A, 300), pay(B, 300)]), 500)).toBe('goods-only');
    // What the eWallet pays of the goods counts first: 4.00 of 5.00 goods leaves a card 1.00.
    const wallet = { kind: 'wallet' as const, amountMinor: 400 };
    expect(why({ ...body([], [pay(A, 101)]), tenders: [wallet, pay(A, 101)] }, 500)).toBe('goods-only');
    expect(check({ ...body([], [pay(A, 100)]), tenders: [wallet, pay(A, 100)] }, 500)).toBe('none');
  });

  it('lets right moves pass, and the refusals say what is left', () => {
    expect(check(body([load(A, 27_500), load(drawn([2, 2, 2, 2, 2, 2, 2]), 500)], [pay(B, 9_000)]))).toBe('none');
    expect(check(body([], [pay(A, 1_000), pay(A, 1_500)]), 2_500)).toBe('none');
    expect(check(body([], [{ kind: 'cash', amountMinor: 100 }]), 100, online, testProgram({}))).toBe('none');
    expect(thrown(() => checkGiftCardMoves(program, cards, body([], [pay(A, 2_600)]), 10_000, online))).toMatchObject({
      code: 'GIFT_CARD_INSUFFICIENT',
      message: `Gift card ${A} holds 2500`,
      details: { number: A, spendableMinor: 2_500 },
    });
    expect(thrown(() => checkGiftCardMoves(program, cards, body([load(A, 28_000)], []), 0, online))).toMatchObject({
      details: { number: A, roomMinor: 27_500 },
    });
  });
});

describe('what a return gives back to a card', () => {
  it('is what the sale paid from it, less earlier returns, per card', () => {
    const sale = body(
      [{ kind: 'item', amountMinor: 5_000 }],
      [pay(A, 1_200), pay(B, 800), pay(A, 300), { kind: 'cash', amountMinor: 2_700 }],
    );
    const first = body([{ kind: 'return', amountMinor: -1_000 }], [pay(A, -1_000)]);
    const second = body([{ kind: 'return', amountMinor: -900 }], [pay(A, -400), pay(B, -500)]);
    expect(giftCardRefundLeft(sale, [], A)).toBe(1_500);
    expect(giftCardRefundLeft(sale, [first], A)).toBe(500);
    expect(giftCardRefundLeft(sale, [first, second], A)).toBe(100);
    expect(giftCardRefundLeft(sale, [first, second], B)).toBe(300);
    expect(giftCardRefundLeft(sale, [first, second, first], A)).toBe(0);
    expect(giftCardRefundLeft(sale, [], C)).toBe(0);
  });
});

describe('a sale with gift cards, as journal documents', () => {
  const ctx = { tillId: 't', storeId: 's', cashierId: 'c', memberSeq: null };
  const member = {
    id: M,
    accountId: M,
    state: { ...emptyMemberState(), wallet: { balanceMinor: 0, spentToday: null } },
  };

  function documents(input: Parameters<typeof priceSale>[0], sale: Parameters<typeof saleDocuments>[2]) {
    const priced = priceSale(input, AT, nextId());
    const docs = saleDocuments(
      input,
      priced,
      sale,
      priced.entries.map(() => nextId()),
      Array.from({ length: 1 + priced.entries.length }, (_, i) => i + 1),
    );
    const doc = docs[0]!;
    if (doc.kind !== 'sale') throw new Error('the first document is the sale');
    return { priced, docs, sale: doc.body };
  }

  it('writes the gift card lines after the goods and the top-up, in the totals, with no points', () => {
    const input = { program, member, basket: [testLine('L0001', 1_500)], timeZone: TZ };
    const loads = [
      { giftCard: A, amountMinor: 2_500 },
      { giftCard: drawn([5, 5, 5, 5, 5, 5, 5]), amountMinor: 1_000 },
    ];
    const { priced, sale } = documents(input, {
      ...ctx,
      topUpMinor: 2_000,
      giftCardLoads: loads,
      giftCards: new Map([[B, soldCard(B, 3_000)]]),
      tenders: [pay(B, 1_500), { kind: 'cash', amountMinor: 5_500 }],
    });
    expect(sale.lines.map((l) => l.kind)).toEqual(['item', 'topup', 'giftcard', 'giftcard']);
    expect(sale.lines[1]).toMatchObject(topUpLine(2_000));
    expect(sale.lines[2]).toMatchObject(giftCardLine(loads[0]!, 1));
    expect(sale.lines[3]).toMatchObject(giftCardLine(loads[1]!, 2));
    expect(sale.subtotalMinor).toBe(1_500 + 2_000 + 3_500);
    expect(sale.totalMinor).toBe(7_000);
    // The goods' 15 points only: the top-up and the cards earn nothing.
    expect(priced.quote.pointsEarned).toBe(15);
    expect(sale.lines.slice(1).map((l) => l.points)).toEqual([0, 0, 0]);
    expect(giftCardMoves(sale)).toEqual(
      new Map([
        [A, { loadMinor: 2_500, paidMinor: 0 }],
        [loads[1]!.giftCard, { loadMinor: 1_000, paidMinor: 0 }],
        [B, { loadMinor: 0, paidMinor: 1_500 }],
      ]),
    );
  });

  it('sells a gift card alone, to a customer without a card', () => {
    const input = { program, member: null, basket: [], timeZone: TZ };
    const { docs, sale } = documents(input, {
      ...ctx,
      giftCardLoads: [{ giftCard: A, amountMinor: 5_000 }],
      tenders: [{ kind: 'card', amountMinor: 5_000 }],
    });
    expect(docs).toHaveLength(1);
    expect(sale.memberId).toBeNull();
    expect(sale.effects).toBeNull();
    expect(sale.lines.map((l) => [l.kind, l.giftCard, l.amountMinor])).toEqual([['giftcard', A, 5_000]]);
    expect([sale.subtotalMinor, sale.discountMinor, sale.totalMinor]).toEqual([5_000, 0, 5_000]);
  });

  it('is refused before anything is written when a move breaks a rule', () => {
    const input = { program, member: null, basket: [testLine('L0001', 1_500)], timeZone: TZ };
    const priced = priceSale(input, AT, nextId());
    expect(
      code(() =>
        saleDocuments(input, priced, { ...ctx, tenders: [pay(A, 1_000)], giftCards: new Map([[A, null]]) }, [], [1]),
      ),
    ).toBe('GIFT_CARD_UNKNOWN');
  });

  it('never has a total below zero, and loads never earn', () => {
    const numbers = [A, drawn([3, 1, 4, 1, 5, 9, 2]), drawn([2, 7, 1, 8, 2, 8, 1])];
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 20_000 }), { maxLength: 5 }),
        fc.array(fc.integer({ min: RULES.minLoadMinor, max: 10_000 }), { maxLength: 3 }),
        fc.boolean(),
        fc.nat(100),
        (prices, amounts, withMember, paidPercent) => {
          // A sale has a line: goods, a card, or both.
          fc.pre(prices.length + amounts.length > 0);
          const basket = prices.map((p, i) => testLine(`L${String(i + 1).padStart(4, '0')}`, p));
          const input = { program, member: withMember ? member : null, basket, timeZone: TZ };
          const goods = priceSale(input, AT, nextId()).quote;
          const card = soldCard(B, 30_000);
          const paid = Math.min(card.balanceMinor, Math.floor((goods.totalMinor * paidPercent) / 100));
          const loads = amounts.map((amountMinor, i) => ({ giftCard: numbers[i]!, amountMinor }));
          const total = goods.totalMinor + sum(amounts);
          const { priced, sale } = documents(input, {
            ...ctx,
            giftCardLoads: loads,
            giftCards: new Map([[B, card]]),
            tenders: [
              ...(paid > 0 ? [pay(B, paid)] : []),
              ...(total - paid > 0 ? [{ kind: 'cash' as const, amountMinor: total - paid }] : []),
            ],
          });
          expect(sale.totalMinor).toBe(total);
          expect(sale.totalMinor).toBeGreaterThanOrEqual(0);
          expect(sale.subtotalMinor - sale.discountMinor).toBe(sale.totalMinor);
          expect(priced.quote.pointsEarned).toBe(goods.pointsEarned);
          expect(sale.lines.filter((l) => l.kind === 'giftcard').map((l) => l.points)).toEqual(amounts.map(() => 0));
          expect(sum(sale.lines.map((l) => l.points))).toBe(priced.quote.pointsEarned);
        },
      ),
      { numRuns: 60 },
    );
  });
});
