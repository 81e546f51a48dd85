/**
 * Limits and hardening of the central server over real HTTP, on PGlite and on
 * a real PostgreSQL server: rate limits per till token, per admin credential
 * and per address for enrolment (429 RATE_LIMITED with Retry-After, recovered
 * after the window), failed sign-ins throttled per address and logged at warn
 * without the token, CORS for loopback and configured origins only, security
 * headers on every kind of answer, and the cap on live streams per till.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildServer, type LogStream } from '../../src-server/app';
import { postgresUrl, pull, startHarness, type Backend, type Harness } from '../support/server-harness';

const backends: Backend[] = postgresUrl() ? ['pglite', 'postgres'] : ['pglite'];
const WINDOW_MS = 1000;
const LIMITS = {
  tillPerWindow: 5,
  adminPerWindow: 5,
  enrolPerWindow: 3,
  failedAuthPerWindow: 4,
  windowMs: WINDOW_MS,
  streamsPerTill: 2,
};
const admin = { authorization: 'Bearer test-admin' };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `maxRetryAfter`: the window, or the stream cap's fixed wait (5 s). */
async function expectRateLimited(res: Response, maxRetryAfter = Math.ceil(WINDOW_MS / 1000)): Promise<void> {
  expect(res.status).toBe(429);
  const retryAfter = Number(res.headers.get('retry-after'));
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(maxRetryAfter);
  const body = (await res.json()) as { error: { code: string; message: string } };
  expect(Object.keys(body)).toEqual(['error']);
  expect(body.error.code).toBe('RATE_LIMITED');
  expect(body.error.message.length).toBeGreaterThan(0);
}

function expectSecurityHeaders(res: Response): void {
  expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  expect(res.headers.get('referrer-policy')).toBe('no-referrer');
  expect(res.headers.get('x-frame-options')).toBe('DENY');
  expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  expect(res.headers.get('x-powered-by')).toBeNull();
}

function openStream(url: string, token: string, origin?: string) {
  const controller = new AbortController();
  const res = fetch(`${url}/api/v1/replication/members/stream`, {
    headers: { authorization: `Bearer ${token}`, ...(origin ? { origin } : {}) },
    signal: controller.signal,
  });
  return { res, abort: () => controller.abort() };
}

async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
}

describe.each(backends)('server hardening on %s', (backend) => {
  let h: Harness & { tokens: string[] };
  const lines: Array<Record<string, unknown>> = [];
  const stream: LogStream = { write: (line) => void lines.push(JSON.parse(line) as Record<string, unknown>) };

  beforeAll(async () => {
    h = await startHarness(backend, ['TEST-TILL-1', 'TEST-TILL-2'], {
      limits: LIMITS,
      logger: { level: 'info', stream },
    });
  });
  afterAll(async () => h?.close());
  // Every test starts in a fresh window (all requests come from 127.0.0.1).
  beforeEach(async () => {
    await sleep(WINDOW_MS + 100);
    lines.length = 0;
  });

  it('limits requests per till token (429 RATE_LIMITED, Retry-After) and recovers after the window', async () => {
    for (let i = 0; i < LIMITS.tillPerWindow; i++)
      expect((await pull(h.url, h.tokens[0]!, 'members', 0, 1)).status).toBe(200);
    const over = await fetch(`${h.url}/api/v1/till/state`, { headers: { authorization: `Bearer ${h.tokens[0]}` } });
    await expectRateLimited(over);
    expectSecurityHeaders(over);
    // Another till is counted on its own.
    expect((await pull(h.url, h.tokens[1]!, 'members', 0, 1)).status).toBe(200);
    await sleep(WINDOW_MS + 100);
    expect((await pull(h.url, h.tokens[0]!, 'members', 0, 1)).status).toBe(200);
  });

  it('limits requests per admin credential and recovers after the window', async () => {
    for (let i = 0; i < LIMITS.adminPerWindow; i++) {
      expect((await fetch(`${h.url}/api/v1/admin/summary`, { headers: admin })).status).toBe(200);
    }
    await expectRateLimited(await fetch(`${h.url}/api/v1/admin/tills`, { headers: admin }));
    // Till routes are a different limit.
    expect((await pull(h.url, h.token, 'members', 0, 1)).status).toBe(200);
    await sleep(WINDOW_MS + 100);
    expect((await fetch(`${h.url}/api/v1/admin/summary`, { headers: admin })).status).toBe(200);
  });

  it('limits enrolment attempts per address', async () => {
    const enrol = () =>
      fetch(`${h.url}/api/v1/enrol`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ code: 'NOPE-NOPE-NOPE-NOPE' }),
      });
    for (let i = 0; i < LIMITS.enrolPerWindow; i++) expect((await enrol()).status).toBe(401);
    await expectRateLimited(await enrol());
  });

  it('answers 429 to an address with too many failed sign-ins, before checking its token, and logs each at warn', async () => {
    const wrong = 'wrong-token-that-must-never-be-logged';
    for (let i = 0; i < LIMITS.failedAuthPerWindow; i++) {
      const res = await fetch(`${h.url}/api/v1/till/state`, { headers: { authorization: `Bearer ${wrong}` } });
      expect(res.status).toBe(401);
    }
    // Even the right token is refused now: the address is throttled, not the credential.
    await expectRateLimited(
      await fetch(`${h.url}/api/v1/till/state`, { headers: { authorization: `Bearer ${h.token}` } }),
    );
    await expectRateLimited(await fetch(`${h.url}/api/v1/admin/summary`, { headers: admin }));

    const warns = lines.filter((l) => l.msg === 'authentication failed');
    expect(warns).toHaveLength(LIMITS.failedAuthPerWindow);
    for (const w of warns) {
      expect(w.level).toBe(40);
      expect(w).toMatchObject({ route: '/api/v1/till/state', method: 'GET', ip: '127.0.0.1', code: 'AUTH_INVALID' });
    }
    const all = lines.map((l) => JSON.stringify(l)).join('\n');
    expect(all).not.toContain(wrong);
    expect(all).not.toContain(h.token);

    await sleep(WINDOW_MS + 100);
    const after = await fetch(`${h.url}/api/v1/till/state`, { headers: { authorization: `Bearer ${h.token}` } });
    expect(after.status).toBe(200);
  });

  it('allows loopback origins and the Electron till, refuses a foreign one, for simple requests, preflights and the live stream', async () => {
    for (const origin of ['http://127.0.0.1:5173', 'http://localhost:40123', 'http://[::1]:8080', 'kassa://till']) {
      const res = await fetch(`${h.url}/api/v1/health/live`, { headers: { origin } });
      expect(res.headers.get('access-control-allow-origin')).toBe(origin);
      const pre = await fetch(`${h.url}/api/v1/replication/journal/push`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' },
      });
      expect(pre.status).toBe(204);
      expect(pre.headers.get('access-control-allow-origin')).toBe(origin);
      expect(pre.headers.get('access-control-allow-headers')).toContain('authorization');
    }
    for (const origin of ['https://evil.example', 'http://127.0.0.1.evil.example', 'null', 'kassa://evil']) {
      const res = await fetch(`${h.url}/api/v1/health/live`, { headers: { origin } });
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
      const pre = await fetch(`${h.url}/api/v1/replication/journal/push`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' },
      });
      expect(pre.headers.get('access-control-allow-origin')).toBeNull();
      expect(pre.headers.get('access-control-allow-methods')).toBeNull();
    }

    const good = openStream(h.url, h.tokens[1]!, 'http://localhost:3000');
    const goodRes = await good.res;
    expect(goodRes.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
    good.abort();
    const bad = openStream(h.url, h.tokens[1]!, 'https://evil.example');
    expect((await bad.res).headers.get('access-control-allow-origin')).toBeNull();
    bad.abort();
  });

  it('allows only the configured origins when corsOrigins is set', async () => {
    const app = await buildServer({ db: h.db, adminToken: 'test-admin', corsOrigins: ['https://hq.example'] });
    try {
      const url = await listen(app);
      const hq = await fetch(`${url}/api/v1/health/live`, { headers: { origin: 'https://hq.example' } });
      expect(hq.headers.get('access-control-allow-origin')).toBe('https://hq.example');
      const loop = await fetch(`${url}/api/v1/health/live`, { headers: { origin: 'http://127.0.0.1:5173' } });
      expect(loop.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await app.close();
    }
  });

  it('sends security headers on a JSON reply, an error reply and the live stream; HSTS only when asked', async () => {
    const json = await fetch(`${h.url}/api/v1/health/live`);
    expect(json.status).toBe(200);
    expectSecurityHeaders(json);
    expect(json.headers.get('strict-transport-security')).toBeNull();

    const error = await fetch(`${h.url}/api/v1/no-such-route`);
    expect(error.status).toBe(404);
    expectSecurityHeaders(error);
    const unauth = await fetch(`${h.url}/api/v1/till/state`);
    expect(unauth.status).toBe(401);
    expectSecurityHeaders(unauth);

    const sse = openStream(h.url, h.tokens[1]!);
    const res = await sse.res;
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    expectSecurityHeaders(res);
    sse.abort();

    const app = await buildServer({ db: h.db, adminToken: 'test-admin', hsts: true });
    try {
      const url = await listen(app);
      const tls = await fetch(`${url}/api/v1/health/live`);
      expect(tls.headers.get('strict-transport-security')).toContain('max-age=31536000');
    } finally {
      await app.close();
    }
  });

  it('caps open live streams per till: the next one is 429 RATE_LIMITED until one closes', async () => {
    const open = [openStream(h.url, h.token), openStream(h.url, h.token)];
    for (const s of open) expect((await s.res).status).toBe(200);
    const third = openStream(h.url, h.token);
    await expectRateLimited(await third.res, 5);
    // Another till is not affected.
    const other = openStream(h.url, h.tokens[1]!);
    expect((await other.res).status).toBe(200);
    other.abort();

    open[0]!.abort();
    await sleep(WINDOW_MS + 100);
    const again = openStream(h.url, h.token);
    expect((await again.res).status).toBe(200);
    again.abort();
    open[1]!.abort();
  });
});
