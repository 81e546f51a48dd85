/**
 * The server as the authority, over real HTTP on PGlite and a real
 * PostgreSQL: every case a new user hit (stamps overwritten, the offline cap
 * not held across sales, a wiped till database, poison values that made
 * pushes fail for ever, entries a till may not write), the engine re-check,
 * overdrafts recovered, the review queue, clock skew. After each: the till's
 * view equals the server's member, and every balance equals its ledger.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JournalDoc } from '../../shared/documents';
import { validStampBuckets } from '../../shared/ledger';
import { memberStateSchema, type MemberState } from '../../shared/engine/member-state';
import { demoUlid } from '../../src-server/seed';
import { ingestGroup } from '../../src-server/ingest';
import { pushRequestSchema } from '../../shared/replication';
import type { Db } from '../../src-server/db';
import { entryDoc, row, saleDoc } from '../support/journal';
import {
  postgresUrl,
  push,
  startHarness,
  useStampAndOfferProgram,
  type Backend,
  type Harness,
  startFaultyServer,
} from '../support/server-harness';
import { TestTill } from '../support/test-till';

const backends: Backend[] = postgresUrl() ? ['pglite', 'postgres'] : ['pglite'];
const admin = { authorization: 'Bearer test-admin' };

async function adminJson<T>(h: Harness, path: string, init?: RequestInit): Promise<T> {
  const res = await fetch(`${h.url}${path}`, { ...init, headers: { ...admin, 'content-type': 'application/json' } });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

async function serverState(h: Harness, memberId: string): Promise<MemberState> {
  const [r] = await h.db.query<{ state: unknown }>('SELECT state FROM members WHERE id = $1', [memberId]);
  return memberStateSchema.parse(r!.state);
}

/** Every member's balance equals the sum of its effective ledger entries. */
async function ledgerMismatches(h: Harness): Promise<string[]> {
  const rows = await h.db.query<{ id: string; balance: string; sum: string | null }>(
    `SELECT m.id, (m.state->>'balance') AS balance,
            (SELECT sum(points) FROM ledger_entries e WHERE e.member_id = m.id AND e.effective) AS sum
       FROM members m`,
  );
  return rows.filter((r) => Number(r.balance) !== Number(r.sum ?? 0)).map((r) => r.id);
}

/** A checksum of every table a push can write: equal before and after means nothing was written. */
async function checksum(h: Harness): Promise<string> {
  const tables = ['sales', 'ledger_entries', 'journal_inbox', 'parked_docs', 'members', 'review_flags', 'till_epochs'];
  const parts: string[] = [];
  for (const t of tables) {
    const [r] = await h.db.query<{ n: string; h: string | null }>(
      `SELECT count(*) AS n, md5(string_agg(md5(x::text), '' ORDER BY md5(x::text))) AS h FROM ${t} x`,
    );
    parts.push(`${t}:${r!.n}:${r!.h ?? ''}`);
  }
  return parts.join('|');
}

async function flags(h: Harness, kind: string): Promise<Array<{ member_id: string | null; ref_id: string }>> {
  return h.db.query('SELECT member_id, ref_id, detail FROM review_flags WHERE kind = $1 ORDER BY id', [kind]);
}

function stampCount(state: MemberState, card: string, today: string): number {
  return validStampBuckets(state.stamps[card], today, null).reduce((s, [, n]) => s + n, 0);
}

const COFFEE = 'p-011'; // Ground coffee 500 g, 6.99
const BEANS = 'p-010'; // Coffee beans 1 kg, 14.99
const MILK = 'p-001';

describe.each(backends)('the server as the authority on %s', (backend) => {
  let h: Harness & { tokens: string[] };
  let a: TestTill;
  let b: TestTill;

  beforeAll(async () => {
    h = await startHarness(backend, ['AUTH-TILL-1', 'AUTH-TILL-2']);
    // A program with a coffee stamp card (every 10th free, no window) and a one-time welcome offer.
    await useStampAndOfferProgram(h, 10);
    a = new TestTill(h.url, h.tokens[0]!, 'till-1');
    b = new TestTill(h.url, h.tokens[1]!, 'till-2');
    await a.sync();
    await b.sync();
  });
  afterAll(async () => h?.close());

  it('two tills stamping the same card offline both count (3 stamps before: 5 after, not 4)', async () => {
    const m = demoUlid(5);
    a.sell(m, [[COFFEE, 3]]);
    await a.pushAll();
    await a.sync();
    await b.sync();
    const today = new Date().toISOString().slice(0, 10);
    expect(stampCount(a.view(m).state, 'coffee-card', today)).toBe(3);
    a.sell(m, [[COFFEE]], { offline: true });
    b.sell(m, [[COFFEE]], { offline: true });
    const viewA = a.view(m).state;
    expect(stampCount(viewA, 'coffee-card', today)).toBe(4);
    await a.pushAll();
    // What till A showed offline is what the server computed from A's journal.
    expect(await serverState(h, m)).toEqual(viewA);
    await b.pushAll();
    expect(stampCount(await serverState(h, m), 'coffee-card', today)).toBe(5);
    await a.sync();
    await b.sync();
    expect(a.view(m).state).toEqual(await serverState(h, m));
    expect(b.view(m).state).toEqual(await serverState(h, m));
  });

  it('the offline cap holds across consecutive offline sales at one till', async () => {
    const m = demoUlid(10); // opening balance 1233
    await a.sync();
    a.sell(m, [[BEANS]], { offline: true, redeem: { kind: 'reward', rewardId: 'five-off' } });
    a.sell(m, [[BEANS]], { offline: true, redeem: { kind: 'reward', rewardId: 'five-off' } });
    expect(a.view(m).state.redeemedToday?.points).toBe(1000);
    expect(() => a.sell(m, [[BEANS]], { offline: true, redeem: { kind: 'reward', rewardId: 'one-off' } })).toThrow(
      /at most 0 points can be redeemed today/,
    );
    const view = a.view(m).state;
    await a.pushAll();
    expect(await serverState(h, m)).toEqual(view);
  });

  it('two tills redeeming the same points offline: overdraft within cap × tills, flagged, then recovered', async () => {
    const m = demoUlid(9); // opening 1096
    await a.sync();
    await b.sync();
    const before = a.view(m).state.balance;
    for (const t of [a, b]) {
      t.sell(m, [[BEANS]], { offline: true, redeem: { kind: 'reward', rewardId: 'five-off' } });
      t.sell(m, [[BEANS]], { offline: true, redeem: { kind: 'reward', rewardId: 'five-off' } });
    }
    await a.pushAll();
    await b.pushAll();
    const state = await serverState(h, m);
    expect(state.balance).toBeLessThan(0);
    // Each till stayed within its own cap: the debt is bounded by cap × tills that redeemed.
    expect(before).toBeLessThan(2000);
    expect(-state.balance).toBeLessThanOrEqual(1000 * 2);
    expect((await flags(h, 'offline-cap-exceeded')).some((f) => f.member_id === m)).toBe(true);
    expect((await flags(h, 'negative-balance')).some((f) => f.member_id === m)).toBe(true);
    const [open] = await h.db.query<{ points: string; status: string }>(
      'SELECT points, status FROM overdrafts WHERE member_id = $1',
      [m],
    );
    expect(open).toMatchObject({ status: 'open' });
    expect(Number(open!.points)).toBe(-state.balance);
    const summary = await adminJson<{ openOverdrafts: number; pointsOwed: number }>(h, '/api/v1/admin/summary');
    expect(summary.openOverdrafts).toBeGreaterThanOrEqual(1);
    expect(summary.pointsOwed).toBeGreaterThanOrEqual(-state.balance);
    // Later earnings recover the debt.
    await a.sync();
    while ((await serverState(h, m)).balance < 0) {
      a.sell(m, [[BEANS, 40]]);
      await a.pushAll();
      await a.sync();
    }
    const [closed] = await h.db.query<{ status: string }>('SELECT status FROM overdrafts WHERE member_id = $1', [m]);
    expect(closed!.status).toBe('recovered');
    expect(await ledgerMismatches(h)).toEqual([]);
  });

  it('a till whose database was lost starts a new epoch: its new entries are applied and the case flagged', async () => {
    const m = demoUlid(6);
    await a.sync();
    const balance = (await serverState(h, m)).balance;
    const lost = a.sell(m, [[MILK, 3]]);
    // Half the old database reached the server before it was lost (the sale without its entries).
    const first = await a.pushDocs(lost.slice(0, 1));
    expect(first.status).toBe(200);
    a.wipe();
    await a.sync();
    const docs = a.sell(m, [[BEANS]]);
    expect(docs[0]!.tillSeq).toBe(1);
    const replies = await a.pushAll();
    expect(replies.at(-1)!.ackedTillSeq).toBe(docs.length);
    const after = await serverState(h, m);
    const earned = docs
      .filter((d) => d.kind === 'entry')
      .reduce((s, d) => s + (d.kind === 'entry' ? d.body.points : 0), 0);
    expect(earned).toBeGreaterThan(0);
    // The old database's sale was applied even though its entries were lost with it: the server booked
    // what the program gives for it (the re-check), and the new database's sale moved the balance too.
    const lostPoints = lost.reduce((s, d) => s + (d.kind === 'entry' ? d.body.points : 0), 0);
    expect(lostPoints).toBeGreaterThan(0);
    expect(after.balance).toBe(balance + lostPoints + earned);
    expect((await flags(h, 'sale-entries-missing')).some((f) => f.ref_id === lost[0]!.id)).toBe(true);
    const [stored] = await h.db.query<{ n: string }>('SELECT count(*) AS n FROM sales WHERE id = $1', [lost[0]!.id]);
    expect(Number(stored!.n)).toBe(1);
    expect((await flags(h, 'till-database-replaced')).length).toBeGreaterThan(0);
    await a.sync();
    expect(a.view(m).state).toEqual(after);
  });

  it.each([
    ['points beyond a safe integer', (d: JournalDoc) => ({ ...d, body: { ...d.body, points: 9007199254740991 } })],
    ['a NUL byte in a text field', (d: JournalDoc) => ({ ...d, body: { ...d.body, reason: 'a\u0000b' } })],
    ['a lone surrogate', (d: JournalDoc) => ({ ...d, body: { ...d.body, reason: 'a\ud800b' } })],
    ['year 0000', (d: JournalDoc) => ({ ...d, at: '0000-01-01T00:00:00Z' })],
    ['a +23:59 offset', (d: JournalDoc) => ({ ...d, at: '2026-11-30T10:00:00+23:59' })],
  ])('%s is a coded 400 that writes nothing, and the member keeps syncing', async (_name, poison) => {
    const m = demoUlid(7);
    const bad = poison(entryDoc({ tillId: 'till-2', tillSeq: 999, memberId: m, points: 5, type: 'bonus' }));
    const before = await checksum(h);
    const res = await push(h.url, h.tokens[1]!, [row(bad as JournalDoc)]);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: 'PUSH_MALFORMED' } });
    expect(await checksum(h)).toBe(before);
    await b.sync();
    b.sell(m, [[MILK]]);
    const replies = await b.pushAll();
    expect(replies.at(-1)!.parked).toEqual([]);
  });

  it('rule breaks are parked with their reason, the rest is applied and the watermark moves on', async () => {
    const victim = demoUlid(8);
    const m = demoUlid(11);
    await b.sync();
    const victimBefore = await serverState(h, victim);
    const balance = (await serverState(h, m)).balance;
    const adjust = b.write(
      entryDoc({ tillId: 'till-2', tillSeq: b.nextSeq(), memberId: m, points: 1_000_000, type: 'adjust' }),
    )[0]!;
    const stolen = b.write(
      entryDoc({
        tillId: 'till-2',
        tillSeq: b.nextSeq(),
        memberId: m,
        points: 0,
        type: 'bonus',
        naturalId: `birthday:${victim}:2026`,
      }),
    )[0]!;
    const good = b.sell(m, [[MILK, 2]]);
    const wrongTotal = saleDoc({ tillId: 'till-2', tillSeq: b.nextSeq(), memberId: null, totalMinor: 119 });
    if (wrongTotal.kind === 'sale') wrongTotal.body.totalMinor = 50;
    const negative = saleDoc({ tillId: 'till-2', tillSeq: b.nextSeq(), memberId: null, totalMinor: -119 });
    const cardChange = saleDoc({ tillId: 'till-2', tillSeq: b.nextSeq(), memberId: null, totalMinor: 119 });
    if (cardChange.kind === 'sale') cardChange.body.tenders = [{ kind: 'card', amountMinor: 119, tenderedMinor: 200 }];
    const cashChange = saleDoc({ tillId: 'till-2', tillSeq: b.nextSeq(), memberId: null, totalMinor: 119 });
    if (cashChange.kind === 'sale') cashChange.body.tenders = [{ kind: 'cash', amountMinor: 119, tenderedMinor: 200 }];
    // A discount whose price is not its percentage off the first price; and one that is.
    const discounted = (unitPriceMinor: number) => {
      const d = saleDoc({ tillId: 'till-2', tillSeq: b.nextSeq(), memberId: null, totalMinor: unitPriceMinor });
      if (d.kind === 'sale')
        d.body.lines[0]!.priceChange = {
          kind: 'discount',
          fromMinor: 119,
          percent: 10,
          reason: 'Damaged packaging',
          supervisorId: null,
        };
      return d;
    };
    const badDiscount = discounted(100);
    const fairDiscount = discounted(107);
    b.write(wrongTotal, cardChange, cashChange, negative, badDiscount, fairDiscount);
    const [reply] = await b.pushAll();
    const parked = new Map(reply!.parked.map((p) => [p.id, p.code]));
    expect(parked.get(adjust.id)).toBe('ENTRY_KIND_NOT_ALLOWED');
    expect(parked.get(stolen.id)).toBe('ZERO_POINTS');
    expect(parked.get(wrongTotal.id)).toBe('TOTALS_MISMATCH');
    expect(parked.get(negative.id)).toBe('NEGATIVE_PRICE');
    expect(parked.get(cardChange.id)).toBe('TENDER_CHANGE_INVALID');
    expect(parked.has(cashChange.id)).toBe(false);
    expect(parked.get(badDiscount.id)).toBe('PRICE_CHANGE_MISMATCH');
    expect(parked.has(fairDiscount.id)).toBe(false);
    expect(good.every((d) => !parked.has(d.id))).toBe(true);
    expect(reply!.ackedTillSeq).toBe(fairDiscount.tillSeq);
    const earned = good.reduce((s, d) => s + (d.kind === 'entry' ? d.body.points : 0), 0);
    expect((await serverState(h, m)).balance).toBe(balance + earned);
    // The victim's own birthday bonus is still theirs to get.
    expect((await serverState(h, victim)).grants).toEqual(victimBefore.grants);
    // The sales that happened are stored, with their loyalty part held back.
    const [w] = await h.db.query<{ check_status: string }>('SELECT check_status FROM sales WHERE id = $1', [
      wrongTotal.id,
    ]);
    expect(w!.check_status).toBe('parked:TOTALS_MISMATCH');
    await b.sync();
    expect(b.view(m).state).toEqual(await serverState(h, m));
    expect(await ledgerMismatches(h)).toEqual([]);
  });

  it("an unknown member is parked with its sale's points, which count nowhere", async () => {
    const ghost = '01KDVDNAZZZZZZZZZZZZZZZZZZ';
    const before = await adminJson<{ pointsTotal: number; sales: number }>(h, '/api/v1/admin/summary');
    const sale = saleDoc({ tillId: 'till-2', tillSeq: b.nextSeq(), memberId: ghost, entryIds: [] });
    const earn = entryDoc({ tillId: 'till-2', tillSeq: b.nextSeq(), memberId: ghost, points: 40, saleId: sale.id });
    if (sale.kind === 'sale') sale.body.entryIds = [earn.id];
    b.write(sale, earn);
    const [reply] = await b.pushAll();
    expect(reply!.parked.map((p) => [p.id, p.code])).toEqual([
      [sale.id, 'UNKNOWN_MEMBER'],
      [earn.id, 'UNKNOWN_MEMBER'],
    ]);
    const after = await adminJson<{ pointsTotal: number; sales: number }>(h, '/api/v1/admin/summary');
    expect(after.pointsTotal).toBe(before.pointsTotal);
    expect(after.sales).toBe(before.sales + 1);
  });

  it("a currency that is not the store's and an oversized cashier id are coded 400s that write nothing", async () => {
    const before = await checksum(h);
    const xxx = saleDoc({ tillId: 'till-2', tillSeq: 5000, memberId: null });
    if (xxx.kind === 'sale') xxx.body.currency = 'XXX';
    const r1 = await push(h.url, h.tokens[1]!, [row(xxx)]);
    expect(r1.status).toBe(400);
    expect(await r1.json()).toMatchObject({
      error: { code: 'PUSH_MALFORMED', message: expect.stringContaining('XXX') },
    });
    const huge = saleDoc({ tillId: 'till-2', tillSeq: 5001, memberId: null });
    if (huge.kind === 'sale') huge.body.cashierId = 'c'.repeat(7_900_000);
    const r2 = await push(h.url, h.tokens[1]!, [row(huge)]);
    expect(r2.status).toBe(400);
    expect(await r2.json()).toMatchObject({ error: { code: 'PUSH_MALFORMED' } });
    expect(await checksum(h)).toBe(before);
  });

  it("a sale whose points the program could not give is parked and the program's points booked instead", async () => {
    const m = demoUlid(12);
    await a.sync();
    const balance = (await serverState(h, m)).balance;
    const docs = a.sell(m, [[BEANS]]);
    const honest = docs
      .filter((d) => d.kind === 'entry')
      .reduce((s, d) => s + (d.kind === 'entry' ? d.body.points : 0), 0);
    const earn = docs.find((d) => d.kind === 'entry' && d.body.type === 'earn')!;
    if (earn.kind === 'entry') earn.body.points += 500;
    const [reply] = await a.pushAll();
    expect(reply!.parked.map((p) => [p.id, p.code])).toEqual([[earn.id, 'RECHECK_MISMATCH']]);
    expect((await serverState(h, m)).balance).toBe(balance + honest);
    expect((await flags(h, 'sale-recheck-mismatch')).some((f) => f.ref_id === docs[0]!.id)).toBe(true);
    const [s] = await h.db.query<{ check_status: string }>('SELECT check_status FROM sales WHERE id = $1', [
      docs[0]!.id,
    ]);
    expect(s!.check_status).toBe('corrected');
    // An operator can see it, and replay or resolve it once.
    const open = await adminJson<Array<{ id: number; doc_id: string; code: string }>>(h, '/api/v1/admin/parked');
    const item = open.find((p) => p.doc_id === earn.id)!;
    expect(item.code).toBe('RECHECK_MISMATCH');
    await adminJson(h, `/api/v1/admin/parked/${item.id}/resolve`, { method: 'POST', body: '{"note":"till bug"}' });
    const again = await fetch(`${h.url}/api/v1/admin/parked/${item.id}/replay`, { method: 'POST', headers: admin });
    expect(again.status).toBe(400);
    expect(await ledgerMismatches(h)).toEqual([]);
  });

  it('a parked entry replayed by an operator is applied once, through the projection', async () => {
    const m = demoUlid(13);
    await b.sync();
    const balance = (await serverState(h, m)).balance;
    const bonus = b.write(
      entryDoc({
        tillId: 'till-2',
        tillSeq: b.nextSeq(),
        memberId: m,
        points: 77,
        type: 'bonus',
        naturalId: `signup:${m}`,
      }),
    )[0]!;
    const [reply] = await b.pushAll();
    expect(reply!.parked.map((p) => p.code)).toEqual(['BONUS_NOT_IN_PROGRAM']);
    const open = await adminJson<Array<{ id: number; doc_id: string }>>(h, '/api/v1/admin/parked');
    const item = open.find((p) => p.doc_id === bonus.id)!;
    await adminJson(h, `/api/v1/admin/parked/${item.id}/replay`, { method: 'POST', body: '{}' });
    expect((await serverState(h, m)).balance).toBe(balance + 77);
    const twice = await fetch(`${h.url}/api/v1/admin/parked/${item.id}/replay`, { method: 'POST', headers: admin });
    expect(twice.status).toBe(400);
    expect((await serverState(h, m)).balance).toBe(balance + 77);
    expect(await ledgerMismatches(h)).toEqual([]);
  });

  it("a till clock a year off still replicates: till time kept and used by the till's rules, skew flagged", async () => {
    const m = demoUlid(14);
    const c = new TestTill(h.url, h.tokens[0]!, 'till-1');
    await c.sync();
    const yearAgo = new Date(Date.now() - 365 * 86_400_000).toISOString();
    c.sell(m, [[MILK]], { at: yearAgo });
    const view = c.view(m).state;
    const reply = await c.pushDocs(c.journal, { sentAt: yearAgo });
    expect(reply.status).toBe(200);
    expect(await serverState(h, m)).toEqual(view);
    expect((await flags(h, 'till-clock-skew')).some((f) => f.ref_id === c.epoch)).toBe(true);
    const [s] = await h.db.query<{ till_time: Date | string; received_at: Date | string }>(
      'SELECT till_time, received_at FROM sales WHERE id = $1',
      [c.journal[0]!.id],
    );
    expect(
      Date.parse(String(new Date(s!.received_at).toISOString())) - Date.parse(new Date(s!.till_time).toISOString()),
    ).toBeGreaterThan(360 * 86_400_000);
  });

  it('a document the server fails to apply is parked: the push never answers 5xx, the till moves on', async () => {
    // A server whose database refuses the member update once (a fault no input check foresaw).
    const server = await startFaultyServer(h.db, 'UPDATE members SET state');
    try {
      const url = server.url;
      const t = new TestTill(url, h.tokens[1]!, 'till-2');
      await t.sync();
      const m = demoUlid(16);
      const docs = t.sell(m, [[MILK]]);
      const first = await t.pushDocs(docs);
      expect(first.status).toBe(200);
      const body = first.body as { parked: Array<{ id: string; code: string }>; ackedTillSeq: number };
      expect(body.parked.map((p) => p.code)).toEqual(docs.map(() => 'APPLY_FAILED'));
      expect(body.ackedTillSeq).toBe(docs.length);
      const again = await t.pushDocs(docs);
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ accepted: 0, duplicates: docs.length, ackedTillSeq: docs.length });
      expect((await flags(h, 'push-apply-failed')).length).toBe(1);
      // The till stops counting the parked documents: its view after syncing is the server's member.
      await t.sync();
      expect(t.view(m).state).toEqual(await serverState(h, m));
      expect(await ledgerMismatches(h)).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it('a group of pushes that fails is taken push by push: the others are applied, only the failing one parked', async () => {
    // Two tills' pushes in one group (group commit); the database refuses the failing push's member only.
    const bad = demoUlid(17);
    const good = demoUlid(18);
    await a.sync();
    await b.sync();
    const badDocs = a.sell(bad, [[MILK]]);
    const goodDocs = b.sell(good, [[MILK, 2]]);
    a.markPushed();
    b.markPushed();
    const faulty: Db = {
      ...h.db,
      tx: (fn) =>
        h.db.tx((q) =>
          fn(async (sql, params) => {
            if (sql.includes('UPDATE members SET state') && JSON.stringify(params).includes(bad)) {
              throw new Error('simulated storage fault');
            }
            return q(sql, params);
          }),
        ),
    };
    const push = (t: TestTill, docs: readonly JournalDoc[]) =>
      pushRequestSchema.parse({
        epoch: t.epoch,
        sentAt: new Date().toISOString(),
        rows: docs.map((d) => ({ newDocumentState: d, assumedMasterState: null })),
      });
    const balance = (await serverState(h, good)).balance;
    const [first, second] = await ingestGroup(
      faulty,
      [
        { till: { tillId: a.tillId, storeId: 'store-1' }, push: push(a, badDocs) },
        { till: { tillId: b.tillId, storeId: 'store-1' }, push: push(b, goodDocs) },
      ],
      { recheck: true },
    );
    expect(first).toMatchObject({ status: 'fulfilled', value: { ackedTillSeq: badDocs.at(-1)!.tillSeq } });
    expect(first?.status === 'fulfilled' && first.value.parked.map((p) => p.code)).toEqual(
      badDocs.map(() => 'APPLY_FAILED'),
    );
    expect(second).toMatchObject({
      status: 'fulfilled',
      value: { accepted: goodDocs.length, parked: [], ackedTillSeq: goodDocs.at(-1)!.tillSeq },
    });
    expect((await serverState(h, good)).balance).toBeGreaterThan(balance);
    expect(await ledgerMismatches(h)).toEqual([]);
    await b.sync();
    expect(b.view(good).state).toEqual(await serverState(h, good));
  });

  it('the same push sent twice changes nothing the second time', async () => {
    const m = demoUlid(15);
    await a.sync();
    const docs = a.sell(m, [[COFFEE, 2]]);
    await a.pushAll();
    const before = await checksum(h);
    const again = await a.pushDocs(docs);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ accepted: 0, duplicates: docs.length });
    // Only the till's clock offset may have been refreshed.
    const stable = (s: string) => s.replace(/till_epochs:[^|]*/, '');
    expect(stable(await checksum(h))).toBe(stable(before));
  });

  it('a sale with a promotion and two of one reward is booked as the till priced it (the server re-runs both)', async () => {
    // The demo week's "Care: 3 for 2", and the 5.00 voucher allowed twice per order.
    const [ref] = await h.db.query<{ data: { rewards: Array<Record<string, unknown>> } }>(
      "SELECT data FROM refdata WHERE id = 'program:supermarket'",
    );
    await adminJson(h, '/api/v1/admin/programs/supermarket', {
      method: 'PUT',
      body: JSON.stringify({
        ...ref!.data,
        rewards: ref!.data.rewards.map((r) => (r.id === 'five-off' ? { ...r, maxPerOrder: 2 } : r)),
      }),
    });
    await a.sync();
    const m = demoUlid(19); // opening 1166
    const parkedBefore = await h.db.query('SELECT id FROM parked_docs');
    a.sell(m, [['p-043', 3], [BEANS]], { redeem: { kind: 'reward', rewardId: 'five-off', count: 2 } });
    const view = a.view(m).state;
    // 3 × 1.99 − 1.99 (the third free) + 14.99 − 10.00 = 8.97, the 10.00 shared 2.10 / 7.90: beans 7.09 at double
    // points and toothpaste 1.88 make 16.06, × 1.25 for Silver = 20 points; 1,166 − 1,000 + 20.
    expect(view.balance).toBe(186);
    await a.pushAll();
    expect(await serverState(h, m)).toEqual(view);
    const [sale] = await h.db.query<{ total_minor: string }>('SELECT total_minor FROM sales WHERE member_id = $1', [m]);
    expect(Number(sale!.total_minor)).toBe(897);
    expect(await h.db.query('SELECT id FROM parked_docs')).toHaveLength(parkedBefore.length);
    expect(await ledgerMismatches(h)).toEqual([]);
  });

  it('a next-order coupon given at one till is taken at another; taken twice offline, it is flagged', async () => {
    const [ref] = await h.db.query<{ data: { promotions: unknown[] } }>(
      "SELECT data FROM refdata WHERE id = 'program:supermarket'",
    );
    await adminJson(h, '/api/v1/admin/programs/supermarket', {
      method: 'PUT',
      body: JSON.stringify({
        ...ref!.data,
        promotions: [
          ...ref!.data.promotions,
          {
            id: 'spend-25',
            name: 'Spend 25.00, get 3.00 off next time',
            audience: 'members',
            condition: { minAmountMinor: 2500, amountOf: 'order' },
            benefit: { kind: 'next-order-coupon', promotionId: 'back-soon' },
            maxClaimsPerOrder: null,
          },
          {
            id: 'back-soon',
            name: 'Back soon: 3.00 off',
            audience: 'members',
            coupon: true,
            benefit: { kind: 'amount-off', amountMinor: 300, on: 'order' },
          },
        ],
      }),
    });
    const m = demoUlid(3);
    await a.sync();
    await b.sync();
    // 2 × 14.99 = 29.98: one coupon (two would need 50.00). Not for this sale.
    const [first] = a.sell(m, [[BEANS, 2]]);
    expect(first!.kind === 'sale' && first!.body.totalMinor).toBe(2998);
    await a.pushAll();
    expect((await serverState(h, m)).offerUses['coupon:back-soon']).toBe(1);
    // At the other till, the next sale takes 3.00 off: 6.99 → 3.99; and gives no coupon (under 25.00).
    await b.sync();
    const [second] = b.sell(m, [[COFFEE]]);
    expect(second!.kind === 'sale' && second!.body.totalMinor).toBe(399);
    await b.pushAll();
    expect((await serverState(h, m)).offerUses).toMatchObject({ 'coupon:back-soon': 1, 'promotion:back-soon': 1 });
    expect(await flags(h, 'coupon-overused')).toEqual([]);
    // A new coupon, taken at both tills while offline: both sales stand, the second use is flagged.
    await a.sync();
    a.sell(m, [[BEANS, 2]]);
    await a.pushAll();
    await a.sync();
    await b.sync();
    const taken = [a, b].map((t) => t.sell(m, [[COFFEE]], { offline: true })[0]!);
    expect(taken.map((d) => d.kind === 'sale' && d.body.totalMinor)).toEqual([399, 399]);
    await a.pushAll();
    await b.pushAll();
    expect((await serverState(h, m)).offerUses).toMatchObject({ 'coupon:back-soon': 2, 'promotion:back-soon': 3 });
    expect((await flags(h, 'coupon-overused')).map((f) => f.member_id)).toEqual([m]);
    expect(await ledgerMismatches(h)).toEqual([]);
  });

  it('a welcome code once per member, taken at two tills offline: both sales stand, the overuse is flagged', async () => {
    const m = demoUlid(20);
    await a.sync();
    await b.sync();
    const [saleA] = a.sell(m, [[BEANS, 2]], { offline: true, codes: ['welcome5'] });
    const [saleB] = b.sell(m, [[BEANS, 2]], { offline: true, codes: ['WELCOME5'] });
    expect([saleA!, saleB!].map((d) => (d.kind === 'sale' ? [d.body.codes, d.body.totalMinor] : null))).toEqual([
      [['WELCOME5'], 2498],
      [['WELCOME5'], 2498],
    ]);
    await a.pushAll();
    expect(await flags(h, 'code-overused')).toEqual([]);
    const [reply] = await b.pushAll();
    // Each till priced with what it could see; the customer had the discount at both: the use counts twice, and
    // the member is flagged for review (as an offer used beyond its limit is), with nothing parked.
    expect(reply!.parked).toEqual([]);
    expect((await serverState(h, m)).offerUses['promotion:welcome5']).toBe(2);
    expect(
      (
        await h.db.query<{ detail: unknown }>(
          "SELECT detail FROM review_flags WHERE kind = 'code-overused' AND member_id = $1",
          [m],
        )
      ).map((f) => f.detail),
    ).toEqual([{ uses: 2, maxUses: 1 }]);
    // Back online, both tills see the code used up for this member.
    await a.sync();
    expect(() => a.sell(m, [[BEANS, 2]], { codes: ['WELCOME5'] })).toThrow(/used up/);
    expect(await ledgerMismatches(h)).toEqual([]);
  });
});
