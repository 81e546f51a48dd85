/**
 * Operating the central server, over real HTTP on PGlite and on a real
 * PostgreSQL server: one error shape for every non-2xx answer, health and
 * readiness (also with the database really gone), Prometheus metrics after
 * real sales, and request ids in replies and log lines.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer, type LogStream } from '../../src-server/app';
import { openPglite, openPostgres, type Db } from '../../src-server/db';
import { migrate } from '../../src-server/migrate';
import { demoUlid, seedDemo } from '../../src-server/seed';
import { entryDoc } from '../support/journal';
import { postgresUrl, startHarness, type Backend, type Harness } from '../support/server-harness';
import { TestTill } from '../support/test-till';

const backends: Backend[] = postgresUrl() ? ['pglite', 'postgres'] : ['pglite'];
const admin = { authorization: 'Bearer test-admin' };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

type ErrorReply = { error: { code: string; message: string; details?: unknown } };

async function errorOf(res: Response): Promise<ErrorReply> {
  const body = (await res.json()) as ErrorReply;
  expect(Object.keys(body)).toEqual(['error']);
  expect(typeof body.error.code).toBe('string');
  expect(typeof body.error.message).toBe('string');
  return body;
}

/** One sample of a Prometheus text exposition: `undefined` when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = new Map([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1], l[2]]));
    if (Object.entries(labels).every(([k, v]) => got.get(k) === v)) return Number(m[3]);
  }
  return undefined;
}

function labelValues(text: string, name: string, label: string): string[] {
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`))
    .map((l) => new RegExp(`${label}="([^"]*)"`).exec(l)?.[1] ?? '');
}

async function scrape(url: string): Promise<string> {
  const res = await fetch(`${url}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/plain');
  return res.text();
}

describe.each(backends)('operations on %s', (backend) => {
  let h: Harness & { tokens: string[] };
  beforeAll(async () => {
    h = await startHarness(backend);
  });
  afterAll(async () => h?.close());

  it('an unknown route answers 404 NOT_FOUND in the one error shape', async () => {
    const res = await fetch(`${h.url}/api/v1/no-such-thing?x=1`);
    expect(res.status).toBe(404);
    expect((await errorOf(res)).error.code).toBe('NOT_FOUND');
    const post = await fetch(`${h.url}/nope`, {
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'application/json' },
    });
    expect(post.status).toBe(404);
    expect((await errorOf(post)).error.code).toBe('NOT_FOUND');
  });

  it('a body over the limit answers 413 BODY_TOO_LARGE', async () => {
    const res = await fetch(`${h.url}/api/v1/replication/journal/push`, {
      method: 'POST',
      headers: { authorization: `Bearer ${h.token}`, 'content-type': 'application/json', 'x-kassa-wire': '2' },
      body: JSON.stringify({ rows: 'x'.repeat(9 * 1024 * 1024) }),
    });
    expect(res.status).toBe(413);
    expect((await errorOf(res)).error.code).toBe('BODY_TOO_LARGE');
  });

  it('a body that is not JSON answers 415 UNSUPPORTED_MEDIA_TYPE', async () => {
    for (const [path, type] of [
      ['/api/v1/replication/journal/push', 'text/plain'],
      ['/api/v1/enrol', 'text/plain; charset=utf-8'],
      ['/api/v1/admin/expire', 'application/x-www-form-urlencoded'],
    ] as const) {
      const res = await fetch(`${h.url}${path}`, {
        method: 'POST',
        headers: { ...admin, 'content-type': type },
        body: '{"code":"TEST-TILL-1"}',
      });
      expect(res.status, path).toBe(415);
      expect((await errorOf(res)).error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    }
  });

  it('broken or empty JSON answers 400 BAD_REQUEST', async () => {
    for (const body of ['{"rows": [', '', '{"__proto__": {"x": 1}}']) {
      const res = await fetch(`${h.url}/api/v1/admin/expire`, {
        method: 'POST',
        headers: { ...admin, 'content-type': 'application/json' },
        body,
      });
      expect(res.status, JSON.stringify(body)).toBe(400);
      const { error } = await errorOf(res);
      expect(error.code).toBe('BAD_REQUEST');
    }
  });

  it('admin input that fails validation is 400 BAD_REQUEST, never 404', async () => {
    for (const [method, path, body] of [
      ['GET', '/api/v1/admin/sales?limit=0', undefined],
      ['GET', '/api/v1/admin/sales?limit=lots', undefined],
      ['POST', '/api/v1/admin/expire', '{"at":"yesterday"}'],
      ['GET', '/api/v1/admin/parked?status=maybe', undefined],
    ] as const) {
      const res = await fetch(`${h.url}${path}`, {
        method,
        headers: { ...admin, ...(body ? { 'content-type': 'application/json' } : {}) },
        body,
      });
      expect(res.status, path).toBe(400);
      expect((await errorOf(res)).error.code).toBe('BAD_REQUEST');
    }
    const ok = await fetch(`${h.url}/api/v1/admin/sales?limit=1`, { headers: admin });
    expect(ok.status).toBe(200);
  });

  it('the codes tills rely on keep their statuses, in the same shape', async () => {
    const noToken = await fetch(`${h.url}/api/v1/replication/members/pull`);
    expect(noToken.status).toBe(401);
    expect((await errorOf(noToken)).error.code).toBe('AUTH_MISSING');
    const malformed = await fetch(`${h.url}/api/v1/replication/journal/push`, {
      method: 'POST',
      headers: { authorization: `Bearer ${h.token}`, 'content-type': 'application/json', 'x-kassa-wire': '2' },
      body: '{"rows":"nope"}',
    });
    expect(malformed.status).toBe(400);
    expect((await errorOf(malformed)).error.code).toBe('PUSH_MALFORMED');
    const program = await fetch(`${h.url}/api/v1/admin/programs/x`, {
      method: 'PUT',
      headers: { ...admin, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(program.status).toBe(400);
    expect((await errorOf(program)).error).toMatchObject({ code: 'PROGRAM_INVALID', details: expect.any(Array) });
  });

  it('health: live and ready answer 200, and the old route reports the database', async () => {
    const live = await fetch(`${h.url}/api/v1/health/live`);
    expect(live.status).toBe(200);
    expect(await live.json()).toMatchObject({ status: 'live', version: expect.any(String) });
    const ready = await fetch(`${h.url}/api/v1/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', database: backend, migrations: expect.any(Number) });
    const health = await fetch(`${h.url}/api/v1/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ ok: true, database: backend, databaseOk: true });
  });

  it('ready answers 503 NOT_READY while a migration is missing from schema_migrations', async () => {
    const [last] = await h.db.query<{ name: string; applied_at: string }>(
      'SELECT name, applied_at FROM schema_migrations ORDER BY name DESC LIMIT 1',
    );
    await h.db.query('DELETE FROM schema_migrations WHERE name = $1', [last!.name]);
    try {
      const ready = await fetch(`${h.url}/api/v1/health/ready`);
      expect(ready.status).toBe(503);
      const { error } = await errorOf(ready);
      expect(error).toMatchObject({ code: 'NOT_READY', details: { reason: 'migrations', missing: [last!.name] } });
      expect(error.message).toContain(last!.name);
      expect((await fetch(`${h.url}/api/v1/health`)).status).toBe(503);
      expect((await fetch(`${h.url}/api/v1/health/live`)).status).toBe(200);
      await h.db.query("INSERT INTO schema_migrations (name) VALUES ('999-from-a-newer-server.sql')");
      const newer = await errorOf(await fetch(`${h.url}/api/v1/health/ready`));
      expect(newer.error.details).toMatchObject({ unknown: ['999-from-a-newer-server.sql'] });
    } finally {
      await h.db.query("DELETE FROM schema_migrations WHERE name = '999-from-a-newer-server.sql'");
      await h.db.query('INSERT INTO schema_migrations (name, applied_at) VALUES ($1, $2)', [
        last!.name,
        last!.applied_at,
      ]);
    }
    expect((await fetch(`${h.url}/api/v1/health/ready`)).status).toBe(200);
  });

  it('/metrics exposes the named metrics with sane values after real sales', async () => {
    const before = await scrape(h.url);
    const till = new TestTill(h.url, h.token, 'till-1');
    await till.sync();
    const sale = till.sell(demoUlid(3), [['p-001', 1]]);
    const [reply] = await till.pushAll();
    expect(reply).toMatchObject({ accepted: sale.length, parked: [] });
    // A till-made adjustment is parked (tills may not adjust): one applied push, one parked document.
    till.write(
      entryDoc({ tillId: 'till-1', tillSeq: till.nextSeq(), memberId: demoUlid(3), points: 5, type: 'adjust' }),
    );
    const [second] = await till.pushAll();
    expect(second!.parked).toHaveLength(1);
    await fetch(`${h.url}/api/v1/replication/members/pull?seq=0&limit=1`, {
      headers: { authorization: `Bearer ${h.token}` },
    });
    await fetch(`${h.url}/api/v1/definitely/not/here`);

    const stream = new AbortController();
    const sse = await fetch(`${h.url}/api/v1/replication/members/stream`, {
      headers: { authorization: `Bearer ${h.token}` },
      signal: stream.signal,
    });
    expect(sse.status).toBe(200);
    const text = await scrape(h.url);
    stream.abort();

    const delta = (name: string, labels: Record<string, string> = {}) =>
      (sample(text, name, labels) ?? 0) - (sample(before, name, labels) ?? 0);
    // `accepted` counts every new document taken, the parked one included.
    expect(delta('kassa_documents_applied_total')).toBe(sale.length + 1);
    expect(delta('kassa_documents_parked_total')).toBe(1);
    expect(delta('kassa_push_batch_documents_count')).toBe(2);
    expect(delta('kassa_push_batch_documents_sum')).toBe(sale.length + 1);
    expect(delta('kassa_push_duration_seconds_count')).toBe(2);
    const pushSeconds = delta('kassa_push_duration_seconds_sum');
    expect(pushSeconds).toBeGreaterThan(0);
    expect(pushSeconds).toBeLessThan(60);
    const push = { route: '/api/v1/replication/journal/push', method: 'POST', status: '200' };
    expect(delta('kassa_http_requests_total', push)).toBe(2);
    const pullRoute = { route: '/api/v1/replication/:collection/pull', method: 'GET', status: '200' };
    expect(delta('kassa_http_requests_total', pullRoute)).toBeGreaterThanOrEqual(4);
    expect(delta('kassa_http_requests_total', { route: 'unmatched', status: '404' })).toBe(1);
    expect(sample(text, 'kassa_http_request_duration_seconds_count', { route: push.route })).toBeGreaterThanOrEqual(2);
    // Cardinality stays bounded: route labels are templates, never raw URLs.
    const routeLabels = labelValues(text, 'kassa_http_requests_total', 'route');
    expect(routeLabels.length).toBeGreaterThan(0);
    expect(routeLabels.filter((r) => r.includes('?') || r.includes('members') || r.includes('definitely'))).toEqual([]);

    const since = sample(text, 'kassa_till_last_push_seconds', { till: 'till-1' });
    expect(since).toBeGreaterThanOrEqual(0);
    expect(since).toBeLessThan(60);
    expect(sample(text, 'kassa_live_streams_open')).toBe(1);
    const [open] = await h.db.query<{ flags: string | number; parked: string | number }>(
      `SELECT (SELECT count(*) FROM review_flags WHERE resolved_at IS NULL) AS flags,
              (SELECT count(*) FROM parked_docs WHERE status = 'open') AS parked`,
    );
    expect(sample(text, 'kassa_review_flags_open')).toBe(Number(open!.flags));
    expect(sample(text, 'kassa_parked_documents_open')).toBe(Number(open!.parked));
    expect(Number(open!.parked)).toBeGreaterThanOrEqual(1);
    await h.db.query("INSERT INTO review_flags (kind, detail) VALUES ('ops-test', '{}')");
    expect(sample(await scrape(h.url), 'kassa_review_flags_open')).toBe(Number(open!.flags) + 1);
    // prom-client's default process metrics are there too.
    expect(sample(text, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(sample(text, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
  });

  it('a given x-request-id is echoed; an absent or malformed one is replaced by a generated one', async () => {
    const given = await fetch(`${h.url}/api/v1/health/live`, { headers: { 'x-request-id': 'lb-7f3a:trace.42' } });
    expect(given.headers.get('x-request-id')).toBe('lb-7f3a:trace.42');
    const onError = await fetch(`${h.url}/api/v1/nowhere`, { headers: { 'x-request-id': 'err-1' } });
    expect(onError.status).toBe(404);
    expect(onError.headers.get('x-request-id')).toBe('err-1');
    const absent = await fetch(`${h.url}/api/v1/health/live`);
    expect(absent.headers.get('x-request-id')).toMatch(UUID);
    for (const bad of ['has spaces', 'a"b', 'x'.repeat(129), '<script>', '']) {
      const res = await fetch(`${h.url}/api/v1/health/live`, { headers: { 'x-request-id': bad } });
      const id = res.headers.get('x-request-id');
      expect(id, JSON.stringify(bad)).toMatch(UUID);
    }
    const a = await fetch(`${h.url}/api/v1/health/live`);
    const b = await fetch(`${h.url}/api/v1/health/live`);
    expect(a.headers.get('x-request-id')).not.toBe(b.headers.get('x-request-id'));
  });
});

/** A Db whose queries and transactions fail while `down` is set, as when the database server is unreachable. */
function switchable(db: Db): Db & { down: boolean } {
  const outage = () => Promise.reject(new Error('connect ECONNREFUSED 10.9.8.7:5432 secret-internal-detail'));
  const wrapped: Db & { down: boolean } = {
    down: false,
    kind: db.kind,
    query: <T>(sql: string, params?: readonly unknown[]) => (wrapped.down ? outage() : db.query<T>(sql, params)),
    tx: (fn) => (wrapped.down ? outage() : db.tx(fn)),
    listen: (channel, onPayload) => db.listen(channel, onPayload),
    close: () => db.close(),
  };
  return wrapped;
}

type Started = { app: FastifyInstance; url: string; lines: Array<Record<string, unknown>> };

async function serve(db: Db): Promise<Started> {
  const lines: Array<Record<string, unknown>> = [];
  const stream: LogStream = { write: (line) => void lines.push(JSON.parse(line) as Record<string, unknown>) };
  const app = await buildServer({ db, adminToken: 'test-admin', logger: { level: 'debug', stream } });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  return { app, url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`, lines };
}

/** A database of its own on the test PostgreSQL server, so it can be dropped under a running server. */
async function throwawayDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const base = postgresUrl()!;
  const name = `kassa_ops_${randomBytes(6).toString('hex')}`;
  const root = openPostgres(base);
  await root.query(`CREATE DATABASE ${name}`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      await root.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await root.close();
    },
  };
}

describe.each(backends)('a server whose database is down, on %s', (backend) => {
  let base: Db;
  let db: Db & { down: boolean };
  let s: Started;
  let throwaway: { url: string; drop: () => Promise<void> } | undefined;
  beforeAll(async () => {
    if (backend === 'postgres') throwaway = await throwawayDatabase();
    base = throwaway ? openPostgres(throwaway.url) : await openPglite('memory://');
    await migrate(base);
    await seedDemo(base, { enrolCode: 'OPS-TILL' });
    db = switchable(base);
    s = await serve(db);
  });
  afterAll(async () => {
    await s?.app.close();
    await base?.close();
    await throwaway?.drop();
  });

  it('ready and health answer 503 NOT_READY while queries fail, live stays 200, and ready recovers', async () => {
    db.down = true;
    try {
      const ready = await fetch(`${s.url}/api/v1/health/ready`);
      expect(ready.status).toBe(503);
      const { error } = await errorOf(ready);
      expect(error).toMatchObject({ code: 'NOT_READY', details: { reason: 'database' } });
      expect(error.message).toBe('The database does not answer queries');
      expect(JSON.stringify(error)).not.toMatch(/ECONNREFUSED|secret|10\.9\.8\.7/);
      const health = await fetch(`${s.url}/api/v1/health`);
      expect(health.status).toBe(503);
      expect((await errorOf(health)).error.code).toBe('NOT_READY');
      expect((await fetch(`${s.url}/api/v1/health/live`)).status).toBe(200);
      // /metrics still answers; the database gauges read NaN rather than a stale number.
      const text = await scrape(s.url);
      expect(sample(text, 'kassa_review_flags_open')).toBeNaN();
      expect(sample(text, 'kassa_parked_documents_open')).toBeNaN();
      expect(sample(text, 'kassa_live_streams_open')).toBe(0);
    } finally {
      db.down = false;
    }
    expect((await fetch(`${s.url}/api/v1/health/ready`)).status).toBe(200);
  });

  it('a 5xx answers INTERNAL with nothing internal, and its log line carries the request id', async () => {
    db.down = true;
    let res: Response;
    try {
      res = await fetch(`${s.url}/api/v1/admin/summary`, { headers: { ...admin, 'x-request-id': 'ops-500' } });
    } finally {
      db.down = false;
    }
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({ error: { code: 'INTERNAL', message: 'Internal server error' } });
    expect(text).not.toMatch(/ECONNREFUSED|secret|stack|10\.9\.8\.7/);
    expect(res.headers.get('x-request-id')).toBe('ops-500');
    const failed = s.lines.find((l) => l.msg === 'request failed' && l.reqId === 'ops-500');
    expect(failed).toBeDefined();
    expect(JSON.stringify(failed)).toContain('secret-internal-detail');
  });

  it('every log line of a request carries its id', async () => {
    s.lines.length = 0;
    await fetch(`${s.url}/api/v1/health/ready`, { headers: { 'x-request-id': 'ops-logs-1' } });
    await fetch(`${s.url}/api/v1/no-route`, { headers: { 'x-request-id': 'ops-logs-2' } });
    await fetch(`${s.url}/api/v1/health/live`);
    const requestLines = s.lines.filter((l) => l.req !== undefined || l.res !== undefined);
    expect(requestLines.length).toBeGreaterThanOrEqual(6);
    expect(requestLines.every((l) => typeof l.reqId === 'string' && l.reqId.length > 0)).toBe(true);
    expect(requestLines.filter((l) => l.reqId === 'ops-logs-1')).toHaveLength(2);
    expect(requestLines.filter((l) => l.reqId === 'ops-logs-2')).toHaveLength(2);
  });

  it.runIf(backend === 'postgres')('ready answers 503 NOT_READY when the database is really gone', async () => {
    const gone = await throwawayDatabase();
    const real = openPostgres(gone.url);
    await migrate(real);
    // The server's own pool, LISTEN included: its connection dies with the database and keeps trying to
    // come back, without crashing the process, until the server closes.
    const server = await serve(real);
    try {
      expect((await fetch(`${server.url}/api/v1/health/ready`)).status).toBe(200);
      await gone.drop();
      const ready = await fetch(`${server.url}/api/v1/health/ready`);
      expect(ready.status).toBe(503);
      const { error } = await errorOf(ready);
      expect(error).toMatchObject({ code: 'NOT_READY', details: { reason: 'database' } });
      expect((await fetch(`${server.url}/api/v1/health/live`)).status).toBe(200);
    } finally {
      await server.app.close();
      await real.close();
    }
  });
});
