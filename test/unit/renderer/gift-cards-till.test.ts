/**
 * Gift cards at the till, without a browser:
 * - the till's view of a card on real RxDB + Dexie (fake-indexeddb): a card sold here shows its balance at once, a
 *   sale paid with it and a return of that sale move it, and once the server's state of the card counts this
 *   database's sales (its mark) they are not counted twice; a card nobody sold is empty;
 * - the pay dialog's decisions (features/sale/gift-card-tender.ts): what a card may pay (its balance, the offline
 *   cap, what is due, the goods left after the eWallet and other cards), and each refusal with its code;
 * - the gift card dialog's checks of an amount put on a card (the smallest load, the card's room);
 * - the sale session's gift card lines, the basket kept across a restart with only gift cards on it;
 * - what a return gives back to each gift card (features/returns/refund-tenders.ts), before cash, after the wallet,
 *   each card at most what it paid, and nothing for the gift cards the sale sold;
 * - the scan channel that hands a scanned card to the dialog open.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RefDoc, SaleDoc } from '../../../shared/documents';
import { type BasketLine, type Program } from '../../../shared/engine';
import { checkedCode } from '../../../shared/check-code';
import { giftCardRefId, type GiftCardState } from '../../../shared/gift-cards';
import { createTillDatabase, type TillDatabase } from '../../../src-renderer/src/db/database';
import { giftCardViewOf, giftCardViews } from '../../../src-renderer/src/db/gift-cards';
import { recordReturn } from '../../../src-renderer/src/db/returns';
import { recordSale, tillEpoch } from '../../../src-renderer/src/db/sales';
import { refundTenders } from '../../../src-renderer/src/features/returns/refund-tenders';
import { basketKeeper, loadKeptBasket } from '../../../src-renderer/src/features/sale/basket-store';
import {
  giftCardLoadProblem,
  giftCardProblemOf,
  giftCardTenderRoom,
  takeGiftCardTender,
  type GiftCardSale,
} from '../../../src-renderer/src/features/sale/gift-card-tender';
import { scanChannel } from '../../../src-renderer/src/features/sale/scan-channel';
import { newSession, saleEmpty, saleSession } from '../../../src-renderer/src/features/sale/session';
import { nodeTillStorage } from '../../support/node-storage';
import { KassaError } from '../../../shared/errors';
import { coffeeLine, supermarketProgram } from '../../support/till-fixtures';

const TZ = 'Europe/Amsterdam';
const program: Program = supermarketProgram((json) => ({
  ...json,
  giftCards: {
    prefix: 'GIFT',
    minLoadMinor: 500,
    maxBalanceMinor: 30_000,
    validMonths: 24,
    offlineSpendCapPerDayMinor: 5_000,
  },
}));

function giftCard(seed: number): string {
  let i = 0;
  return checkedCode('GIFT', (m) => (seed * 11 + i++ * 5) % m);
}
const NEW = giftCard(1);
const OTHER = giftCard(2);

const coffee: BasketLine = coffeeLine();
const till = { tillId: 'till-1', storeId: 'store-1', cashierId: 'cashier-1', memberSeq: null };

function card(number: string, balanceMinor: number, over: Partial<GiftCardState> = {}): GiftCardState {
  return {
    number,
    programId: program.id,
    balanceMinor,
    validUntil: '2028-12-01',
    issuedAt: '2026-11-01T10:00:00.000Z',
    spentToday: null,
    tillMarks: {},
    ...over,
  };
}

describe("the till's view of a gift card", () => {
  let db: TillDatabase;
  beforeAll(async () => {
    db = await createTillDatabase({ name: `unit-gift-${Date.now()}`, storage: nodeTillStorage() });
  });
  afterAll(async () => db?.close());
  const view = (n: string) => giftCardViewOf(db, program, TZ, n);

  it('a card sold here, spent here and refunded here, counted once the server has it', async () => {
    expect(await view(NEW)).toMatchObject({ balanceMinor: 0, issuedAt: null, validUntil: null });
    // Sold for 25.00 on a sale of nothing else, with no member.
    const sold = await recordSale(
      db,
      { program, member: null, basket: [], at: '', timeZone: TZ },
      {
        ...till,
        tenders: [{ kind: 'cash', amountMinor: 2_500 }],
        giftCardLoads: [{ giftCard: NEW, amountMinor: 2_500 }],
        giftCards: await giftCardViews(db, program, TZ, [NEW]),
        at: '2026-12-07T10:00:00.000Z',
      },
    );
    expect(sold.receiptNo).toBe(1);
    expect(await view(NEW)).toMatchObject({ balanceMinor: 2_500, validUntil: '2028-12-07' });
    expect((await view(OTHER)).balanceMinor).toBe(0);

    // The coffee paid from it.
    const paid = await recordSale(
      db,
      { program, member: null, basket: [coffee], at: '', timeZone: TZ },
      {
        ...till,
        tenders: [{ kind: 'giftcard', amountMinor: 699, giftCard: NEW }],
        giftCards: await giftCardViews(db, program, TZ, [NEW]),
        at: '2026-12-07T11:00:00.000Z',
      },
    );
    expect((await view(NEW)).balanceMinor).toBe(1_801);

    // The server's state counts this database's sales up to the first one: the second is added, the first not again.
    const epoch = await tillEpoch(db);
    const [first] = await db.journal.find({ selector: { kind: 'sale' }, sort: [{ tillSeq: 'asc' }] }).exec();
    const server = card(NEW, 2_500, { validUntil: '2028-12-07', tillMarks: { [epoch]: first!.tillSeq } });
    const ref: Omit<RefDoc, '_deleted'> = {
      id: giftCardRefId(program.id, NEW),
      kind: 'giftcard',
      key: `${program.id}:${NEW}`,
      data: server,
      seq: 1,
    };
    await db.refdata.insert(ref);
    expect((await view(NEW)).balanceMinor).toBe(1_801);
    // Another database's mark says nothing about this one's sales (the server has 30.00 from elsewhere).
    await (await db.refdata.findOne(ref.id).exec())!.incrementalPatch({
      data: { ...server, balanceMinor: 5_500, tillMarks: { other: 99, [epoch]: first!.tillSeq } },
    });
    expect((await view(NEW)).balanceMinor).toBe(4_801);

    // The coffee returned: the 6.99 goes back to the card.
    const back = await recordReturn(db, {
      key: { kind: 'sale', saleId: paid.saleId },
      picked: [{ lineId: 'L1', quantity: 1 }],
      ctx: { ...till, role: 'cashier', offline: false },
      lookup: null,
      supervisorApproved: false,
    });
    expect(back.plan.tenders).toEqual([{ kind: 'giftcard', amountMinor: 699, giftCard: NEW }]);
    const stored = (await db.journal.findOne(back.plan.returnId).exec())!.toJSON() as SaleDoc;
    expect(stored.body.tenders).toEqual([{ kind: 'giftcard', amountMinor: -699, giftCard: NEW }]);
    expect((await view(NEW)).balanceMinor).toBe(5_500);
  });

  it('a sale the card cannot pay is refused before anything is written', async () => {
    const before = (await db.journal.find().exec()).length;
    await expect(
      recordSale(
        db,
        { program, member: null, basket: [coffee], at: '', timeZone: TZ },
        {
          ...till,
          tenders: [{ kind: 'giftcard', amountMinor: 699, giftCard: OTHER }],
          giftCards: await giftCardViews(db, program, TZ, [OTHER]),
        },
      ),
    ).rejects.toMatchObject({ code: 'GIFT_CARD_UNKNOWN' });
    expect((await db.journal.find().exec()).length).toBe(before);
  });
});

describe('what a gift card may pay of the sale', () => {
  const at = '2026-12-07T10:00:00.000Z';
  const sale = (over: Partial<GiftCardSale> = {}): GiftCardSale => ({
    program,
    totalMinor: 3_000,
    goodsMinor: 3_000,
    tenders: [],
    loads: [],
    ctx: { offline: false, at, timeZone: TZ },
    ...over,
  });

  it('defaults to the least of its balance, what is due and the goods left', () => {
    expect(takeGiftCardTender(sale(), card(NEW, 5_000), null)).toEqual({
      ok: true,
      tender: { kind: 'giftcard', amountMinor: 3_000, giftCard: NEW },
    });
    expect(takeGiftCardTender(sale(), card(NEW, 1_250), null)).toMatchObject({ tender: { amountMinor: 1_250 } });
    // 10.00 of the 30.00 is a gift card sold on the sale: the card pays the 20.00 of goods only.
    const withLoad = sale({ totalMinor: 3_000, goodsMinor: 2_000, loads: [{ giftCard: OTHER, amountMinor: 1_000 }] });
    expect(takeGiftCardTender(withLoad, card(NEW, 5_000), null)).toMatchObject({ tender: { amountMinor: 2_000 } });
    expect(takeGiftCardTender(withLoad, card(NEW, 5_000), 2_500)).toEqual({
      ok: false,
      problem: { code: 'GIFT_CARD_BAD_AMOUNT', why: 'goods-only' },
    });
    // What the eWallet and another card paid is no longer goods to pay.
    const shared = sale({
      tenders: [
        { kind: 'wallet', amountMinor: 1_000 },
        { kind: 'giftcard', amountMinor: 1_500, giftCard: OTHER },
      ],
    });
    expect(giftCardTenderRoom(shared, card(NEW, 5_000))).toEqual({ ok: true, spendableMinor: 5_000, maxMinor: 500 });
    // Several tenders from one card spend its balance once.
    const again = sale({ tenders: [{ kind: 'giftcard', amountMinor: 1_000, giftCard: NEW }] });
    expect(giftCardTenderRoom(again, card(NEW, 1_200))).toEqual({ ok: true, spendableMinor: 200, maxMinor: 200 });
  });

  it('refuses with a code, whatever is wrong', () => {
    const refused = (s: GiftCardSale, c: GiftCardState, given: number | null) => {
      const r = takeGiftCardTender(s, c, given);
      return r.ok ? null : r.problem;
    };
    expect(refused(sale(), card(NEW, 0, { issuedAt: null, validUntil: null }), null)).toEqual({
      code: 'GIFT_CARD_UNKNOWN',
    });
    expect(refused(sale(), card(NEW, 5_000, { validUntil: '2026-12-06' }), null)).toEqual({
      code: 'GIFT_CARD_EXPIRED',
      validUntil: '2026-12-06',
    });
    expect(refused(sale(), card(NEW, 0), null)).toEqual({ code: 'GIFT_CARD_INSUFFICIENT', spendableMinor: 0 });
    expect(refused(sale(), card(NEW, 1_000), 1_500)).toEqual({ code: 'GIFT_CARD_INSUFFICIENT', spendableMinor: 1_000 });
    // Offline, 50.00 a day: 40.00 spent today leaves 10.00, though the card holds 200.00.
    const offline = sale({ ctx: { offline: true, at, timeZone: TZ } });
    const spent = card(NEW, 20_000, { spentToday: { date: '2026-12-07', minor: 4_000 } });
    expect(giftCardTenderRoom(offline, spent)).toEqual({ ok: true, spendableMinor: 1_000, maxMinor: 1_000 });
    expect(refused(offline, spent, 1_500)).toEqual({ code: 'GIFT_CARD_OFFLINE_CAP', spendableMinor: 1_000 });
    const capped = card(NEW, 20_000, { spentToday: { date: '2026-12-07', minor: 5_000 } });
    expect(refused(offline, capped, null)).toEqual({ code: 'GIFT_CARD_OFFLINE_CAP', spendableMinor: 0 });
    // Yesterday's spending does not count today.
    const yesterday = card(NEW, 20_000, { spentToday: { date: '2026-12-06', minor: 5_000 } });
    expect(giftCardTenderRoom(offline, yesterday)).toMatchObject({ spendableMinor: 5_000 });
    expect(refused(sale({ loads: [{ giftCard: NEW, amountMinor: 1_000 }] }), card(NEW, 5_000), null)).toEqual({
      code: 'GIFT_CARD_BAD_AMOUNT',
      why: 'loaded-here',
    });
    expect(refused(sale(), card(NEW, 5_000), 3_001)).toEqual({ code: 'TENDER_OVER_DUE' });
    expect(refused(sale(), card(NEW, 5_000), 0)).toEqual({ code: 'TENDER_NOT_POSITIVE' });
    expect(refused(sale({ tenders: [{ kind: 'cash', amountMinor: 3_000 }] }), card(NEW, 5_000), null)).toEqual({
      code: 'SALE_COVERED',
    });
    expect(refused(sale({ program: { ...program, giftCards: null } }), card(NEW, 5_000), null)).toEqual({
      code: 'GIFT_CARD_NOT_OFFERED',
    });
  });
});

describe('what a sale may put on a gift card', () => {
  it('from the smallest load up to the room the card has left', () => {
    expect(giftCardLoadProblem(program, card(NEW, 0, { issuedAt: null }), 500)).toBeNull();
    expect(giftCardLoadProblem(program, card(NEW, 0, { issuedAt: null }), 499)).toEqual({
      code: 'GIFT_CARD_BAD_AMOUNT',
      why: 'min',
      minLoadMinor: 500,
    });
    expect(giftCardLoadProblem(program, card(NEW, 28_000), 2_000)).toBeNull();
    expect(giftCardLoadProblem(program, card(NEW, 28_000), 2_001)).toEqual({
      code: 'GIFT_CARD_OVER_LIMIT',
      roomMinor: 2_000,
    });
  });

  it("reads the shared check's refusals by their codes", () => {
    expect(giftCardProblemOf(new KassaError('GIFT_CARD_BAD_AMOUNT', 'x', { why: 'goods-only' }))).toEqual({
      code: 'GIFT_CARD_BAD_AMOUNT',
      why: 'goods-only',
    });
    expect(
      giftCardProblemOf(new KassaError('GIFT_CARD_BAD_AMOUNT', 'x', { number: NEW, why: 'loaded-here' })),
    ).toMatchObject({ why: 'loaded-here' });
    // A refusal that says no reason reads as an amount to type again.
    expect(giftCardProblemOf(new KassaError('GIFT_CARD_BAD_AMOUNT', 'x'))).toEqual({
      code: 'GIFT_CARD_BAD_AMOUNT',
      why: 'whole',
    });
    expect(giftCardProblemOf(new KassaError('WALLET_BAD_AMOUNT', 'x'))).toBeNull();
    expect(giftCardProblemOf(new Error('x'))).toBeNull();
  });
});

describe('gift cards on the sale', () => {
  it('each card once, its amount replaced, taken off with 0; no member needed; a sale of gift cards is paid', () => {
    let s = saleSession(newSession(), { type: 'set-gift-card', giftCard: NEW, amountMinor: 2_500 });
    s = saleSession(s, { type: 'set-gift-card', giftCard: OTHER, amountMinor: 1_000 });
    s = saleSession(s, { type: 'set-gift-card', giftCard: NEW, amountMinor: 5_000 });
    expect(s.giftCardLoads).toEqual([
      { giftCard: NEW, amountMinor: 5_000 },
      { giftCard: OTHER, amountMinor: 1_000 },
    ]);
    expect(saleSession(s, { type: 'set-gift-card', giftCard: NEW, amountMinor: -1 })).toBe(s);
    expect(saleSession(s, { type: 'clear-member' }).giftCardLoads).toHaveLength(2);
    expect(saleEmpty(s)).toBe(false);
    const paying = saleSession(s, { type: 'open-pay' });
    expect(paying.phase).toBe('paying');
    expect(saleSession(paying, { type: 'set-gift-card', giftCard: NEW, amountMinor: 0 })).toBe(paying);
    s = saleSession(s, { type: 'set-gift-card', giftCard: NEW, amountMinor: 0 });
    s = saleSession(s, { type: 'set-gift-card', giftCard: OTHER, amountMinor: 0 });
    expect(saleEmpty(s)).toBe(true);
    expect(saleSession(s, { type: 'open-pay' }).phase).toBe('selling');
    expect(saleSession(paying, { type: 'completed' }).giftCardLoads).toEqual([]);
  });

  it('a basket of gift cards only is kept across a restart', async () => {
    const db = await createTillDatabase({ name: `unit-gift-kept-${Date.now()}`, storage: nodeTillStorage() });
    try {
      const keeper = basketKeeper(db);
      keeper.keep(saleSession(newSession(), { type: 'set-gift-card', giftCard: NEW, amountMinor: 2_500 }));
      await keeper.flushed();
      const kept = await loadKeptBasket(db);
      expect(kept).toMatchObject({ kind: 'restored', session: { giftCardLoads: [{ giftCard: NEW }] } });
      keeper.keep(newSession());
      await keeper.flushed();
      expect(await loadKeptBasket(db)).toEqual({ kind: 'none' });
    } finally {
      await db.close();
    }
  });
});

describe('what a return gives back to gift cards', () => {
  const lines = (giftCardMinor: number) =>
    giftCardMinor > 0
      ? [
          {
            lineId: 'gift1',
            kind: 'giftcard' as const,
            productId: 'gift-card',
            ean: '',
            name: 'Gift card',
            quantity: 1,
            grams: null,
            unit: 'each' as const,
            tags: [],
            unitPriceMinor: giftCardMinor,
            amountMinor: giftCardMinor,
            discountMinor: 0,
            points: 0,
            categoryId: 'stored-value',
            giftCard: OTHER,
          },
        ]
      : [];

  it('after the card and the wallet, before cash; each card what it paid, less earlier returns', () => {
    const tenders = [
      { kind: 'cash' as const, amountMinor: 1_000 },
      { kind: 'giftcard' as const, amountMinor: 700, giftCard: NEW },
      { kind: 'giftcard' as const, amountMinor: 300, giftCard: OTHER },
      { kind: 'wallet' as const, amountMinor: 200 },
    ];
    expect(refundTenders({ tenders }, [], 2_200)).toEqual([
      { kind: 'wallet', amountMinor: 200 },
      { kind: 'giftcard', amountMinor: 700, giftCard: NEW },
      { kind: 'giftcard', amountMinor: 300, giftCard: OTHER },
      { kind: 'cash', amountMinor: 1_000 },
    ]);
    // An earlier return gave the first card its 7.00 back: the wallet, the second card, then cash.
    const prior = [{ tenders: [{ kind: 'giftcard' as const, amountMinor: -700, giftCard: NEW }] }];
    expect(refundTenders({ tenders }, prior, 900)).toEqual([
      { kind: 'wallet', amountMinor: 200 },
      { kind: 'giftcard', amountMinor: 300, giftCard: OTHER },
      { kind: 'cash', amountMinor: 400 },
    ]);
  });

  it('never gives back what paid for a gift card the sale sold', () => {
    // 30.00 in cash paid a 20.00 gift card and 10.00 of goods: a return of the goods gives 10.00, no more.
    const sale = { tenders: [{ kind: 'cash' as const, amountMinor: 3_000 }], lines: lines(2_000) };
    expect(refundTenders(sale, [], 1_000)).toEqual([{ kind: 'cash', amountMinor: 1_000 }]);
    expect(() => refundTenders(sale, [], 1_001)).toThrow(KassaError);
  });
});

describe('the scan channel', () => {
  it('hands a scan to the dialog listening, or to the next one to listen; one scan twice is two', () => {
    const channel = scanChannel();
    const taken: string[] = [];
    channel.send('A');
    channel.send('B');
    const stop = channel.listen((s) => taken.push(s));
    channel.send('C');
    channel.send('C');
    stop();
    channel.send('D');
    expect(taken).toEqual(['B', 'C', 'C']);
  });
});
