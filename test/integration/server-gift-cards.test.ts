/**
 * Gift cards under the server's authority, over real HTTP on PGlite and a real PostgreSQL: an anonymous sale sells a
 * card and every till hears what it holds; another till pays part of it; a push sent again changes nothing; two
 * offline tills spending the same money are both booked and the card is flagged (gift-card-overdraft); a member's
 * sale with gift cards is re-checked on its goods alone; a payment from a card nobody sold or an expired one is
 * booked and flagged; a malformed gift card sale is parked with its code and moves no card; a return gives back to
 * the card what the sale paid from it, and no more; an operator's replay of a parked return books its card
 * money once; head office reads a card (or a coded 400/401/404) and the
 * liability CSV. After each: the till's view is the server's card.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { monotonicFactory } from 'ulid';
import type { JournalDoc, SaleBody, SaleDoc } from '../../shared/documents';
import { addMonths, localDate } from '../../shared/engine/time';
import { emptyGiftCard, type GiftCardState } from '../../shared/gift-cards';
import { returnLines } from '../../shared/returns';
import { checkedJournalDoc, giftCardLine } from '../../shared/sale-journal';
import { demoCouponCode, demoGiftCardNumber, demoUlid } from '../../src-server/seed';
import { saleDoc } from '../support/journal';
import { callApi, postgresUrl, startHarness, type Backend, type Harness } from '../support/server-harness';
import { TestTill } from '../support/test-till';

const backends: Backend[] = postgresUrl() ? ['pglite', 'postgres'] : ['pglite'];
const nextId = monotonicFactory();
const ADMIN = 'Bearer test-admin';
const CARDS = '/api/v1/admin/programs/supermarket/gift-cards';
const COFFEE = 'p-011'; // Ground coffee 500 g, 6.99
const TIME_ZONE = 'Europe/Amsterdam';

type CardReply = {
  card: GiftCardState;
  moves: Array<{ saleId: string; tillId: string; at: string; loadMinor: number; paidMinor: number }>;
};

async function card(h: Harness, number: string): Promise<CardReply> {
  const r = await callApi(h.url, 'GET', `${CARDS}/${number}`, ADMIN);
  expect(r.status).toBe(200);
  return r.body as unknown as CardReply;
}

async function refDoc(h: Harness, number: string): Promise<{ data: unknown; seq: number } | null> {
  const [r] = await h.db.query<{ data: unknown; seq: string | number }>(
    "SELECT data, seq FROM refdata WHERE id = 'giftcard:supermarket:' || $1",
    [number],
  );
  return r ? { data: r.data, seq: Number(r.seq) } : null;
}

async function flags(h: Harness, kind: string): Promise<Array<{ ref_id: string; detail: unknown }>> {
  return h.db.query('SELECT ref_id, detail FROM review_flags WHERE kind = $1 ORDER BY id', [kind]);
}

async function status(h: Harness, saleId: string): Promise<string> {
  const [r] = await h.db.query<{ check_status: string }>('SELECT check_status FROM sales WHERE id = $1', [saleId]);
  return r!.check_status;
}

function sale(docs: readonly JournalDoc[]): SaleDoc {
  const [d] = docs;
  if (d?.kind !== 'sale') throw new Error('a sale first');
  return d;
}

/** A hand-made anonymous sale of `till` (for what a till must not send), changed by `change`. */
function handMade(till: TestTill, change: (body: SaleBody) => SaleBody): SaleDoc {
  const base = sale([saleDoc({ tillId: till.tillId, tillSeq: till.nextSeq(), memberId: null })]);
  return { ...base, body: change(base.body) };
}

/** An anonymous return of `picked` lines of `original`, its money going back as `tenders` (negative amounts). */
function returnOf(
  till: TestTill,
  original: SaleDoc,
  prior: readonly SaleDoc[],
  picked: Array<{ lineId: string; quantity: number }>,
  tenders: SaleBody['tenders'],
): SaleDoc {
  const id = nextId();
  const built = returnLines({ sale: original.body, returnId: id, priorReturns: prior.map((r) => r.body), picked });
  const total = built.lines.reduce((s, l) => s + l.amountMinor, 0);
  const doc = checkedJournalDoc(
    {
      id,
      kind: 'sale',
      tillId: till.tillId,
      tillSeq: till.nextSeq(),
      at: new Date().toISOString(),
      memberId: '',
      body: {
        ...original.body,
        lines: built.lines,
        subtotalMinor: total,
        discountMinor: 0,
        totalMinor: total,
        tenders,
        redeem: null,
        refundOf: original.id,
        receiptNo: null,
        entryIds: [],
        effects: null,
      },
    },
    'return',
  );
  till.write(doc);
  return sale([doc]);
}

describe.each(backends)('gift cards on %s', (backend) => {
  let h: Harness & { tokens: string[] };
  let a: TestTill;
  let b: TestTill;
  // A card on the rack, sold in the first test and spent on in the next ones.
  const number = demoGiftCardNumber(10);

  beforeAll(async () => {
    h = await startHarness(backend, ['GIFT-TILL-1', 'GIFT-TILL-2']);
    a = new TestTill(h.url, h.tokens[0]!, 'till-1');
    b = new TestTill(h.url, h.tokens[1]!, 'till-2');
    await a.sync();
    await b.sync();
  });
  afterAll(async () => h?.close());

  it('the demo’s sold cards reach the tills with their balance and validity', () => {
    const sold = a.giftCards.get(demoGiftCardNumber(0));
    expect(sold).toMatchObject({ balanceMinor: 5_000, validUntil: '2028-11-01', issuedAt: '2026-11-01T12:00:00.000Z' });
    expect(a.giftCard(demoGiftCardNumber(1)).balanceMinor).toBe(1_250);
  });

  it('an anonymous sale sells a card: the ledger books it and every till hears what it holds', async () => {
    const docs = a.sell(null, [[COFFEE]], { giftCardLoads: [{ giftCard: number, amountMinor: 2_500 }] });
    const sold = sale(docs);
    expect([sold.body.totalMinor, sold.body.lines.map((l) => [l.kind, l.points])]).toEqual([
      3_199,
      [
        ['item', 0],
        ['giftcard', 0],
      ],
    ]);
    // The till counts its own sale until the server's card has it.
    expect(a.giftCard(number).balanceMinor).toBe(2_500);
    const [reply] = await a.pushAll();
    expect(reply!.parked).toEqual([]);
    expect(await status(h, sold.id)).toBe('anonymous');
    const { card: booked, moves } = await card(h, number);
    expect(booked).toEqual({
      number,
      programId: 'supermarket',
      balanceMinor: 2_500,
      validUntil: addMonths(localDate(sold.at, TIME_ZONE), 24),
      issuedAt: sold.at,
      spentToday: null,
      tillMarks: { [a.epoch]: sold.tillSeq },
    });
    expect(moves).toEqual([{ saleId: sold.id, tillId: 'till-1', at: sold.at, loadMinor: 2_500, paidMinor: 0 }]);
    expect((await refDoc(h, number))?.data).toEqual(booked);
    // Once it pulls, the till sees the server's card and no longer adds its sale (it is under the mark).
    await a.pull();
    expect(a.giftCards.get(number)).toEqual(booked);
    expect(a.giftCard(number)).toEqual(booked);
  });

  it('another till pays part of it; the same push again changes nothing', async () => {
    await b.pull();
    expect(b.giftCard(number).balanceMinor).toBe(2_500);
    const docs = b.sell(null, [[COFFEE, 2]], { giftCardTenders: [{ giftCard: number, amountMinor: 1_000 }] });
    expect(sale(docs).body.tenders).toEqual([
      { kind: 'giftcard', amountMinor: 1_000, giftCard: number },
      { kind: 'cash', amountMinor: 398 },
    ]);
    const viewB = b.giftCard(number);
    await b.pushAll();
    const after = await card(h, number);
    expect(after.card.balanceMinor).toBe(1_500);
    expect(after.card.tillMarks[b.epoch]).toBe(sale(docs).tillSeq);
    expect(after.card).toEqual({ ...viewB, tillMarks: after.card.tillMarks });
    expect(after.moves.map((m) => [m.tillId, m.loadMinor, m.paidMinor])).toEqual([
      ['till-1', 2_500, 0],
      ['till-2', 0, 1_000],
    ]);
    const doc = await refDoc(h, number);
    const again = await b.pushDocs(docs);
    expect([again.status, (again.body as { duplicates: number }).duplicates]).toEqual([200, docs.length]);
    expect(await card(h, number)).toEqual(after);
    expect(await refDoc(h, number)).toEqual(doc);
  });

  it('two offline tills spending the same money are both booked; the card goes below zero and is flagged', async () => {
    await a.pull();
    await b.pull();
    // Offline, each till lets 12.00 go of the 15.00 (the day's cap of 50.00 counts the 10.00 spent online).
    const first = sale(
      a.sell(null, [[COFFEE, 2]], { giftCardTenders: [{ giftCard: number, amountMinor: 1_200 }], offline: true }),
    );
    const second = sale(
      b.sell(null, [[COFFEE, 2]], { giftCardTenders: [{ giftCard: number, amountMinor: 1_200 }], offline: true }),
    );
    expect(a.giftCard(number).balanceMinor).toBe(300);
    await a.pushAll();
    expect(await flags(h, 'gift-card-overdraft')).toEqual([]);
    const [reply] = await b.pushAll();
    expect(reply!.parked).toEqual([]);
    expect((await card(h, number)).card.balanceMinor).toBe(-900);
    expect(await flags(h, 'gift-card-overdraft')).toEqual([
      { ref_id: second.id, detail: { number, balanceMinor: -900 } },
    ]);
    expect([await status(h, first.id), await status(h, second.id)]).toEqual(['anonymous', 'anonymous']);
    // Back online: nothing to spend until a reload covers the debt.
    await a.pull();
    expect(a.giftCard(number)).toEqual((await card(h, number)).card);
    expect(() => a.sell(null, [[COFFEE]], { giftCardTenders: [{ giftCard: number, amountMinor: 100 }] })).toThrow(
      /holds 0/,
    );
    a.sell(null, [[COFFEE]], { giftCardLoads: [{ giftCard: number, amountMinor: 2_000 }] });
    await a.pushAll();
    expect((await card(h, number)).card.balanceMinor).toBe(1_100);
  });

  it('a member’s sale with gift cards is re-checked on its goods alone', async () => {
    await b.pull();
    const m = demoUlid(5);
    const fresh = demoGiftCardNumber(15);
    const docs = b.sell(m, [[COFFEE]], {
      giftCardLoads: [{ giftCard: fresh, amountMinor: 1_000 }],
      giftCardTenders: [{ giftCard: demoGiftCardNumber(1), amountMinor: 500 }],
    });
    const sold = sale(docs);
    const goods = sold.body.lines.filter((l) => l.kind === 'item');
    expect(sold.body.totalMinor).toBe(1_699);
    const [reply] = await b.pushAll();
    expect(reply!.parked).toEqual([]);
    expect(await status(h, sold.id)).toBe('verified');
    const [earned] = await h.db.query<{ points: string | number }>(
      'SELECT sum(points) AS points FROM ledger_entries WHERE sale_id = $1 AND effective',
      [sold.id],
    );
    expect(Number(earned!.points)).toBe(goods.reduce((s, l) => s + l.points, 0));
    expect((await card(h, fresh)).card.balanceMinor).toBe(1_000);
    expect((await card(h, demoGiftCardNumber(1))).card.balanceMinor).toBe(750);
  });

  it('a payment from a card nobody sold, or from an expired one, is booked and flagged', async () => {
    // A till that believes in a card the server never sold.
    const unsold = demoGiftCardNumber(11);
    b.giftCards.set(unsold, {
      ...emptyGiftCard(unsold, 'supermarket'),
      balanceMinor: 1_000,
      issuedAt: new Date().toISOString(),
    });
    const paid = sale(b.sell(null, [[COFFEE]], { giftCardTenders: [{ giftCard: unsold, amountMinor: 500 }] }));
    await b.pushAll();
    expect((await card(h, unsold)).card).toMatchObject({ balanceMinor: -500, issuedAt: null });
    expect(await flags(h, 'gift-card-unknown')).toEqual([
      { ref_id: paid.id, detail: { number: unsold, paidMinor: 500 } },
    ]);
    expect((await flags(h, 'gift-card-overdraft')).map((f) => f.ref_id)).not.toContain(paid.id);
    await b.pull();
    expect(b.giftCard(unsold).issuedAt).toBeNull();

    // A card sold 26 months ago (valid 24), paid from by a till that missed its expiry.
    const old = demoGiftCardNumber(12);
    const longAgo = new Date(Date.now() - 800 * 86_400_000).toISOString();
    a.sell(null, [[COFFEE]], { giftCardLoads: [{ giftCard: old, amountMinor: 1_000 }], at: longAgo });
    await a.pushAll();
    const { card: expired } = await card(h, old);
    expect(expired.validUntil).toBe(addMonths(localDate(longAgo, TIME_ZONE), 24));
    await b.pull();
    expect(() => b.sell(null, [[COFFEE]], { giftCardTenders: [{ giftCard: old, amountMinor: 500 }] })).toThrow(
      /expired/,
    );
    b.giftCards.set(old, { ...expired, validUntil: null });
    const late = sale(b.sell(null, [[COFFEE]], { giftCardTenders: [{ giftCard: old, amountMinor: 500 }] }));
    await b.pushAll();
    expect((await card(h, old)).card.balanceMinor).toBe(500);
    expect(await flags(h, 'gift-card-expired')).toEqual([
      { ref_id: late.id, detail: { number: old, validUntil: expired.validUntil, paidMinor: 500 } },
    ]);
  });

  it('a malformed gift card sale is parked with its code and moves no card', async () => {
    await a.pull();
    const before = await card(h, number);
    const coffee = sale(a.sell(null, [[COFFEE]]));
    await a.pushAll();
    // A gift card line in a return: parked; the card keeps its money, its mark passes the return.
    const inReturn = a.write(
      handMade(a, () => ({
        ...coffee.body,
        lines: [giftCardLine({ giftCard: number, amountMinor: 500 }, 1)],
        subtotalMinor: 500,
        totalMinor: 500,
        tenders: [{ kind: 'cash', amountMinor: 500 }],
        refundOf: coffee.id,
      })),
    )[0]!;
    // A coupon's code where a gift card number goes; a gift card line of 0.00.
    const coupon = demoCouponCode(7);
    const badNumber = a.write(
      handMade(a, (body) => ({
        ...body,
        tenders: [{ kind: 'giftcard', amountMinor: body.totalMinor, giftCard: coupon }],
      })),
    )[0]!;
    const zero = demoGiftCardNumber(13);
    const zeroLine = a.write(
      handMade(a, (body) => ({ ...body, lines: [...body.lines, giftCardLine({ giftCard: zero, amountMinor: 0 }, 1)] })),
    )[0]!;
    const [reply] = await a.pushAll();
    expect(reply!.parked.map((p) => [p.id, p.code])).toEqual([
      [inReturn.id, 'GIFT_CARD_IN_RETURN'],
      [badNumber.id, 'GIFT_CARD_BAD_NUMBER'],
      [zeroLine.id, 'GIFT_CARD_LINE_INVALID'],
    ]);
    const after = await card(h, number);
    expect(after.moves).toEqual(before.moves);
    expect(after.card).toEqual({
      ...before.card,
      tillMarks: { ...before.card.tillMarks, [a.epoch]: inReturn.tillSeq },
    });
    expect(await flags(h, 'gift-card-parked')).toEqual([
      { ref_id: inReturn.id, detail: { number, code: 'GIFT_CARD_IN_RETURN' } },
    ]);
    expect(await h.db.query('SELECT number FROM gift_cards WHERE number = ANY($1::text[])', [[coupon, zero]])).toEqual(
      [],
    );
    await a.pull();
    expect(a.giftCard(number)).toEqual(after.card);
  });

  it('a return gives back to the card what the sale paid from it, and no more', async () => {
    const gift = demoGiftCardNumber(14);
    a.sell(null, [[COFFEE]], { giftCardLoads: [{ giftCard: gift, amountMinor: 3_000 }] });
    await a.pushAll();
    await a.pull();
    // 3 × 6.99: 10.00 from the card, the rest in cash; all of it comes back, 10.00 of it to the card.
    const paid = sale(a.sell(null, [[COFFEE, 3]], { giftCardTenders: [{ giftCard: gift, amountMinor: 1_000 }] }));
    const full = returnOf(
      a,
      paid,
      [],
      [{ lineId: 'L0001', quantity: 3 }],
      [
        { kind: 'giftcard', amountMinor: -1_000, giftCard: gift },
        { kind: 'cash', amountMinor: -1_097 },
      ],
    );
    await a.pushAll();
    expect(await status(h, full.id)).toBe('return-verified');
    const back = await card(h, gift);
    expect(back.card.balanceMinor).toBe(3_000);
    expect(back.moves.slice(1).map((m) => [m.saleId, m.paidMinor])).toEqual([
      [paid.id, 1_000],
      [full.id, -1_000],
    ]);

    // 5.00 from the card: a first return gives those 5.00 back, a second one may give the card nothing more.
    const split = sale(a.sell(null, [[COFFEE, 3]], { giftCardTenders: [{ giftCard: gift, amountMinor: 500 }] }));
    const one = returnOf(
      a,
      split,
      [],
      [{ lineId: 'L0001', quantity: 1 }],
      [
        { kind: 'giftcard', amountMinor: -500, giftCard: gift },
        { kind: 'cash', amountMinor: -199 },
      ],
    );
    const more = returnOf(
      a,
      split,
      [one],
      [{ lineId: 'L0001', quantity: 1 }],
      [
        { kind: 'giftcard', amountMinor: -1, giftCard: gift },
        { kind: 'cash', amountMinor: -698 },
      ],
    );
    const [reply] = await a.pushAll();
    expect(reply!.parked.map((p) => [p.id, p.code])).toEqual([[more.id, 'RETURN_TENDERS_MISMATCH']]);
    expect(await status(h, one.id)).toBe('return-verified');
    expect((await card(h, gift)).card.balanceMinor).toBe(3_000);
    expect((await flags(h, 'return-parked')).map((f) => f.ref_id)).toEqual([more.id]);
    await a.pull();
    expect(a.giftCard(gift).balanceMinor).toBe(3_000);
  });

  it('an operator replays a parked return: its gift card money is booked once, and every till hears of it', async () => {
    const gift = demoGiftCardNumber(16);
    a.sell(null, [[COFFEE]], { giftCardLoads: [{ giftCard: gift, amountMinor: 2_000 }] });
    await a.pushAll();
    await a.pull();
    // 5.00 from the card; the return gives 6.00 back to it: parked, the card keeps 15.00.
    const paid = sale(a.sell(null, [[COFFEE, 2]], { giftCardTenders: [{ giftCard: gift, amountMinor: 500 }] }));
    const over = returnOf(
      a,
      paid,
      [],
      [{ lineId: 'L0001', quantity: 2 }],
      [
        { kind: 'giftcard', amountMinor: -600, giftCard: gift },
        { kind: 'cash', amountMinor: -798 },
      ],
    );
    const [reply] = await a.pushAll();
    expect(reply!.parked.map((p) => [p.id, p.code])).toEqual([[over.id, 'RETURN_TENDERS_MISMATCH']]);
    expect((await card(h, gift)).card.balanceMinor).toBe(1_500);
    const before = await refDoc(h, gift);

    const [item] = await h.db.query<{ id: string }>('SELECT id FROM parked_docs WHERE doc_id = $1', [over.id]);
    const path = `/api/v1/admin/parked/${item!.id}/replay`;
    const replay = await callApi(h.url, 'POST', path, ADMIN, { note: 'customer showed the card slip' });
    expect([replay.status, replay.body.status]).toEqual([200, 'replayed']);
    const after = await card(h, gift);
    expect(after.card.balanceMinor).toBe(2_100);
    expect(after.moves.map((m) => [m.saleId, m.loadMinor, m.paidMinor]).slice(-2)).toEqual([
      [paid.id, 0, 500],
      [over.id, 0, -600],
    ]);
    expect(await status(h, over.id)).toBe('replayed');
    // Its reference document moved on, so the till's view is the server's card.
    expect((await refDoc(h, gift))!.seq).toBeGreaterThan(before!.seq);
    await a.pull();
    expect(a.giftCard(gift)).toEqual(after.card);

    // Once only: a second replay is refused and books nothing more.
    const twice = await callApi(h.url, 'POST', path, ADMIN, {});
    expect([twice.status, twice.body.error?.code]).toEqual([400, 'NOT_ALLOWED']);
    expect(await card(h, gift)).toEqual(after);
  });

  it('head office reads a card, or gets a coded answer; and every card’s balance as CSV', async () => {
    const lower = await callApi(h.url, 'GET', `${CARDS}/${number.toLowerCase()}`, ADMIN);
    expect([lower.status, (lower.body as unknown as CardReply).card.balanceMinor]).toEqual([200, 1_100]);
    const auditor = await callApi(h.url, 'POST', '/api/v1/admin/users', ADMIN, {
      id: 'gift-auditor',
      name: 'Auditor',
      role: 'auditor',
    });
    const reads = await callApi(h.url, 'GET', `${CARDS}/${number}`, `Bearer ${String(auditor.body.credential)}`);
    expect(reads.status).toBe(200);
    const codes = async (path: string, auth = ADMIN) => {
      const r = await callApi(h.url, 'GET', path, auth);
      return [r.status, r.body.error?.code];
    };
    expect(await codes(`${CARDS}/${demoGiftCardNumber(99)}`)).toEqual([404, 'NOT_FOUND']);
    expect(await codes(`${CARDS}/${demoCouponCode(1)}`)).toEqual([400, 'GIFT_CARD_BAD_NUMBER']);
    const typo = `${number.slice(0, -1)}${number.endsWith('0') ? '1' : '0'}`;
    expect(await codes(`${CARDS}/${typo}`)).toEqual([400, 'GIFT_CARD_BAD_NUMBER']);
    expect(await codes(`${CARDS}/${number}`, 'Bearer wrong')).toEqual([401, 'AUTH_INVALID']);
    expect(await codes('/api/v1/admin/programs/nope/gift-cards')).toEqual([404, 'NOT_FOUND']);

    const res = await fetch(`${h.url}${CARDS}`, { headers: { authorization: ADMIN } });
    expect([res.status, res.headers.get('content-type')]).toEqual([200, 'text/csv; charset=utf-8']);
    const rows = (await res.text())
      .trim()
      .split('\n')
      .map((l) => l.split(','));
    expect(rows[0]).toEqual(['number', 'balance_minor', 'valid_until', 'issued_at']);
    const byNumber = new Map(rows.slice(1).map((r) => [r[0]!, r.slice(1)]));
    expect(byNumber.get(demoGiftCardNumber(0))).toEqual(['5000', '2028-11-01', '2026-11-01T12:00:00.000Z']);
    const { card: sold } = await card(h, number);
    expect(byNumber.get(number)).toEqual(['1100', sold.validUntil, sold.issuedAt]);
    // A card nobody sold that was paid from stands below zero.
    expect(byNumber.get(demoGiftCardNumber(11))?.[0]).toBe('-500');
    expect([...byNumber.keys()]).toEqual([...byNumber.keys()].sort());
  });
});
