/**
 * A member's history (shared/history.ts) from the real server over HTTP, on PGlite and (where TEST_DATABASE_URL
 * is set) PostgreSQL, into a real till database (RxDB on IndexedDB): the member's newest sales and points
 * movements, a household member's points from the shared account; cached for offline, with the till's own newer
 * documents on top; an unknown member, a bad id and a wrong token get coded refusals.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JournalDoc } from '../../shared/documents';
import { historyReason } from '../../shared/history';
import { createTillDatabase } from '../../src-renderer/src/db/database';
import { memberHistory, serverHistory } from '../../src-renderer/src/db/history';
import { demoCardNumber } from '../../src-server/seed';
import { nodeTillStorage } from '../support/node-storage';
import { callApi, postgresUrl, startHarness, type Backend, type Harness } from '../support/server-harness';
import { TestTill } from '../support/test-till';

const backends: Backend[] = postgresUrl() ? ['pglite', 'postgres'] : ['pglite'];

describe.each(backends)('member history on %s', (backend) => {
  let h: Harness & { tokens: string[] };
  beforeAll(async () => {
    h = await startHarness(backend, ['TEST-TILL-1']);
  });
  afterAll(async () => h?.close());

  it('answers the newest sales and movements, is cached for offline, and takes the till documents on top', async () => {
    const till = new TestTill(h.url, h.tokens[0]!, 'till-1');
    await till.sync();
    const member = [...till.members.values()].find((m) => m.cardNumber === demoCardNumber(4))!;
    const [product] = [...till.products.keys()];
    const first = till.sell(member.id, [[product!, 2]]);
    await till.pushAll();
    const server = serverHistory({ serverUrl: h.url, token: h.tokens[0]! });
    const answer = await server(member.id);
    if (typeof answer !== 'object') throw new Error(`no history: ${answer}`);
    expect(answer.memberId).toBe(member.id);
    expect(answer.sales[0]).toMatchObject({ id: first[0]!.id, tillId: 'till-1', receiptNo: null, refundOf: null });
    expect(answer.sales[0]!.lines[0]).toMatchObject({ productId: product, quantity: 2 });
    const earn = answer.entries.find((e) => e.saleId === first[0]!.id)!;
    expect(historyReason(earn).reason).toBe('earn');
    for (let i = 1; i < answer.entries.length; i++)
      expect(answer.entries[i - 1]!.at >= answer.entries[i]!.at).toBe(true);

    const db = await createTillDatabase({ name: `history-${backend}-${Date.now()}`, storage: nodeTillStorage() });
    try {
      const online = await memberHistory(db, server, member.id, member.id);
      expect(online.source).toBe('server');
      expect(online.sales.map((s) => s.id)).toEqual(answer.sales.map((s) => s.id));
      // Offline: the kept answer, with its time, and a sale this till made since on top.
      const later = till.sell(member.id, [[product!, 1]]);
      await db.journal.bulkInsert(later.map(({ _deleted: _, ...row }: JournalDoc & { _deleted?: boolean }) => row));
      const offline = await memberHistory(db, null, member.id, member.id);
      expect(offline.source).toBe('cache');
      expect(offline.asOf).toBe(online.asOf);
      expect(offline.sales[0]!.id).toBe(later[0]!.id);
      expect(offline.sales.slice(1).map((s) => s.id)).toEqual(answer.sales.map((s) => s.id));
      expect(offline.entries.some((e) => e.saleId === later[0]!.id)).toBe(true);
      // A member never looked up online here: only this till's own documents.
      const other = [...till.members.values()].find((m) => m.cardNumber === demoCardNumber(6))!;
      expect(await memberHistory(db, null, other.id, other.id)).toMatchObject({ source: 'own', sales: [], asOf: null });
    } finally {
      await db.close();
    }
  });

  it('refuses an unknown member, a bad id and a wrong token with their codes', async () => {
    const token = `Bearer ${h.tokens[0]!}`;
    const unknown = await callApi(h.url, 'GET', '/api/v1/till/members/01KZZZZZZZZZZZZZZZZZZZZZZZ/history', token);
    expect([unknown.status, unknown.body.error?.code]).toEqual([404, 'NOT_FOUND']);
    const bad = await callApi(h.url, 'GET', '/api/v1/till/members/not-an-id/history', token);
    expect([bad.status, bad.body.error?.code]).toEqual([400, 'BAD_REQUEST']);
    const wrong = await callApi(h.url, 'GET', '/api/v1/till/members/01KZZZZZZZZZZZZZZZZZZZZZZZ/history', 'Bearer x');
    expect(wrong.status).toBe(401);
    expect(wrong.body.error?.code).toMatch(/TOKEN|AUTH/);
    const server = serverHistory({ serverUrl: h.url, token: h.tokens[0]! });
    expect(await server('01KZZZZZZZZZZZZZZZZZZZZZZZ')).toBe('not-found');
  });
});
