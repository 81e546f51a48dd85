/**
 * Central server process. Env: PORT (7070), HOST (127.0.0.1), DATABASE_URL
 * (real PostgreSQL; without it PGlite in KASSA_DATA_DIR, default
 * ./data/server), KASSA_ADMIN_TOKEN (a bootstrap admin token; none by default), KASSA_SEED
 * (demo data into a database this start created: unset/`1`/`demo` yes, `0`
 * no, `force` also into one with Kassa tables but no store),
 * KASSA_ENROL_CODE (the demo till's code), KASSA_LOG_LEVEL (pino level,
 * default info), KASSA_RATE_* and KASSA_STREAMS_PER_TILL (limits),
 * KASSA_CORS_ORIGINS, KASSA_HSTS, KASSA_DB_POOL_SIZE (PostgreSQL connections per
 * process, default 10), KASSA_DEMO_MEMBERS / KASSA_DEMO_PRODUCTS (a chain-sized
 * demo on top of the demo data: seed-chain.ts) (see docs/operations.md).
 *
 * A start that cannot go on safely (the data folder is locked by another
 * server or damaged, a bad setting, a taken port) prints one line with the
 * error's code and exits 1, leaving the data as it found it.
 */
import type { FastifyInstance } from 'fastify';
import { isKassaError } from '../shared/errors';
import { openDb, poolSizeFromEnv, type Db } from './db';
import { migrate } from './migrate';
import { DEMO_ENROL_CODE, DEMO_STAFF, decideDemoSeed, parseSeedMode, seedDemo } from './seed';
import { chainSizeFromEnv, seedChain } from './seed-chain';
import { buildServer } from './app';
import { corsOriginsFromEnv } from './http/cors';
import { limitsFromEnv } from './http/limits';
import { ensureFirstAdmin } from './admin/access';
import { preparePhoneLookup } from './privacy/phone-keys';

const env = process.env;
const port = Number(env.PORT ?? 7070);
const host = env.HOST ?? '127.0.0.1';
const say = (line: string) => process.stdout.write(`${line}\n`);

let db: Db | undefined;
let app: FastifyInstance | undefined;
let closing = false;

async function start(): Promise<void> {
  // Settings are checked before the database is touched.
  const seedMode = parseSeedMode(env.KASSA_SEED);
  const chain = chainSizeFromEnv(env);
  const limits = limitsFromEnv(env);
  const corsOrigins = corsOriginsFromEnv(env.KASSA_CORS_ORIGINS);
  const hsts = env.KASSA_HSTS === '1';
  const poolSize = poolSizeFromEnv(env.KASSA_DB_POOL_SIZE);
  const opened = await openDb(
    { DATABASE_URL: env.DATABASE_URL, KASSA_DATA_DIR: env.KASSA_DATA_DIR },
    { log: say, poolSize },
  );
  db = opened.db;
  await migrate(db);
  opened.markMigrated();

  const hasStore = (await db.query('SELECT 1 FROM stores LIMIT 1')).length > 0;
  const decision = decideDemoSeed({ mode: seedMode, fresh: opened.fresh, hasStore });
  if (decision.note) say(decision.note);
  if (decision.seed) {
    const enrolCode = env.KASSA_ENROL_CODE ?? DEMO_ENROL_CODE;
    if (await seedDemo(db, { enrolCode })) {
      say(
        `Seeded demo data: store-1, till-1 (enrolment code ${enrolCode}); staff PINs: ${DEMO_STAFF.map((s) => `${s.name} (${s.role}) ${s.pin}`).join(', ')}`,
      );
      if (chain.members + chain.products > 0) {
        const t0 = Date.now();
        await seedChain(db, chain);
        say(
          `Seeded a demo chain: ${chain.members} more members, ${chain.products} more products (${Date.now() - t0} ms)`,
        );
      }
    }
  }

  // The phone key (made on first start) and every member's phone hash under it (after an upgrade or a rotation).
  const phones = await preparePhoneLookup(db);
  if (phones.rehashed > 0) say(`Phone lookup: hashed ${phones.rehashed} members' phones under key ${phones.keyId}`);

  // Fastify's pino logger: `KASSA_LOG_LEVEL` (default info; `debug` adds a line per request, `silent` turns it off).
  const logger = { level: env.KASSA_LOG_LEVEL ?? 'info' };
  // No default secret: without a bootstrap token, the first start creates an admin and prints its credential once.
  const adminToken = env.KASSA_ADMIN_TOKEN ? env.KASSA_ADMIN_TOKEN : null;
  if (!adminToken) {
    const credential = await ensureFirstAdmin(db);
    if (credential) {
      say(`First start: created the admin user "admin". Its credential, shown this once: ${credential}`);
      say('Use it as "Authorization: Bearer <credential>" on the admin API and create your own users there.');
    }
  }
  // Push groups (group commit, ingest/queue.ts): half the connections LISTEN leaves, so pulls and the admin API
  // keep the other half.
  const pushGroups = db.kind === 'pglite' ? 1 : Math.max(1, Math.floor((poolSize - 2) / 2));
  app = await buildServer({ db, adminToken, logger, limits, corsOrigins, hsts, pushGroups });
  await app.listen({ port, host });
  say(`Kassa server listening on http://${host}:${port} (${opened.where})`);
}

/** Closes what is open so far (a signal can come mid-start); the data folder's lock goes with the database. */
async function shutdown(code: number): Promise<void> {
  if (closing) return;
  closing = true;
  app?.log.info('shutting down');
  await app?.close().catch(() => undefined);
  await db?.close().catch(() => undefined);
  process.exit(code);
}

process.on('SIGTERM', () => void shutdown(0));
process.on('SIGINT', () => void shutdown(0));

try {
  await start();
} catch (e) {
  const errno = (e as NodeJS.ErrnoException).code;
  if (isKassaError(e)) {
    process.stderr.write(`Kassa server cannot start [${e.code}]: ${e.message}\n`);
  } else if (errno === 'EADDRINUSE') {
    process.stderr.write(`Kassa server cannot start [EADDRINUSE]: port ${port} on ${host} is already in use\n`);
  } else {
    process.stderr.write(`Kassa server cannot start: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  }
  await shutdown(1);
}
