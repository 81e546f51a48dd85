/**
 * Central server process. Env: PORT (7070), HOST (127.0.0.1), DATABASE_URL
 * (real PostgreSQL; without it PGlite in KASSA_DATA_DIR, default
 * ./data/server), KASSA_ADMIN_TOKEN (demo default `demo-admin`), KASSA_SEED
 * (`0` to skip demo data), KASSA_ENROL_CODE (the demo till's code),
 * KASSA_LOG_LEVEL (pino level, default info).
 */
import { mkdir } from 'node:fs/promises';
import { openDb } from './db';
import { migrate } from './migrate';
import { DEMO_ENROL_CODE, seedDemo } from './seed';
import { buildServer } from './app';

const env = process.env;
const dataDir = env.KASSA_DATA_DIR ?? './data/server';
if (!env.DATABASE_URL && dataDir !== 'memory://') await mkdir(dataDir, { recursive: true });

const db = await openDb({ DATABASE_URL: env.DATABASE_URL, KASSA_DATA_DIR: dataDir });
await migrate(db);
if (env.KASSA_SEED !== '0') {
  const enrolCode = env.KASSA_ENROL_CODE ?? DEMO_ENROL_CODE;
  if (await seedDemo(db, { enrolCode })) {
    process.stdout.write(`Seeded demo data: store-1, till-1 (enrolment code ${enrolCode}), cashier PIN 1234\n`);
  }
}

// Fastify's pino logger: `KASSA_LOG_LEVEL` (default info; `debug` adds a line per request, `silent` turns it off).
const logger = { level: env.KASSA_LOG_LEVEL ?? 'info' };
const app = await buildServer({ db, adminToken: env.KASSA_ADMIN_TOKEN ?? 'demo-admin', logger });
const port = Number(env.PORT ?? 7070);
const host = env.HOST ?? '127.0.0.1';
await app.listen({ port, host });
process.stdout.write(
  `Kassa server listening on http://${host}:${port} (${env.DATABASE_URL ? 'PostgreSQL' : `PGlite in ${dataDir}`})\n`,
);

let closing = false;
const shutdown = async () => {
  if (closing) return;
  closing = true;
  app.log.info('shutting down');
  await app.close();
  await db.close();
  process.exit(0);
};
process.on('SIGTERM', () => void shutdown());
process.on('SIGINT', () => void shutdown());
