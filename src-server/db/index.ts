/**
 * Opens the server's database: real PostgreSQL when DATABASE_URL is set,
 * otherwise PGlite in KASSA_DATA_DIR (default ./data/server; `memory://` for
 * tests). Callers only ever see the `Db` query interface, plus whether this
 * start found the database without any Kassa tables (`fresh`: a new folder,
 * `memory://`, or an empty PostgreSQL schema), which is the only case in
 * which the demo seed may run on its own.
 */
import { hasKassaSchema, openPglite } from './pglite';
import { openPostgres } from './postgres';
import type { Db } from './types';

export type { Db, Query } from './types';
export { folderOf, inspectDataDir, isEmptyDataDir, openPglite, type PgliteDb } from './pglite';
export { openPostgres, poolSizeFromEnv, SERVER_APPLICATION_NAME } from './postgres';

export type OpenedDb = {
  db: Db;
  /** Where the data lives, for log lines: `PostgreSQL` or `PGlite in <folder>`. */
  where: string;
  /** No Kassa tables existed before this start's migrations. */
  fresh: boolean;
  /** Call after migrations succeed: a PGlite folder then records that it holds Kassa data. */
  markMigrated: () => void;
};

export async function openDb(
  env: { DATABASE_URL?: string; KASSA_DATA_DIR?: string },
  options: { log?: (line: string) => void; poolSize?: number; applicationName?: string } = {},
): Promise<OpenedDb> {
  if (env.DATABASE_URL) {
    const db = openPostgres(env.DATABASE_URL, { poolSize: options.poolSize, applicationName: options.applicationName });
    try {
      return { db, where: 'PostgreSQL', fresh: !(await hasKassaSchema(db.query)), markMigrated: () => undefined };
    } catch (e) {
      await db.close().catch(() => undefined);
      throw e;
    }
  }
  const db = await openPglite(env.KASSA_DATA_DIR ?? './data/server', options);
  try {
    return {
      db,
      where: `PGlite in ${db.dataDir ?? 'memory'}`,
      fresh: !(await hasKassaSchema(db.query)),
      markMigrated: db.markMigrated,
    };
  } catch (e) {
    await db.close().catch(() => undefined);
    throw e;
  }
}
