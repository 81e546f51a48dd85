/**
 * Health checks for load balancers and orchestrators.
 *
 * - live: the process is up and serving HTTP. Always 200 while it answers;
 *   it never touches the database, so a database outage does not get every
 *   node restarted.
 * - ready: this node can do its work: the database answers a query within
 *   READY_TIMEOUT_MS and the migrations recorded in `schema_migrations` are
 *   exactly the migration files this server carries (none missing, none it
 *   does not know). Otherwise 503 NOT_READY naming the reason.
 * - health (the original route, used by scripts/start.mjs): the same check as
 *   ready, answered in its original 200 shape plus the database's state.
 *
 * Invariant: a check never throws past its route; every failure is a 503 in
 * the one error shape.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { KassaError } from '../../shared/errors';
import { routes } from '../../shared/replication';
import type { Db } from '../db';

export const READY_TIMEOUT_MS = 2000;

// The same folder and file pattern as migrate.ts: the files this build would apply.
const MIGRATIONS_DIR = join(import.meta.dirname, '..', 'migrations');
const MIGRATION_FILE = /^\d{3}-[\w-]+\.sql$/;

export function migrationFiles(dir = MIGRATIONS_DIR): string[] {
  return readdirSync(dir)
    .filter((f) => MIGRATION_FILE.test(f))
    .sort();
}

/** Thrown by `withTimeout` when the promise has not settled in time. */
export class TimeoutError extends Error {
  constructor(readonly ms: number) {
    super(`no answer within ${ms} ms`);
    this.name = 'TimeoutError';
  }
}

/** Rejects with a TimeoutError when `promise` has not settled within `ms` (the promise itself runs on). */
export async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(ms)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export type Readiness =
  | { ready: true; migrations: number }
  | {
      ready: false;
      reason: 'database' | 'migrations';
      message: string;
      missing?: string[];
      unknown?: string[];
      /** The driver's error: logged, never sent (it can name hosts and users). */
      cause?: unknown;
    };

export async function checkReadiness(
  db: Db,
  files: readonly string[],
  timeoutMs = READY_TIMEOUT_MS,
): Promise<Readiness> {
  let applied: string[];
  try {
    const rows = await withTimeout(
      db.query<{ name: string }>('SELECT name FROM schema_migrations ORDER BY name'),
      timeoutMs,
    );
    applied = rows.map((r) => r.name);
  } catch (e) {
    const message =
      e instanceof TimeoutError
        ? `The database did not answer within ${timeoutMs} ms`
        : 'The database does not answer queries';
    return { ready: false, reason: 'database', message, cause: e };
  }
  const missing = files.filter((f) => !applied.includes(f));
  const unknown = applied.filter((a) => !files.includes(a));
  if (missing.length > 0 || unknown.length > 0) {
    const parts = [
      missing.length > 0 ? `not applied: ${missing.join(', ')}` : '',
      unknown.length > 0 ? `applied but unknown to this server: ${unknown.join(', ')}` : '',
    ].filter(Boolean);
    return {
      ready: false,
      reason: 'migrations',
      message: `The database schema does not match this server (${parts.join('; ')})`,
      missing,
      unknown,
    };
  }
  return { ready: true, migrations: applied.length };
}

function notReady(r: Extract<Readiness, { ready: false }>, log: FastifyBaseLogger): KassaError {
  const { ready: _ready, message, cause, ...details } = r;
  log.warn({ err: cause, reason: r.reason }, `not ready: ${message}`);
  return new KassaError('NOT_READY', message, details);
}

export function healthRoutes(
  app: FastifyInstance,
  db: Db,
  options: { version: string; migrationFiles?: readonly string[] },
): void {
  const files = options.migrationFiles ?? migrationFiles();
  const startedAt = Date.now();

  app.get(routes.live, () =>
    Promise.resolve({ status: 'live', version: options.version, uptimeSeconds: (Date.now() - startedAt) / 1000 }),
  );

  app.get(routes.ready, async (req) => {
    const r = await checkReadiness(db, files);
    if (!r.ready) throw notReady(r, req.log);
    return { status: 'ready', version: options.version, database: db.kind, migrations: r.migrations };
  });

  app.get(routes.health, async (req) => {
    const r = await checkReadiness(db, files);
    if (!r.ready) throw notReady(r, req.log);
    return { ok: true, version: options.version, database: db.kind, databaseOk: true, migrations: r.migrations };
  });
}
