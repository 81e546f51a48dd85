/**
 * Who may use the admin API, over real HTTP on PGlite and PostgreSQL: users
 * with their own credentials and roles, every admin route against every kind
 * of caller that must be refused (a coded 401/403 and an unchanged
 * database), the audit log's who and where, and a real server process that
 * has no default secret.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startServer } from '../support/processes';
import { callApi, postgresUrl, startHarness, type Backend, type Harness } from '../support/server-harness';

const backends: Backend[] = postgresUrl() ? ['pglite', 'postgres'] : ['pglite'];

type Role = 'auditor' | 'manager' | 'admin';

/** Every admin route, the least role it needs, and a body that would be valid. */
const ROUTES: Array<{ method: string; path: string; role: Role; body?: unknown }> = [
  { method: 'GET', path: '/api/v1/admin/summary', role: 'auditor' },
  { method: 'GET', path: '/api/v1/admin/members/01KDVDNA000000000000000003', role: 'auditor' },
  { method: 'GET', path: '/api/v1/admin/sales', role: 'auditor' },
  { method: 'GET', path: '/api/v1/admin/review-flags', role: 'auditor' },
  { method: 'GET', path: '/api/v1/admin/parked', role: 'auditor' },
  { method: 'GET', path: '/api/v1/admin/tills', role: 'auditor' },
  { method: 'GET', path: '/api/v1/admin/members/01KDVDNA000000000000000003/export', role: 'manager' },
  { method: 'POST', path: '/api/v1/admin/expire', role: 'manager', body: {} },
  { method: 'PUT', path: '/api/v1/admin/programs/supermarket', role: 'manager', body: { format: 'kassa-program/1' } },
  { method: 'POST', path: '/api/v1/admin/parked/1/resolve', role: 'manager', body: {} },
  { method: 'POST', path: '/api/v1/admin/parked/1/replay', role: 'manager', body: {} },
  {
    method: 'POST',
    path: '/api/v1/admin/stores',
    role: 'admin',
    body: { id: 'store-x', name: 'X', currency: 'EUR', timeZone: 'UTC', programId: 'supermarket' },
  },
  { method: 'POST', path: '/api/v1/admin/tills', role: 'admin', body: { id: 'till-x', storeId: 'store-1', name: 'X' } },
  { method: 'POST', path: '/api/v1/admin/members/01KDVDNA000000000000000003/erase', role: 'admin', body: {} },
  { method: 'POST', path: '/api/v1/admin/phone-key/rotate', role: 'admin', body: {} },
  { method: 'POST', path: '/api/v1/admin/tills/till-1/revoke', role: 'admin', body: {} },
  { method: 'POST', path: '/api/v1/admin/tills/till-1/enrolment-code', role: 'admin', body: {} },
  { method: 'GET', path: '/api/v1/admin/users', role: 'admin' },
  { method: 'POST', path: '/api/v1/admin/users', role: 'admin', body: { id: 'u-x', name: 'X', role: 'admin' } },
  { method: 'POST', path: '/api/v1/admin/users/u-x/credential', role: 'admin', body: {} },
  { method: 'POST', path: '/api/v1/admin/users/u-x/disable', role: 'admin', body: {} },
  { method: 'GET', path: '/api/v1/admin/audit', role: 'auditor' },
  { method: 'GET', path: '/api/v1/admin/programs/supermarket/gift-cards', role: 'auditor' },
  { method: 'GET', path: '/api/v1/admin/programs/supermarket/gift-cards/GIFT-00000000', role: 'auditor' },
  {
    method: 'POST',
    path: '/api/v1/admin/members/01KDVDNA000000000000000003/adjust',
    role: 'manager',
    body: { points: 5, reason: 'Goodwill', requestId: 'req-access-1' },
  },
  { method: 'GET', path: '/api/v1/admin/staff', role: 'auditor' },
  {
    method: 'POST',
    path: '/api/v1/admin/staff',
    role: 'admin',
    body: { id: 'cashier-x', storeId: 'store-1', name: 'X', role: 'cashier', pin: '4071' },
  },
  { method: 'POST', path: '/api/v1/admin/staff/cashier-1/pin', role: 'admin', body: { pin: '4071' } },
  { method: 'POST', path: '/api/v1/admin/staff/cashier-1/deactivate', role: 'admin', body: {} },
  { method: 'POST', path: '/api/v1/admin/staff/cashier-1/activate', role: 'admin', body: {} },
];

async function checksum(h: Harness): Promise<string> {
  const parts: string[] = [];
  const tables = await h.db.query<{ tablename: string }>(
    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename",
  );
  for (const { tablename } of tables) {
    const [r] = await h.db.query<{ n: string; h: string | null }>(
      `SELECT count(*) AS n, md5(string_agg(md5(x::text), '' ORDER BY md5(x::text))) AS h FROM ${tablename} x`,
    );
    parts.push(`${tablename}:${r!.n}:${r!.h ?? ''}`);
  }
  return parts.join('|');
}

describe.each(backends)('admin users and roles on %s', (backend) => {
  let h: Harness;
  const cred: Partial<Record<Role, string>> = {};

  beforeAll(async () => {
    h = await startHarness(backend);
    for (const role of ['auditor', 'manager', 'admin'] as const) {
      const r = await callApi(h.url, 'POST', '/api/v1/admin/users', 'Bearer test-admin', {
        id: `${role}-1`,
        name: `The ${role}`,
        role,
      });
      expect(r.status).toBe(201);
      cred[role] = `Bearer ${String(r.body.credential)}`;
    }
  });
  afterAll(async () => h?.close());

  it('keeps only a hash of each credential', async () => {
    const rows = await h.db.query<{ credential_hash: string }>('SELECT credential_hash FROM admin_users');
    for (const r of rows) {
      expect(r.credential_hash).toMatch(/^scrypt:[0-9a-f]{32}:[0-9a-f]{64}$/);
      for (const c of Object.values(cred)) expect(r.credential_hash).not.toContain(c.split('.')[1]!);
    }
  });

  it('refuses every admin route to every caller that may not use it, with a code, and changes nothing', async () => {
    const tillToken = `Bearer ${h.token}`;
    const callers: Array<{
      name: string;
      auth: string | null;
      allowed: (role: Role) => boolean;
      status: number;
      code: string;
    }> = [
      { name: 'no credential', auth: null, allowed: () => false, status: 401, code: 'AUTH_MISSING' },
      {
        name: 'a wrong credential',
        auth: 'Bearer kad_admin-1.wrongwrongwrongwrongwrong',
        allowed: () => false,
        status: 401,
        code: 'AUTH_INVALID',
      },
      { name: 'garbage', auth: 'Basic Zm9vOmJhcg==', allowed: () => false, status: 401, code: 'AUTH_INVALID' },
      { name: 'a till token', auth: tillToken, allowed: () => false, status: 401, code: 'AUTH_INVALID' },
      { name: 'an auditor', auth: cred.auditor!, allowed: (r) => r === 'auditor', status: 403, code: 'FORBIDDEN_ROLE' },
      { name: 'a manager', auth: cred.manager!, allowed: (r) => r !== 'admin', status: 403, code: 'FORBIDDEN_ROLE' },
    ];
    const before = await checksum(h);
    let refused = 0;
    for (const route of ROUTES) {
      for (const caller of callers) {
        if (caller.allowed(route.role)) continue;
        const r = await callApi(h.url, route.method, route.path, caller.auth, route.body);
        expect(r.status, `${caller.name} on ${route.method} ${route.path}`).toBe(caller.status);
        expect(r.body.error?.code, `${caller.name} on ${route.method} ${route.path}`).toBe(caller.code);
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(80);
    expect(await checksum(h)).toBe(before);
  });

  it('lets each role do its work, and the audit log says who and from where', async () => {
    expect((await callApi(h.url, 'GET', '/api/v1/admin/summary', cred.auditor!)).status).toBe(200);
    const [ref] = await h.db.query<{ data: Record<string, unknown> }>(
      "SELECT data FROM refdata WHERE id = 'program:supermarket'",
    );
    const put = await callApi(h.url, 'PUT', '/api/v1/admin/programs/supermarket', cred.manager!, {
      ...ref!.data,
      name: 'Renamed',
    });
    expect(put.status).toBe(200);
    const till = await callApi(h.url, 'POST', '/api/v1/admin/tills', cred.admin!, {
      id: 'till-7',
      storeId: 'store-1',
      name: 'Till 7',
    });
    expect(till.status).toBe(201);
    const rows = await h.db.query<{ actor: string; action: string; source: string }>(
      "SELECT actor, action, source FROM audit_log WHERE action IN ('program.put', 'till.create') ORDER BY id",
    );
    expect(rows).toEqual([
      { actor: 'manager-1', action: 'program.put', source: '127.0.0.1' },
      { actor: 'admin-1', action: 'till.create', source: '127.0.0.1' },
    ]);
  });

  it('a rotated credential replaces the old one; a disabled user is refused at once', async () => {
    const rotated = await callApi(h.url, 'POST', '/api/v1/admin/users/auditor-1/credential', cred.admin!, {});
    expect((await callApi(h.url, 'GET', '/api/v1/admin/summary', cred.auditor!)).body.error?.code).toBe('AUTH_INVALID');
    const fresh = `Bearer ${String(rotated.body.credential)}`;
    expect((await callApi(h.url, 'GET', '/api/v1/admin/summary', fresh)).status).toBe(200);
    await callApi(h.url, 'POST', '/api/v1/admin/users/auditor-1/disable', cred.admin!, {});
    expect((await callApi(h.url, 'GET', '/api/v1/admin/summary', fresh)).body.error?.code).toBe('AUTH_INVALID');
    expect((await callApi(h.url, 'POST', '/api/v1/admin/users/admin-1/disable', cred.admin!, {})).status).toBe(400);
    const users = await callApi(h.url, 'GET', '/api/v1/admin/users', cred.admin!);
    expect(
      (users.body as unknown as Array<{ id: string; disabled: boolean }>).find((u) => u.id === 'auditor-1'),
    ).toMatchObject({
      disabled: true,
    });
  });

  it('stores text fields that look like SQL literally', async () => {
    const evil = "x'); DROP TABLE members; --";
    const r = await callApi(h.url, 'POST', '/api/v1/admin/users', cred.admin!, {
      id: 'sql-1',
      name: evil,
      role: 'auditor',
    });
    expect(r.status).toBe(201);
    const [row] = await h.db.query<{ name: string }>('SELECT name FROM admin_users WHERE id = $1', ['sql-1']);
    expect(row!.name).toBe(evil);
    expect((await h.db.query('SELECT 1 FROM members LIMIT 1')).length).toBe(1);
  });
});

describe('a server with no bootstrap token', () => {
  it('creates an admin on first start, prints its credential once, and has no default secret', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kassa-access-'));
    try {
      const port = await freePort();
      const first = await startServer({ port, dataDir: join(dir, 'server'), env: { KASSA_ADMIN_TOKEN: '' } });
      const printed = /credential, shown this once: (kad_admin\.[A-Za-z0-9_-]+)/.exec(first.output())?.[1];
      expect(printed).toBeDefined();
      const url = `http://127.0.0.1:${port}`;
      expect((await callApi(url, 'GET', '/api/v1/admin/summary', `Bearer ${printed!}`)).status).toBe(200);
      for (const guess of ['demo-admin', 'test-admin', 'admin']) {
        expect((await callApi(url, 'GET', '/api/v1/admin/summary', `Bearer ${guess}`)).status).toBe(401);
      }
      await first.stop();
      const second = await startServer({ port, dataDir: join(dir, 'server'), env: { KASSA_ADMIN_TOKEN: '' } });
      expect(second.output()).not.toContain('shown this once');
      expect((await callApi(url, 'GET', '/api/v1/admin/summary', `Bearer ${printed!}`)).status).toBe(200);
      await second.stop();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
