/**
 * The small query interface the server uses, with two implementations behind
 * it: `pg` against a real PostgreSQL server (DATABASE_URL), or PGlite — real
 * PostgreSQL compiled to WASM — in a data folder. Same SQL, same migrations.
 *
 * A transaction runs on one connection: `tx(fn)` hands `fn` a query function
 * bound to that connection and commits when it resolves, rolls back when it
 * throws.
 */
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';

export type Query = <T = Record<string, unknown>>(sql: string, params?: readonly unknown[]) => Promise<T[]>;

export type Db = {
  kind: 'postgres' | 'pglite';
  query: Query;
  tx: <T>(fn: (q: Query) => Promise<T>) => Promise<T>;
  /** Subscribes to a NOTIFY channel; returns an unsubscribe function. */
  listen: (channel: string, onPayload: (payload: string) => void) => Promise<() => Promise<void>>;
  close: () => Promise<void>;
};

export const openPostgres = (connectionString: string): Db => {
  const pool = new pg.Pool({ connectionString, max: 10 });
  // An idle client that errors (server restart) must not crash the process.
  pool.on('error', () => undefined);
  const query: Query = async <T>(sql: string, params?: readonly unknown[]) =>
    (await pool.query(sql, params as unknown[])).rows as T[];
  return {
    kind: 'postgres',
    query,
    async tx(fn) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const q: Query = async <T>(sql: string, params?: readonly unknown[]) =>
          (await client.query(sql, params as unknown[])).rows as T[];
        const result = await fn(q);
        await client.query('COMMIT');
        return result;
      } catch (e) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw e;
      } finally {
        client.release();
      }
    },
    async listen(channel, onPayload) {
      const client = await pool.connect();
      const handler = (msg: pg.Notification) => {
        if (msg.channel === channel) onPayload(msg.payload ?? '');
      };
      client.on('notification', handler);
      await client.query(`LISTEN ${channel}`);
      return async () => {
        client.off('notification', handler);
        await client.query(`UNLISTEN ${channel}`).catch(() => undefined);
        client.release();
      };
    },
    close: () => pool.end(),
  };
};

export const openPglite = async (dataDir: string): Promise<Db> => {
  const db = dataDir === 'memory://' ? new PGlite() : new PGlite(dataDir);
  await db.waitReady;
  const query: Query = async <T>(sql: string, params?: readonly unknown[]) =>
    (await db.query<T>(sql, params as unknown[])).rows;
  // PGlite is one connection: serialise transactions so two requests never interleave inside one.
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

export const openDb = async (env: { DATABASE_URL?: string; KASSA_DATA_DIR?: string }): Promise<Db> =>
  env.DATABASE_URL ? openPostgres(env.DATABASE_URL) : openPglite(env.KASSA_DATA_DIR ?? './data/server');
