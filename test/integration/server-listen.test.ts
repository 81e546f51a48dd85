/**
 * The server's LISTEN connection on a real PostgreSQL: when it is killed (a database restart or a
 * failover does that), the server does not crash; it listens again and live streams carry on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgres } from '../../src-server/db/postgres';
import { demoUlid } from '../../src-server/seed';
import { postgresUrl, startHarness, type Harness } from '../support/server-harness';
import { TestTill } from '../support/test-till';

describe.runIf(postgresUrl())('live streams when the LISTEN connection dies', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('postgres', ['LISTEN-1']);
  });
  afterAll(async () => h?.close());

  it('listens again after its connection is terminated, and the stream still hears changes', async () => {
    const controller = new AbortController();
    const res = await fetch(`${h.url}/api/v1/replication/members/stream`, {
      headers: { authorization: `Bearer ${h.token}` },
      signal: controller.signal,
    });
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    expect((await reader.read()).value).toContain('RESYNC');
    const killed = await h.db.query<{ pg_terminate_backend: boolean }>(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query ILIKE 'LISTEN %' AND pid <> pg_backend_pid()",
    );
    expect(killed.length).toBeGreaterThan(0);
    const member = demoUlid(3);
    const till = new TestTill(h.url, h.token, 'till-1');
    await till.sync();
    // Until the LISTEN is back a change may go unheard; keep selling until one is heard.
    let text = '';
    const deadline = Date.now() + 15_000;
    while (!text.includes(member) && Date.now() < deadline) {
      till.sell(member, [['p-001']]);
      await till.pushAll();
      const chunk = await Promise.race([
        reader.read().then((r) => r.value ?? ''),
        new Promise<string>((r) => setTimeout(() => r(''), 500)),
      ]);
      text += chunk;
    }
    expect(text).toContain(member);
    controller.abort();
  });

  it('closes at once when its LISTEN connection dies just before shutdown, releasing each client once', async () => {
    const db = openPostgres(postgresUrl()!);
    const heard: string[] = [];
    const unlisten = await db.listen('kassa_listen_close_test', (p) => heard.push(p));
    const killed = await h.db.query<{ pg_terminate_backend: boolean }>(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = 'LISTEN kassa_listen_close_test'",
    );
    expect(killed).toHaveLength(1);
    // Let the error arrive, so the shutdown lands inside the reconnect's back-off.
    await new Promise((r) => setTimeout(r, 50));
    const shutdown = (async () => {
      await unlisten();
      await db.close();
      return 'closed';
    })();
    const hung = new Promise((r) => setTimeout(() => r('hung'), 20_000));
    expect(await Promise.race([shutdown, hung])).toBe('closed');
    // No reconnect after the unsubscribe: the subscriber was never told to re-read.
    expect(heard).toEqual([]);
  });

  it("hands a healthy LISTEN client back to the pool without its listeners, so its later death is the pool's", async () => {
    const url = new URL(postgresUrl()!);
    url.searchParams.set('application_name', 'kassa-listen-release');
    const db = openPostgres(url.toString());
    const unlisten = await db.listen('kassa_listen_release_test', () => undefined);
    await unlisten();
    // The client now idles in the pool; killing it there must not reach the unsubscribed listener.
    const killed = await h.db.query<{ pg_terminate_backend: boolean }>(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'kassa-listen-release'",
    );
    expect(killed.length).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 200));
    expect(await db.query<{ one: number }>('SELECT 1 AS one')).toEqual([{ one: 1 }]);
    await db.close();
  });
});
