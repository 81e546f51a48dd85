/**
 * Single-use coupon batches under the server's authority, over real HTTP on PGlite and a real PostgreSQL: head
 * office generates a batch (refused with a code for a batch the program has no promotion for, a bad count or a
 * wrong token, writing nothing) and exports it as CSV; a till takes a code once and every till hears it used; two
 * offline tills taking the same code both stand and the second is flagged (coupon-reused); a code in no batch is
 * refused by the server's re-check; an operator's replay of a parked sale uses its code once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { couponCodeValid } from '../../shared/coupons';
import { KassaError } from '../../shared/errors';
import type { SaleDoc } from '../../shared/documents';
import { giftCardLine } from '../../shared/sale-journal';
import { demoGiftCardNumber, demoUlid } from '../../src-server/seed';
import {
  callApi,
  changeProgram,
  postgresUrl,
  startHarness,
  type Backend,
  type Harness,
} from '../support/server-harness';
import { TestTill } from '../support/test-till';

const backends: Backend[] = postgresUrl() ? ['pglite', 'postgres'] : ['pglite'];
const admin = { authorization: 'Bearer test-admin', 'content-type': 'application/json' };
const COFFEE = 'p-011'; // Ground coffee 500 g, 6.99
const BATCHES = '/api/v1/admin/programs/supermarket/coupon-batches';

async function generate(h: Harness, batch: string, body: unknown, headers: Record<string, string> = admin) {
  const res = await fetch(`${h.url}${BATCHES}/${batch}`, { method: 'POST', headers, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function csv(h: Harness, batch: string): Promise<string[][]> {
  const res = await fetch(`${h.url}${BATCHES}/${batch}`, { headers: admin });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
  return (await res.text())
    .trim()
    .split('\n')
    .map((l) => l.split(','));
}

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof KassaError) return e.code;
    throw e;
  }
  return 'none';
}

describe.each(backends)('single-use coupons on %s', (backend) => {
  let h: Harness & { tokens: string[] };
  let a: TestTill;
  let b: TestTill;
  let codes: string[];

  beforeAll(async () => {
    h = await startHarness(backend, ['COUPON-TILL-1', 'COUPON-TILL-2']);
    await changeProgram(h, (program) => ({
      ...program,
      promotions: [
        ...(program.promotions as unknown[]),
        {
          id: 'xmas-coupon',
          name: 'Christmas coupon: 5.00 off',
          couponBatch: 'xmas',
          benefit: { kind: 'amount-off', amountMinor: 500, on: 'order' },
        },
      ],
    }));
    a = new TestTill(h.url, h.tokens[0]!, 'till-1');
    b = new TestTill(h.url, h.tokens[1]!, 'till-2');
  });
  afterAll(async () => h?.close());

  it('generates a batch and exports it; refuses what it cannot do, writing nothing', async () => {
    expect((await generate(h, 'xmas', { count: 5 }, { ...admin, authorization: 'Bearer wrong' })).status).toBe(401);
    const unknown = await generate(h, 'easter', { count: 5 });
    expect([unknown.status, (unknown.body.error as { code: string }).code]).toEqual([400, 'COUPON_BATCH_UNKNOWN']);
    const zero = await generate(h, 'xmas', { count: 0 });
    expect([zero.status, (zero.body.error as { code: string }).code]).toEqual([400, 'BAD_REQUEST']);
    expect(await h.db.query("SELECT code FROM coupon_codes WHERE batch = 'xmas'")).toEqual([]);

    expect((await generate(h, 'xmas', { count: 40, prefix: 'xmas' })).body).toMatchObject({ created: 40, total: 40 });
    expect((await generate(h, 'xmas', { count: 10 })).body).toMatchObject({ created: 10, total: 50 });
    const rows = await csv(h, 'xmas');
    expect(rows[0]).toEqual(['code', 'status', 'used_at', 'till_id', 'sale_id']);
    codes = rows.slice(1).map((r) => r[0]!);
    expect(new Set(codes).size).toBe(50);
    expect(codes.every((c) => c.startsWith('XMAS-') && couponCodeValid(c))).toBe(true);
    expect(rows.slice(1).every((r) => r[1] === 'open')).toBe(true);
  });

  it('a code is taken once: every till hears it used; the server re-checks the sale', async () => {
    await a.sync();
    await b.sync();
    const m = demoUlid(5);
    const [sale] = a.sell(m, [[COFFEE, 3]], { codes: [codes[0]!.toLowerCase()] });
    expect(sale!.kind === 'sale' && sale!.body.totalMinor).toBe(3 * 699 - 500);
    // The same till does not take it twice, even before the server knows.
    expect(codeOf(() => a.sell(null, [[COFFEE, 3]], { codes: [codes[0]!] }))).toBe('NOT_ALLOWED');
    expect(() => a.sell(null, [[COFFEE, 3]], { codes: [codes[0]!] })).toThrow(/has been used already/);
    const [reply] = await a.pushAll();
    expect(reply!.parked).toEqual([]);
    const [row] = (await csv(h, 'xmas')).filter((r) => r[0] === codes[0]);
    expect([row![1], row![3], row![4]]).toEqual(['used', 'till-1', sale!.id]);
    // The other till, once it pulls, refuses it too.
    await b.pull();
    expect(() => b.sell(null, [[COFFEE, 3]], { codes: [codes[0]!] })).toThrow(/has been used already/);
    const [sales] = await h.db.query<{ status: string }>('SELECT check_status AS status FROM sales WHERE id = $1', [
      sale!.id,
    ]);
    expect(sales!.status).toBe('verified');
  });

  it('two offline tills taking the same code both stand; the second is flagged', async () => {
    const code = codes[1]!;
    const [first] = a.sell(demoUlid(6), [[COFFEE, 3]], { codes: [code], offline: true });
    const [second] = b.sell(null, [[COFFEE, 3]], { codes: [code], offline: true });
    await a.pushAll();
    const [reply] = await b.pushAll();
    expect(reply!.parked).toEqual([]);
    const booked = await h.db.query<{ id: string; total_minor: string | number }>(
      'SELECT id, total_minor FROM sales WHERE id = ANY($1::text[]) ORDER BY id',
      [[first!.id, second!.id]],
    );
    expect(booked.map((s) => Number(s.total_minor))).toEqual([1_597, 1_597]);
    const flagged = await h.db.query<{ ref_id: string; detail: unknown }>(
      "SELECT ref_id, detail FROM review_flags WHERE kind = 'coupon-reused'",
    );
    expect(flagged).toEqual([{ ref_id: second!.id, detail: { code, batch: 'xmas', firstSaleId: first!.id } }]);
  });

  it('a code in no batch is refused by the re-check: the till’s entries are parked', async () => {
    const forged = 'XMAS-00000000';
    // A till that believes in a code the server never issued.
    await b.sync();
    b.coupons.set('forged', { programId: 'supermarket', batch: 'xmas', codes: [forged], used: [] });
    const m = demoUlid(7);
    const [sale] = b.sell(m, [[COFFEE, 3]], { codes: [forged] });
    const [reply] = await b.pushAll();
    expect(reply!.parked.map((p) => p.code)).toContain('RECHECK_MISMATCH');
    const [row] = await h.db.query<{ status: string }>('SELECT check_status AS status FROM sales WHERE id = $1', [
      sale!.id,
    ]);
    expect(row!.status).toBe('corrected');
    expect(await h.db.query("SELECT code FROM coupon_codes WHERE code = 'XMAS-00000000'")).toEqual([]);
  });

  it('an operator replays a parked sale: its code is used then, once, and every till hears it', async () => {
    const code = codes[2]!;
    const [doc] = a.sell(null, [[COFFEE, 3]], { codes: [code] });
    // The sale also carries a gift card line of 0.00, which parks it whole: the code stays open.
    const sale = doc as SaleDoc;
    sale.body = {
      ...sale.body,
      lines: [...sale.body.lines, giftCardLine({ giftCard: demoGiftCardNumber(20), amountMinor: 0 }, 9)],
    };
    const [reply] = await a.pushAll();
    expect(reply!.parked.map((p) => [p.id, p.code])).toEqual([[sale.id, 'GIFT_CARD_LINE_INVALID']]);
    expect((await csv(h, 'xmas')).find((r) => r[0] === code)?.[1]).toBe('open');

    const [item] = await h.db.query<{ id: string }>('SELECT id FROM parked_docs WHERE doc_id = $1', [sale.id]);
    const path = `/api/v1/admin/parked/${item!.id}/replay`;
    expect((await callApi(h.url, 'POST', path, 'Bearer test-admin', {})).status).toBe(200);
    const row = (await csv(h, 'xmas')).find((r) => r[0] === code)!;
    expect([row[1], row[3], row[4]]).toEqual(['used', 'till-1', sale.id]);
    await b.pull();
    expect(() => b.sell(null, [[COFFEE, 3]], { codes: [code] })).toThrow(/has been used already/);
    expect((await callApi(h.url, 'POST', path, 'Bearer test-admin', {})).body.error?.code).toBe('NOT_ALLOWED');
  });
});
