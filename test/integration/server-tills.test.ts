/**
 * Stores and tills through the admin API, token rotation and revocation, over
 * real HTTP: in process on PGlite and PostgreSQL, and across two real server
 * processes on one PostgreSQL, where a revocation made through one must close
 * the till's live streams on both within a second.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { freePort, startServer, type Proc } from '../support/processes';
import { callApi, postgresUrl, startHarness, type Backend, type Harness } from '../support/server-harness';
import { TestTill } from '../support/test-till';
import { demoUlid } from '../../src-server/seed';

const backends: Backend[] = postgresUrl() ? ['pglite', 'postgres'] : ['pglite'];

/** An admin call with a Bearer token (the harness's bootstrap token by default). */
function call(url: string, method: string, path: string, body?: unknown, token = 'test-admin') {
  return callApi(url, method, path, `Bearer ${token}`, body);
}

async function enrol(url: string, code: string) {
  const res = await fetch(`${url}/api/v1/enrol`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code }),
  });
  return {
    status: res.status,
    body: (await res.json()) as { token: string; tillId: string; error?: { code: string } },
  };
}

/** Opens a live stream and resolves `ended` when the server closes it. */
async function openStream(url: string, token: string): Promise<{ ended: Promise<number>; abort: () => void }> {
  const controller = new AbortController();
  const res = await fetch(`${url}/api/v1/replication/members/stream`, {
    headers: { authorization: `Bearer ${token}` },
    signal: controller.signal,
  });
  expect(res.status).toBe(200);
  const reader = res.body!.getReader();
  const ended = (async () => {
    try {
      for (;;) if ((await reader.read()).done) break;
    } catch {
      // aborted by the test
    }
    return performance.now();
  })();
  return { ended, abort: () => controller.abort() };
}

describe.each(backends)('tills through the admin API on %s', (backend) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(backend);
  });
  afterAll(async () => h?.close());

  it('creates a store and a till, enrols once with its code, rotates and revokes its token, all audited', async () => {
    expect((await call(h.url, 'POST', '/api/v1/admin/stores', { id: 'store-2' }, 'wrong')).status).toBe(401);
    const bad = await call(h.url, 'POST', '/api/v1/admin/stores', { id: 'Store 2', name: '' });
    expect(bad).toMatchObject({ status: 400, body: { error: { code: 'BAD_REQUEST' } } });
    const storeBody = {
      id: 'store-2',
      name: 'Kassa Market Utrecht',
      currency: 'EUR',
      timeZone: 'Europe/Amsterdam',
      programId: 'supermarket',
      country: 'NL',
    };
    for (const country of ['nl', 'XX', 'NLD']) {
      const wrong = await call(h.url, 'POST', '/api/v1/admin/stores', { ...storeBody, country });
      expect(wrong, country).toMatchObject({ status: 400, body: { error: { code: 'BAD_REQUEST' } } });
    }
    const store = await call(h.url, 'POST', '/api/v1/admin/stores', storeBody);
    expect(store.status).toBe(201);
    expect((await call(h.url, 'POST', '/api/v1/admin/stores', { ...(store.body.store as object) })).status).toBe(409);
    const noStore = await call(h.url, 'POST', '/api/v1/admin/tills', { id: 'till-9', storeId: 'nowhere', name: 'x' });
    expect(noStore).toMatchObject({ status: 404, body: { error: { code: 'NOT_FOUND' } } });

    const created = await call(h.url, 'POST', '/api/v1/admin/tills', {
      id: 'till-21',
      storeId: 'store-2',
      name: 'Till 21',
    });
    expect(created.status).toBe(201);
    const code = created.body.enrolCode as string;
    expect(code).toMatch(/^[A-Z2-9]{4}(-[A-Z2-9]{4}){3}$/);
    const [stored] = await h.db.query<{ enrol_code_hash: string }>('SELECT enrol_code_hash FROM tills WHERE id = $1', [
      'till-21',
    ]);
    expect(stored!.enrol_code_hash).not.toContain(code);
    const first = await enrol(h.url, code);
    expect(first.status).toBe(200);
    expect(first.body.tillId).toBe('till-21');
    expect((await enrol(h.url, code)).body.error?.code).toBe('ENROL_CODE_INVALID');

    // The new store's till sees its own store in the reference data and can sell.
    const till = new TestTill(h.url, first.body.token, 'till-21', 'store-2');
    await till.sync();
    expect(till.store.name).toBe('Kassa Market Utrecht');
    // Its config has the store's country and the chain's phone key, for looking up typed phone numbers.
    expect(till.store.country).toBe('NL');
    expect(till.store.phoneKeys).toHaveLength(1);
    expect(till.findByPhone('06 1000 0002').map((m) => m.id)).toEqual([demoUlid(3)]);
    till.sell(demoUlid(3), [['p-001']]);
    await till.pushAll();

    // Head office sees when the till last called, and which tills stopped syncing.
    const seenList = (q = '') =>
      call(h.url, 'GET', `/api/v1/admin/tills${q}`).then(
        (r) => r.body as unknown as Array<{ id: string; lastSeenAt: string | null; stale: boolean }>,
      );
    const seen = (await seenList()).find((t) => t.id === 'till-21')!;
    expect(seen.lastSeenAt).not.toBeNull();
    expect(seen.stale).toBe(false);
    await h.db.query("UPDATE tills SET last_seen_at = now() - interval '2 hours' WHERE id = 'till-21'");
    expect((await seenList('?stale=true')).map((t) => t.id)).toContain('till-21');
    expect((await seenList('?stale=true&staleAfterMinutes=600')).map((t) => t.id)).not.toContain('till-21');
    // The replication lag: members changed since this till last pulled.
    const other = new TestTill(h.url, h.token, 'till-1');
    await other.sync();
    other.sell(demoUlid(4), [['p-001']]);
    await other.pushAll();
    const metrics = await (await fetch(`${h.url}/metrics`)).text();
    const lag = /kassa_replication_lag\{till="till-21",collection="members"\} (\d+)/.exec(metrics);
    expect(Number(lag?.[1])).toBeGreaterThan(0);

    // Rotation: the new token works, the old one no longer does.
    const rotated = await call(h.url, 'POST', '/api/v1/till/token/rotate', undefined, first.body.token);
    expect(rotated.status).toBe(200);
    const newToken = rotated.body.token as string;
    expect((await call(h.url, 'GET', '/api/v1/till/state', undefined, first.body.token)).body.error?.code).toBe(
      'AUTH_INVALID',
    );
    expect((await call(h.url, 'GET', '/api/v1/till/state', undefined, newToken)).status).toBe(200);

    // Revocation: every till route answers 401 TILL_REVOKED, with nothing written.
    const revoked = await call(h.url, 'POST', '/api/v1/admin/tills/till-21/revoke');
    expect(revoked.status).toBe(200);
    for (const [method, path] of [
      ['GET', '/api/v1/till/state'],
      ['GET', '/api/v1/replication/members/pull?seq=0'],
      ['GET', '/api/v1/replication/members/stream'],
      ['POST', '/api/v1/till/token/rotate'],
    ] as const) {
      const r = await call(h.url, method, path, undefined, newToken);
      expect(r, `${method} ${path}`).toMatchObject({ status: 401, body: { error: { code: 'TILL_REVOKED' } } });
    }
    const [before] = await h.db.query<{ n: string }>(
      "SELECT count(*) AS n FROM journal_inbox WHERE till_id = 'till-21'",
    );
    till.sell(demoUlid(3), [['p-001']]);
    const refused = await till.pushDocs(till.journal.slice(-2));
    expect(refused.status).toBe(401);
    const [after] = await h.db.query<{ n: string }>(
      "SELECT count(*) AS n FROM journal_inbox WHERE till_id = 'till-21'",
    );
    expect(after!.n).toBe(before!.n);

    const list = await call(h.url, 'GET', '/api/v1/admin/tills');
    expect(
      (list.body as unknown as Array<{ id: string; status: string }>).find((t) => t.id === 'till-21'),
    ).toMatchObject({
      status: 'revoked',
    });
    // A new code brings the machine back (a replacement till, say).
    const again = await call(h.url, 'POST', '/api/v1/admin/tills/till-21/enrolment-code');
    const back = await enrol(h.url, again.body.enrolCode as string);
    expect(back.status).toBe(200);
    expect((await call(h.url, 'GET', '/api/v1/till/state', undefined, back.body.token)).status).toBe(200);
    expect((await call(h.url, 'POST', '/api/v1/admin/tills/till-404/revoke')).status).toBe(404);

    const audit = await h.db.query<{ action: string }>(
      "SELECT action FROM audit_log WHERE target IN ('store-2', 'till-21') ORDER BY id",
    );
    expect(audit.map((a) => a.action)).toEqual([
      'store.create',
      'till.create',
      'till.token-rotate',
      'till.revoke',
      'till.enrolment-code',
    ]);
  });
});

describe.each(backends)('push tokens remembered by the server on %s', (backend) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(backend);
  });
  afterAll(async () => h?.close());

  async function inboxCount(tillId: string): Promise<number> {
    const [row] = await h.db.query<{ n: string | number }>(
      'SELECT count(*) AS n FROM journal_inbox WHERE till_id = $1',
      [tillId],
    );
    return Number(row!.n);
  }

  it('refuses a remembered token at once when the till row says otherwise, even with no notification', async () => {
    const till = new TestTill(h.url, h.token, 'till-1');
    await till.sync();
    till.sell(demoUlid(3), [['p-001']]);
    // The first push checks the token in the database and remembers it.
    expect((await till.pushDocs(till.journal.slice(-2))).status).toBe(200);
    const stored = await inboxCount('till-1');

    // Revoked behind the server's back (no NOTIFY): the group's own check under the till's lock refuses it.
    await h.db.query("UPDATE tills SET revoked_at = now() WHERE id = 'till-1'");
    till.sell(demoUlid(4), [['p-001']]);
    const revoked = await till.pushDocs(till.journal.slice(-2));
    expect(revoked).toMatchObject({ status: 401, body: { error: { code: 'TILL_REVOKED' } } });
    expect(await inboxCount('till-1')).toBe(stored);

    // Back, with a new token written directly: the old token is refused by the group, then at the door.
    const [row] = await h.db.query<{ token_hash: string }>("SELECT token_hash FROM tills WHERE id = 'till-1'");
    await h.db.query("UPDATE tills SET revoked_at = NULL, token_hash = 'elsewhere' WHERE id = 'till-1'");
    for (let i = 0; i < 2; i++) {
      const stale = await till.pushDocs(till.journal.slice(-2));
      expect(stale).toMatchObject({ status: 401, body: { error: { code: 'AUTH_INVALID' } } });
    }
    expect(await inboxCount('till-1')).toBe(stored);

    // The till's own token again: its pushes are taken, nothing was lost or doubled.
    await h.db.query("UPDATE tills SET token_hash = $1 WHERE id = 'till-1'", [row!.token_hash]);
    expect((await till.pushDocs(till.journal.slice(-2))).status).toBe(200);
    expect(await inboxCount('till-1')).toBe(stored + 2);
  });
});

describe.runIf(postgresUrl())('revocation across two server processes on one PostgreSQL', () => {
  const url = postgresUrl()!;
  let a: Proc;
  let b: Proc;
  let urlA: string;
  let urlB: string;

  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query('DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public');
    await admin.end();
    const [pa, pb] = [await freePort(), await freePort()];
    a = await startServer({ port: pa, databaseUrl: url, env: { KASSA_LOG_LEVEL: 'warn' } });
    b = await startServer({ port: pb, databaseUrl: url, env: { KASSA_LOG_LEVEL: 'warn' } });
    urlA = `http://127.0.0.1:${pa}`;
    urlB = `http://127.0.0.1:${pb}`;
  });
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
  });

  it("closes the till's live streams on both processes within a second, every time (50 revocations)", async () => {
    const closed: number[] = [];
    for (let i = 0; i < 50; i++) {
      const created = await call(urlA, 'POST', '/api/v1/admin/tills', {
        id: `till-r${i}`,
        storeId: 'store-1',
        name: `R${i}`,
      });
      expect(created.status).toBe(201);
      const { body } = await enrol(urlB, created.body.enrolCode as string);
      const streams = [await openStream(urlA, body.token), await openStream(urlB, body.token)];
      // Another till's stream stays open.
      const t0 = performance.now();
      const revoke = await call(i % 2 === 0 ? urlA : urlB, 'POST', `/api/v1/admin/tills/till-r${i}/revoke`);
      expect(revoke.status).toBe(200);
      const ends = await Promise.race([
        Promise.all(streams.map((s) => s.ended)),
        new Promise<null>((r) => setTimeout(() => r(null), 1000)),
      ]);
      expect(ends, `revocation ${i}: a stream stayed open past 1 s`).not.toBeNull();
      closed.push(Math.max(...ends!) - t0);
      for (const s of streams) s.abort();
      expect((await call(urlA, 'GET', '/api/v1/till/state', undefined, body.token)).body.error?.code).toBe(
        'TILL_REVOKED',
      );
    }
    const sorted = [...closed].sort((x, y) => x - y);
    console.log(
      `revoke → last stream closed over 50 revocations: median ${sorted[25]!.toFixed(1)} ms, max ${sorted.at(-1)!.toFixed(1)} ms`,
    );
  });

  it('leaves the streams of other tills open', async () => {
    const other = await call(urlA, 'POST', '/api/v1/admin/tills', {
      id: 'till-keep',
      storeId: 'store-1',
      name: 'Keep',
    });
    const kept = await enrol(urlA, other.body.enrolCode as string);
    const victim = await call(urlA, 'POST', '/api/v1/admin/tills', { id: 'till-go', storeId: 'store-1', name: 'Go' });
    const gone = await enrol(urlA, victim.body.enrolCode as string);
    const keep = await openStream(urlB, kept.body.token);
    const go = await openStream(urlB, gone.body.token);
    await call(urlA, 'POST', '/api/v1/admin/tills/till-go/revoke');
    await go.ended;
    const stillOpen = await Promise.race([
      keep.ended.then(() => false),
      new Promise((r) => setTimeout(() => r(true), 300)),
    ]);
    expect(stillOpen).toBe(true);
    keep.abort();
  });
});
