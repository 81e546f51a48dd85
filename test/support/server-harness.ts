/**
 * An in-process central server over real HTTP on a free port, on either PGlite
 * (in memory) or the real PostgreSQL server named by TEST_DATABASE_URL
 * (schema reset first). In CI a missing TEST_DATABASE_URL is a failure.
 */
import { prepareCardRanges } from '../../src-server/admin/card-ranges';
import type { FastifyInstance } from 'fastify';
import { openPglite, openPostgres, type Db } from '../../src-server/db';
import { migrate } from '../../src-server/migrate';
import { seedDemo } from '../../src-server/seed';
import { buildServer, type ServerOptions } from '../../src-server/app';
import type { RateLimits } from '../../src-server/http/limits';
import { sha256 } from '../../src-server/auth';
import { ulid } from 'ulid';
import { WIRE_HEADER, WIRE_VERSION } from '../../shared/replication';

export type Backend = 'pglite' | 'postgres';

export const postgresUrl = (): string | null => {
  const url = process.env.TEST_DATABASE_URL ?? null;
  if (!url && process.env.CI) throw new Error('TEST_DATABASE_URL must be set in CI (npm test starts PostgreSQL)');
  return url;
};

export const openTestDb = async (backend: Backend): Promise<Db> => {
  if (backend === 'pglite') return openPglite('memory://');
  const url = postgresUrl();
  if (!url) throw new Error('no PostgreSQL');
  const db = openPostgres(url);
  await db.query('DROP SCHEMA IF EXISTS public CASCADE');
  await db.query('CREATE SCHEMA public');
  return db;
};

/**
 * Limits for tests that did not ask for their own: far above what a suite sends (the push fuzz test sends
 * 5,000 requests, a tenth of them with wrong or missing tokens, from one address within seconds).
 */
export const HARNESS_LIMITS: Partial<RateLimits> = {
  tillPerWindow: 1_000_000,
  adminPerWindow: 1_000_000,
  enrolPerWindow: 1_000_000,
  failedAuthPerWindow: 1_000_000,
  streamsPerTill: 1_000,
};

export type Harness = { db: Db; app: FastifyInstance; url: string; token: string; close: () => Promise<void> };

export const startHarness = async (
  backend: Backend,
  enrolCodes = ['TEST-TILL-1'],
  options: Pick<ServerOptions, 'recheck' | 'limits' | 'corsOrigins' | 'hsts' | 'logger'> = {},
): Promise<Harness & { tokens: string[] }> => {
  const db = await openTestDb(backend);
  await migrate(db);
  await seedDemo(db, { enrolCode: enrolCodes[0] });
  // Extra tills in the same store for multi-till tests.
  for (const [i, code] of enrolCodes.slice(1).entries()) {
    await db.query(`INSERT INTO tills (id, store_id, name, enrol_code_hash) VALUES ($1, 'store-1', $2, $3)`, [
      `till-${i + 2}`,
      `Till ${i + 2}`,
      sha256(code),
    ]);
  }
  // As the server's start does: every till has card numbers of its own.
  await prepareCardRanges(db);
  const app = await buildServer({
    db,
    adminToken: 'test-admin',
    ...options,
    recheck: options.recheck ?? true,
    limits: options.limits ?? HARNESS_LIMITS,
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const tokens: string[] = [];
  for (const code of enrolCodes) {
    const res = await fetch(`${url}/api/v1/enrol`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code }),
    });
    tokens.push(((await res.json()) as { token: string }).token);
  }
  return {
    db,
    app,
    url,
    token: tokens[0]!,
    tokens,
    close: async () => {
      await app.close();
      await db.close();
    },
  };
};

/** One epoch (local database) per till id for the whole test process. */
const epochs = new Map<string, string>();
export function epochOf(tillId: string): string {
  let e = epochs.get(tillId);
  if (!e) {
    e = ulid();
    epochs.set(tillId, e);
  }
  return e;
}

function tillOf(doc: unknown): string {
  const tillId = doc && typeof doc === 'object' ? (doc as { tillId?: unknown }).tillId : undefined;
  return typeof tillId === 'string' ? tillId : 'none';
}

/** Pushes rows as till `rows[0]`'s database would (its epoch, the current clock); `envelope` overrides. */
export const push = (
  url: string,
  token: string,
  rows: ReadonlyArray<{ newDocumentState: unknown; assumedMasterState?: unknown }>,
  headers: Record<string, string> = {},
  envelope: Record<string, unknown> = {},
) =>
  fetch(`${url}/api/v1/replication/journal/push`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      [WIRE_HEADER]: String(WIRE_VERSION),
      ...headers,
    },
    body: JSON.stringify({
      epoch: epochOf(tillOf(rows[0]?.newDocumentState)),
      sentAt: new Date().toISOString(),
      rows,
      ...envelope,
    }),
  });

/** A pull, as the till database `epoch` when given (member documents then carry its mark). */
export const pull = async (url: string, token: string, collection: string, seq: number, limit = 500, epoch = '') => {
  const res = await fetch(`${url}/api/v1/replication/${collection}/pull?seq=${seq}&limit=${limit}&epoch=${epoch}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return {
    status: res.status,
    body: (await res.json()) as {
      documents: Array<{ id: string; seq: number } & Record<string, unknown>>;
      checkpoint: { seq: number };
    },
  };
};

/** The demo program changed by `change` (given the stored one), stored through the admin API as head office would. */
export async function changeProgram(
  h: Harness,
  change: (program: Record<string, unknown>) => Record<string, unknown>,
): Promise<void> {
  const [ref] = await h.db.query<{ data: Record<string, unknown> }>(
    "SELECT data FROM refdata WHERE id = 'program:supermarket'",
  );
  const res = await fetch(`${h.url}/api/v1/admin/programs/supermarket`, {
    method: 'PUT',
    headers: { authorization: 'Bearer test-admin', 'content-type': 'application/json' },
    body: JSON.stringify(change(ref!.data)),
  });
  if (!res.ok) throw new Error(`program update failed: ${res.status} ${await res.text()}`);
}

/**
 * The demo program with a coffee stamp card (every `stampEvery`-th coffee free, no window) and a
 * one-time welcome offer (25 bonus points on dairy).
 */
export async function useStampAndOfferProgram(h: Harness, stampEvery: number): Promise<void> {
  await changeProgram(h, (program) => ({
    ...program,
    stampCards: [{ id: 'coffee-card', name: 'Coffee card', filter: { categories: ['coffee'] }, every: stampEvery }],
    offers: [
      {
        id: 'welcome',
        name: 'Welcome: 25 bonus points on dairy',
        filter: { categories: ['dairy'] },
        benefit: { kind: 'bonus-points', points: 25 },
        maxUses: 1,
      },
    ],
  }));
}

export type ApiReply = {
  status: number;
  headers: Headers;
  body: Record<string, unknown> & { error?: { code: string } };
};

/** One JSON call to the server with the given Authorization header (null: none), as an HTTP client sends it. */
export async function callApi(
  url: string,
  method: string,
  path: string,
  auth: string | null,
  body?: unknown,
): Promise<ApiReply> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: {
      ...(auth === null ? {} : { authorization: auth }),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as ApiReply['body'] };
}

/**
 * A second server on the harness's database whose first transaction statement matching `failOn` throws, as a
 * storage fault no input check foresaw would: tests of what the push path does when applying fails.
 */
export async function startFaultyServer(db: Db, failOn: string): Promise<{ url: string; close: () => Promise<void> }> {
  let failNext = true;
  const faulty: Db = {
    ...db,
    tx: (fn) =>
      db.tx((q) =>
        fn(async (sql, params) => {
          if (failNext && sql.includes(failOn)) {
            failNext = false;
            throw new Error('simulated storage fault');
          }
          return q(sql, params);
        }),
      ),
  };
  const app = await buildServer({ db: faulty, adminToken: 'test-admin' });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return { url, close: () => app.close() };
}
