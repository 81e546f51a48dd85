/**
 * The server's LISTEN connection on a real PostgreSQL: when it is killed (a database restart or a
 * failover does that), the server does not crash; it listens again and live streams carry on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
});
