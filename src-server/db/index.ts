/**
 * Opens the server's database: real PostgreSQL when DATABASE_URL is set,
 * otherwise PGlite in KASSA_DATA_DIR (default ./data/server; `memory://` for
 * tests). Callers only ever see the `Db` query interface.
 */
import { openPglite } from './pglite';
import { openPostgres } from './postgres';
import type { Db } from './types';

export type { Db, Query } from './types';
export { openPglite } from './pglite';
export { openPostgres } from './postgres';

export const openDb = async (env: { DATABASE_URL?: string; KASSA_DATA_DIR?: string }): Promise<Db> =>
  env.DATABASE_URL ? openPostgres(env.DATABASE_URL) : openPglite(env.KASSA_DATA_DIR ?? './data/server');
