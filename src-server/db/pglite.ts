/**
 * The query interface on PGlite (PostgreSQL compiled to WASM) in a data
 * folder, or in memory for `memory://`.
 *
 * Invariant: PGlite is a single connection, so every query and transaction is
 * queued on one chain; two requests never interleave inside one transaction.
 */
import { PGlite } from '@electric-sql/pglite';
import type { Db, Query } from './types';

export const openPglite = async (dataDir: string): Promise<Db> => {
  const db = dataDir === 'memory://' ? new PGlite() : new PGlite(dataDir);
  await db.waitReady;
  const query: Query = async <T>(sql: string, params?: readonly unknown[]) =>
    (await db.query<T>(sql, params as unknown[])).rows;
  let chain: Promise<unknown> = Promise.resolve();
  return {
    kind: 'pglite',
    query: (sql, params) => {
      const run = chain.then(() => query(sql, params));
      chain = run.catch(() => undefined);
      return run as never;
    },
    tx(fn) {
      const run = chain.then(() =>
        db.transaction(async (t) =>
          fn(async <T>(sql: string, params?: readonly unknown[]) => (await t.query<T>(sql, params as unknown[])).rows),
        ),
      );
      chain = run.catch(() => undefined);
      return run;
    },
    async listen(channel, onPayload) {
      const unsub = await db.listen(channel, onPayload);
      return async () => {
        await unsub();
      };
    },
    close: () => db.close(),
  };
};
