/**
 * Central server process. Env: PORT (7070), HOST (127.0.0.1), DATABASE_URL
 * (real PostgreSQL; without it PGlite in KASSA_DATA_DIR, default
 * ./data/server), KASSA_ADMIN_TOKEN (demo default `demo-admin`), KASSA_SEED
 * (`0` to skip demo data), KASSA_ENROL_CODE (the demo till's code).
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

const app = await buildServer({ db, adminToken: env.KASSA_ADMIN_TOKEN ?? 'demo-admin', logger: env.KASSA_LOG === '1' });
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
  await app.close();
  await db.close();
  process.exit(0);
};
process.on('SIGTERM', () => void shutdown());
process.on('SIGINT', () => void shutdown());
