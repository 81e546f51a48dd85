/**
 * Returns through the real server over real HTTP (PostgreSQL when
 * TEST_DATABASE_URL is set, else PGlite): a till looks a sale up for a
 * return (by id or receipt label, from any till of the store), a return is
 * checked against its original and every earlier return from any till, a
 * line returned twice (two tills offline) is parked and flagged and counted
 * once, and a malformed return gets a coded error and writes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { monotonicFactory } from 'ulid';
import type { JournalDoc, SaleDoc } from '../../shared/documents';
import { pushResponseSchema } from '../../shared/replication';
import { returnRoutes, saleForReturnReplySchema, type ReturnSale } from '../../shared/returns';
import { demoUlid } from '../../src-server/seed';
import { stampSeq } from '../../src-server/seq';
import { planReturn, returnDocuments } from '../../src-renderer/src/features/returns/return-plan';
import { postgresUrl, startHarness, useStampAndOfferProgram, type Harness } from '../support/server-harness';
import { TestTill } from '../support/test-till';

const nextId = monotonicFactory();
const COFFEE = 'p-011';
const MILK = 'p-001';

async function lookup(h: Harness, token: string, path: string) {
  const res = await fetch(`${h.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> & { error?: { code: string } } };
}

async function balance(h: Harness, memberId: string): Promise<number> {
  const [r] = await h.db.query<{ b: string }>("SELECT state->>'balance' AS b FROM members WHERE id = $1", [memberId]);
  return Number(r!.b);
}

async function effectivePoints(h: Harness, memberId: string): Promise<number> {
  const [r] = await h.db.query<{ s: string | null }>(
    'SELECT sum(points) AS s FROM ledger_entries WHERE member_id = $1 AND effective',
    [memberId],
  );
  return Number(r!.s ?? 0);
}

/** A return written by `till` of `picked` lines, against what it knows was returned before. */
function writeReturn(
  till: TestTill,
  original: ReturnSale,
  prior: readonly ReturnSale[],
  picked: Array<{ lineId: string; quantity: number }>,
  offline = false,
): JournalDoc[] {
  const plan = planReturn({
    original,
    priorReturns: prior.map((r) => r.body),
    picked,
    returnId: nextId(),
    role: 'supervisor',
  });
  const ids = plan.refund.entries.map(() => nextId());
  const seqs = [till.nextSeq(), ...ids.map(() => till.nextSeq())];
  const ctx = {
    tillId: till.tillId,
    storeId: 'store-1',
    cashierId: 'cashier-1',
    receiptNo: 90,
    offline,
    at: new Date().toISOString(),
  };
  return till.write(...returnDocuments(plan, ctx, ids, seqs));
}

function asOriginal(doc: JournalDoc): ReturnSale {
  const s = doc as SaleDoc;
  return { id: s.id, tillId: s.tillId, at: s.at, body: s.body };
}

const backend = postgresUrl() ? 'postgres' : 'pglite';

describe(`returns on the server (${backend})`, () => {
  let h: Harness & { tokens: string[] };
  let a: TestTill;
  let b: TestTill;

  beforeAll(async () => {
    h = await startHarness(backend, ['RET-TILL-1', 'RET-TILL-2']);
    a = new TestTill(h.url, h.tokens[0]!, 'till-1');
    b = new TestTill(h.url, h.tokens[1]!, 'till-2');
    await a.sync();
    await b.sync();
  });
  afterAll(async () => h?.close());

  it("another till finds a sale by receipt label or id, returns one line, and the member's points are reversed", async () => {
    const m = demoUlid(3);
    const before = await balance(h, m);
    const [sale] = a.sell(m, [[COFFEE, 2], [MILK]]);
    (sale as SaleDoc).body.receiptNo = 1;
    await a.pushAll();
    const earned = (await balance(h, m)) - before;
    expect(earned).toBeGreaterThan(0);

    const byLabel = await lookup(h, h.tokens[1]!, returnRoutes.byReceipt('till-1-000001'));
    expect(byLabel.status).toBe(200);
    const found = saleForReturnReplySchema.parse(byLabel.body);
    expect(found.sale.id).toBe(sale!.id);
    expect(found.returns).toEqual([]);

    const [ret] = writeReturn(b, found.sale, found.returns, [{ lineId: 'L0001', quantity: 1 }]);
    const [reply] = await b.pushAll();
    expect(reply!.parked).toEqual([]);
    const coffee = (sale as SaleDoc).body.lines[0]!;
    expect(await balance(h, m)).toBe(before + earned - Math.ceil(coffee.points / 2));
    expect(await balance(h, m)).toBe(await effectivePoints(h, m));
    const [row] = await h.db.query<{ check_status: string; total_minor: string }>(
      'SELECT check_status, total_minor FROM sales WHERE id = $1',
      [ret!.id],
    );
    expect([row!.check_status, Number(row!.total_minor)]).toEqual([
      'return-verified',
      -Math.floor(coffee.amountMinor / 2),
    ]);

    // The server now answers with the return, from either till, by id too.
    const byId = saleForReturnReplySchema.parse((await lookup(h, h.tokens[0]!, returnRoutes.byId(sale!.id))).body);
    expect(byId.returns.map((r) => r.id)).toEqual([ret!.id]);
  });

  it("a household member's return gives the points back to the shared account, verified by the server", async () => {
    // Member 11 shops on member 12's account (the household's shared points).
    const shopper = demoUlid(11);
    const account = demoUlid(12);
    await h.db.query(`UPDATE members SET state = jsonb_set(state, '{householdId}', to_jsonb($2::text)) WHERE id = $1`, [
      shopper,
      account,
    ]);
    await h.db.tx((q) => stampSeq(q, 'members', [shopper]));
    await a.sync();
    await b.sync();
    const [shopperBefore, accountBefore] = [await balance(h, shopper), await balance(h, account)];
    const [sale] = a.sell(shopper, [[COFFEE, 2]]);
    expect((sale as SaleDoc).body.accountId).toBe(account);
    await a.pushAll();
    const earned = (await balance(h, account)) - accountBefore;
    expect(earned).toBeGreaterThan(0);
    expect(await balance(h, shopper)).toBe(shopperBefore);

    const [ret, ...entries] = writeReturn(b, asOriginal(sale!), [], [{ lineId: 'L0001', quantity: 2 }]);
    expect(entries.map((e) => e.memberId)).toEqual([account]);
    const [reply] = await b.pushAll();
    expect(reply!.parked).toEqual([]);
    const [row] = await h.db.query<{ check_status: string }>('SELECT check_status FROM sales WHERE id = $1', [ret!.id]);
    expect(row!.check_status).toBe('return-verified');
    expect(await balance(h, account)).toBe(accountBefore);
    expect(await balance(h, shopper)).toBe(shopperBefore);
    expect(await balance(h, account)).toBe(await effectivePoints(h, account));
  });

  it('two tills offline return the same last unit: the later push is parked and flagged, counted once', async () => {
    const m = demoUlid(4);
    const [sale] = a.sell(m, [[COFFEE, 1]]);
    await a.pushAll();
    const original = asOriginal(sale!);
    const afterSale = await balance(h, m);
    // Both tills saw no return of it; both return it offline.
    const first = writeReturn(a, original, [], [{ lineId: 'L0001', quantity: 1 }], true);
    const second = writeReturn(b, original, [], [{ lineId: 'L0001', quantity: 1 }], true);
    // Pushed at once: the original's lock takes them one after the other.
    const [ra, rb] = await Promise.all([a.pushAll(), b.pushAll()]);
    const parked = [...ra, ...rb].flatMap((r) => r.parked);
    // One of the two returns, whole (the return and its entry), is parked: whichever the server took second.
    expect(first.length).toBe(second.length);
    expect(parked.map((p) => p.code)).toEqual(first.map(() => 'RETURN_ALREADY_RETURNED'));
    const loser = [first, second].find((docs) => docs.some((d) => d.id === parked[0]!.id))!;
    expect(parked.map((p) => p.id).sort()).toEqual(loser.map((d) => d.id).sort());
    // Exactly one of the two returns moved points: the sale's earned points once.
    const coffee = (sale as SaleDoc).body.lines[0]!;
    expect(await balance(h, m)).toBe(afterSale - coffee.points);
    expect(await balance(h, m)).toBe(await effectivePoints(h, m));
    const statuses = await h.db.query<{ check_status: string }>(
      "SELECT check_status FROM sales WHERE body->>'refundOf' = $1 ORDER BY check_status",
      [sale!.id],
    );
    expect(statuses.map((s) => s.check_status)).toEqual(['parked:RETURN_ALREADY_RETURNED', 'return-verified']);
    const flagged = await h.db.query<{ ref_id: string; detail: { code: string } }>(
      "SELECT ref_id, detail FROM review_flags WHERE kind = 'return-parked' AND detail->>'refundOf' = $1",
      [sale!.id],
    );
    expect(flagged).toHaveLength(1);
    expect(flagged[0]!.detail.code).toBe('RETURN_ALREADY_RETURNED');
    // The look-up shows the one return taken: an online till refuses the line before writing anything.
    const found = saleForReturnReplySchema.parse((await lookup(h, h.tokens[1]!, returnRoutes.byId(sale!.id))).body);
    expect(found.returns).toHaveLength(1);
    expect(() =>
      planReturn({
        original: found.sale,
        priorReturns: found.returns.map((r) => r.body),
        picked: [{ lineId: 'L0001', quantity: 1 }],
        returnId: nextId(),
        role: 'cashier',
      }),
    ).toThrow(expect.objectContaining({ code: 'NOT_ALLOWED' }));
  });

  it('a return that gives back more than the sale did is parked; one with wrong points has the server book its own', async () => {
    const m = demoUlid(6);
    const [sale] = a.sell(m, [[COFFEE, 2]]);
    await a.pushAll();
    const original = asOriginal(sale!);
    const afterSale = await balance(h, m);
    const greedy = writeReturn(a, original, [], [{ lineId: 'L0001', quantity: 1 }]);
    const body = (greedy[0] as SaleDoc).body;
    body.lines[0]!.amountMinor -= 100;
    body.subtotalMinor -= 100;
    body.totalMinor -= 100;
    body.tenders[0]!.amountMinor -= 100;
    const [r1] = await a.pushAll();
    expect(r1!.parked.map((p) => p.code)).toEqual(greedy.map(() => 'RETURN_AMOUNT_MISMATCH'));
    expect(await balance(h, m)).toBe(afterSale);

    const wrong = writeReturn(a, original, [], [{ lineId: 'L0001', quantity: 1 }]);
    const entry = wrong.find((d) => d.kind === 'entry' && d.body.points < 0)!;
    if (entry.kind === 'entry') entry.body.points -= 50;
    const [r2] = await a.pushAll();
    expect(r2!.parked.map((p) => p.code)).toEqual(['RECHECK_MISMATCH']);
    const coffee = (sale as SaleDoc).body.lines[0]!;
    expect(await balance(h, m)).toBe(afterSale - Math.ceil(coffee.points / 2));
    expect(await balance(h, m)).toBe(await effectivePoints(h, m));
  });

  it('a return of a sale the server does not have is parked; a sale of the same push can be returned at once', async () => {
    const m = demoUlid(7);
    const [sold] = a.sell(m, [[MILK, 2]], { offline: true });
    // A sale id the server never saw (a till that made it up, or a damaged receipt).
    const ghost = { ...asOriginal(sold!), id: nextId() };
    writeReturn(a, asOriginal(sold!), [], [{ lineId: 'L0001', quantity: 2 }], true);
    const ghostReturn = writeReturn(a, ghost, [], [{ lineId: 'L0001', quantity: 1 }], true);
    const replies = await a.pushAll();
    const parked = replies.flatMap((r) => r.parked);
    expect(parked.map((p) => p.id)).toEqual(ghostReturn.map((d) => d.id));
    expect(new Set(parked.map((p) => p.code))).toEqual(new Set(['RETURN_ORIGINAL_UNKNOWN']));
    const [own] = await h.db.query<{ check_status: string }>(
      "SELECT check_status FROM sales WHERE body->>'refundOf' = $1",
      [sold!.id],
    );
    expect(own!.check_status).toBe('return-verified');
    expect(await balance(h, m)).toBe(await effectivePoints(h, m));
  });

  it('a malformed return push gets a coded 400 and writes nothing; bad look-ups get coded errors', async () => {
    const m = demoUlid(8);
    const [sale] = a.sell(m, [[COFFEE]]);
    await a.pushAll();
    const docs = writeReturn(a, asOriginal(sale!), [], [{ lineId: 'L0001', quantity: 1 }]);
    a.markPushed();
    const count = async () =>
      (
        await h.db.query<{ n: string }>(
          'SELECT (SELECT count(*) FROM sales) + (SELECT count(*) FROM journal_inbox) AS n',
        )
      )[0]!.n;
    const before = await count();
    const bad = structuredClone(docs) as Array<Record<string, unknown> & { body: Record<string, unknown> }>;
    bad[0]!.body.refundOf = 'not-a-sale-id';
    const reply = await a.pushDocs(bad as unknown as JournalDoc[]);
    expect(reply.status).toBe(400);
    expect((reply.body as { error: { code: string } }).error.code).toBe('PUSH_MALFORMED');
    const zero = structuredClone(docs) as Array<{ body: { lines: Array<{ quantity: number }> } }>;
    zero[0]!.body.lines[0]!.quantity = 0;
    expect((await a.pushDocs(zero as unknown as JournalDoc[])).status).toBe(400);
    expect(await count()).toBe(before);

    expect((await lookup(h, h.tokens[0]!, returnRoutes.byReceipt('nonsense'))).body.error?.code).toBe('BAD_REQUEST');
    expect((await lookup(h, h.tokens[0]!, returnRoutes.byId('x'))).body.error?.code).toBe('BAD_REQUEST');
    const missing = await lookup(h, h.tokens[0]!, returnRoutes.byReceipt('till-1-999999'));
    expect([missing.status, missing.body.error?.code]).toEqual([404, 'NOT_FOUND']);
    const anon = await fetch(`${h.url}${returnRoutes.byId(sale!.id)}`);
    expect(anon.status).toBe(401);
    // The good documents still go through afterwards.
    const ok = pushResponseSchema.parse((await a.pushDocs(docs)).body);
    expect(ok.parked).toEqual([]);
    expect(ok.ackedTillSeq).toBe(docs.at(-1)!.tillSeq);
    const [row] = await h.db.query<{ check_status: string }>('SELECT check_status FROM sales WHERE id = $1', [
      docs[0]!.id,
    ]);
    expect(row!.check_status).toBe('return-verified');
  });
});

describe(`a return takes back the stamps its sale earned (${backend})`, () => {
  let h: Harness & { tokens: string[] };
  let a: TestTill;
  let b: TestTill;

  beforeAll(async () => {
    h = await startHarness(backend, ['STAMP-TILL-1', 'STAMP-TILL-2']);
    await useStampAndOfferProgram(h, 10);
    a = new TestTill(h.url, h.tokens[0]!, 'till-1');
    b = new TestTill(h.url, h.tokens[1]!, 'till-2');
    await a.sync();
    await b.sync();
  });
  afterAll(async () => h?.close());

  async function stamps(memberId: string): Promise<number> {
    const [r] = await h.db.query<{ n: string | null }>(
      "SELECT state->'stamps'->'coffee-card'->'buckets'->>'all' AS n FROM members WHERE id = $1",
      [memberId],
    );
    return Number(r!.n ?? 0);
  }

  async function returnRow(id: string) {
    const [row] = await h.db.query<{ check_status: string; effects: unknown }>(
      'SELECT check_status, effects FROM sales WHERE id = $1',
      [id],
    );
    return row!;
  }

  it("two partial returns from another till take the member's stamps back to where they were", async () => {
    const m = demoUlid(3);
    const before = await stamps(m);
    const [sale] = a.sell(m, [[COFFEE, 3]]);
    expect((sale as SaleDoc).body.lines[0]!.stamps).toEqual({ 'coffee-card': { bucket: 'all', n: 3 } });
    await a.pushAll();
    expect(await stamps(m)).toBe(before + 3);

    const original = asOriginal(sale!);
    const [first] = writeReturn(b, original, [], [{ lineId: 'L0001', quantity: 1 }]);
    await b.pushAll();
    expect(await stamps(m)).toBe(before + 2);
    expect((await returnRow(first!.id)).check_status).toBe('return-verified');

    const [second] = writeReturn(b, original, [asOriginal(first!)], [{ lineId: 'L0001', quantity: 2 }]);
    const [reply] = await b.pushAll();
    expect(reply!.parked).toEqual([]);
    expect(await stamps(m)).toBe(before);
    expect(await returnRow(second!.id)).toMatchObject({
      check_status: 'return-verified',
      effects: { stamps: { 'coffee-card': { all: -2 } } },
    });
  });

  it('a till that takes back other stamps (or none) is corrected: the server applies its own and flags it', async () => {
    const m = demoUlid(4);
    const before = await stamps(m);
    const [sale] = a.sell(m, [[COFFEE, 4]]);
    await a.pushAll();
    const original = asOriginal(sale!);

    const [greedy] = writeReturn(a, original, [], [{ lineId: 'L0001', quantity: 1 }]);
    (greedy as SaleDoc).body.effects!.stamps = { 'coffee-card': { all: -4 } };
    // An older till that knows nothing of stamps on returns.
    const [silent] = writeReturn(a, original, [asOriginal(greedy!)], [{ lineId: 'L0001', quantity: 1 }]);
    (silent as SaleDoc).body.effects = null;
    const replies = await a.pushAll();
    expect(replies.flatMap((r) => r.parked)).toEqual([]);
    expect(await stamps(m)).toBe(before + 2);
    for (const ret of [greedy!, silent!]) {
      expect(await returnRow(ret.id)).toMatchObject({
        check_status: 'return-corrected',
        effects: { stamps: { 'coffee-card': { all: -1 } } },
      });
    }
    const flags = await h.db.query<{ ref_id: string }>(
      "SELECT ref_id FROM review_flags WHERE kind = 'return-recheck-mismatch' AND member_id = $1",
      [m],
    );
    expect(flags.map((f) => f.ref_id).sort()).toEqual([greedy!.id, silent!.id].sort());
    // The points were right: they stand as the till wrote them.
    expect(await balance(h, m)).toBe(await effectivePoints(h, m));
  });

  it('a sale whose lines claim other stamps than the program gives is corrected, and its return takes back the real ones', async () => {
    const m = demoUlid(6);
    const before = await stamps(m);
    const [sale] = a.sell(m, [[COFFEE, 3]]);
    (sale as SaleDoc).body.lines[0]!.stamps = { 'coffee-card': { bucket: 'all', n: 30 } };
    await a.pushAll();
    expect(await stamps(m)).toBe(before + 3);
    const [kept] = await h.db.query<{ check_status: string; body: SaleDoc['body'] }>(
      'SELECT check_status, body FROM sales WHERE id = $1',
      [sale!.id],
    );
    expect(kept!.check_status).toBe('corrected');
    expect(kept!.body.lines[0]!.stamps).toEqual({ 'coffee-card': { bucket: 'all', n: 3 } });
    const flagged = await h.db.query<{ detail: { reason: string } }>(
      "SELECT detail FROM review_flags WHERE kind = 'sale-recheck-mismatch' AND ref_id = $1",
      [sale!.id],
    );
    expect(flagged.map((f) => f.detail.reason)).toEqual([expect.stringContaining('keeps other stamps')]);

    // The till returns it from what it wrote (30 stamps); the server takes back the 3 the sale really gave.
    const [ret] = writeReturn(a, asOriginal(sale!), [], [{ lineId: 'L0001', quantity: 3 }]);
    expect((ret as SaleDoc).body.effects!.stamps).toEqual({ 'coffee-card': { all: -30 } });
    await a.pushAll();
    expect(await stamps(m)).toBe(before);
    expect(await returnRow(ret!.id)).toMatchObject({
      check_status: 'return-corrected',
      effects: { stamps: { 'coffee-card': { all: -3 } } },
    });
  });
});
