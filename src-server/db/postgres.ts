/**
 * The query interface on a real PostgreSQL server through a `pg` Pool.
 *
 * Invariants: a transaction runs on one client taken from `pool.connect()`
 * (BEGIN … COMMIT, ROLLBACK on any error) and the client always goes back to
 * the pool; a LISTEN holds its own client until unsubscribed (the server
 * holds two: changes and revocations), so a pool of N serves N − 2 requests
 * at once. Connections say `application_name=kassa-server` unless the URL
 * names another, so a restore can see that servers are still connected.
 */
import pg from 'pg';
import { KassaError } from '../../shared/errors';
import type { Db, Query } from './types';

export const DEFAULT_POOL_SIZE = 10;

/** Most statements one process prepares by name; any further SQL text is sent unnamed (parsed and planned each time). */
export const MAX_PREPARED = 1000;
const statementNames = new Map<string, string>();

/**
 * A query with parameters goes out as a named prepared statement, one name per SQL text in this process: each
 * connection parses it once and PostgreSQL can keep its plan, instead of parsing and planning every call (the push
 * path's group statements are large CTEs: bench/chain-push.bench.ts measured PostgreSQL's CPU per 1,000 entries
 * 420 → 301 ms). Bounded, so SQL text built per call could never fill a backend's memory.
 */
export function queryConfig(sql: string, params: readonly unknown[] | undefined): pg.QueryConfig {
  if (!params || params.length === 0) return { text: sql };
  let name = statementNames.get(sql);
  if (name === undefined && statementNames.size < MAX_PREPARED) {
    name = `kassa_${statementNames.size}`;
    statementNames.set(sql, name);
  }
  return name === undefined ? { text: sql, values: [...params] } : { text: sql, values: [...params], name };
}
export const SERVER_APPLICATION_NAME = 'kassa-server';

/** `KASSA_DB_POOL_SIZE`: connections per server process, 3–1000 (two are held by LISTEN); unset: 10. */
export function poolSizeFromEnv(raw: string | undefined): number {
  if (raw === undefined || raw === '') return DEFAULT_POOL_SIZE;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 3 || n > 1000) {
    throw new KassaError(
      'CONFIG_INVALID',
      `KASSA_DB_POOL_SIZE must be a whole number from 3 to 1000 (two connections are held for LISTEN), not "${raw}"`,
    );
  }
  return n;
}

export const openPostgres = (
  connectionString: string,
  options: { poolSize?: number; applicationName?: string } = {},
): Db => {
  const pool = new pg.Pool({
    connectionString,
    max: options.poolSize ?? DEFAULT_POOL_SIZE,
    // A name in the URL wins (pg lets the connection string override these fields).
    application_name: options.applicationName ?? SERVER_APPLICATION_NAME,
  });
  // An idle client that errors (server restart) must not crash the process.
  pool.on('error', () => undefined);
  const query: Query = async <T>(sql: string, params?: readonly unknown[]) =>
    (await pool.query(queryConfig(sql, params))).rows as T[];
  return {
    kind: 'postgres',
    query,
    async tx(fn) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const q: Query = async <T>(sql: string, params?: readonly unknown[]) =>
          (await client.query(queryConfig(sql, params))).rows as T[];
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
      // The LISTEN connection is held for good; when it breaks (a PostgreSQL restart, a failover) it is
      // replaced, and every subscriber is told '' once so it re-reads what it may have missed. Each client
      // goes back to the pool exactly once, and none is taken after unsubscribing (pool.end() waits on it).
      let client: pg.PoolClient | null = null;
      let stopped = false;
      let wake: (() => void) | null = null;
      let reconnecting: Promise<void> | null = null;
      const handler = (msg: pg.Notification) => {
        if (msg.channel === channel) onPayload(msg.payload ?? '');
      };
      const hold = (c: pg.PoolClient) => {
        let released = false;
        const release = (destroy: boolean) => {
          if (released) return;
          released = true;
          c.off('notification', handler);
          // A client going back to the pool healthy sheds this subscription's listeners (the pool watches its
          // idle clients); a destroyed one keeps the guarded error listener for the errors still on their way.
          if (!destroy) c.off('error', onError);
          c.release(destroy);
          if (client === c) client = null;
        };
        function onError() {
          if (released) return;
          release(true);
          if (!stopped && !reconnecting) reconnecting = reconnect().finally(() => (reconnecting = null));
        }
        c.on('notification', handler);
        c.on('error', onError);
        return release;
      };
      let releaseClient: (destroy: boolean) => void = () => undefined;
      const connect = async (): Promise<void> => {
        const c = await pool.connect();
        const release = hold(c);
        if (stopped) return release(false);
        try {
          await c.query(`LISTEN ${channel}`);
        } catch (e) {
          release(true);
          throw e;
        }
        client = c;
        releaseClient = release;
      };
      const reconnect = async (): Promise<void> => {
        for (let delay = 200; !stopped; delay = Math.min(delay * 2, 5000)) {
          await new Promise<void>((r) => {
            const timer = setTimeout(r, delay);
            wake = () => {
              clearTimeout(timer);
              r();
            };
          });
          wake = null;
          if (stopped) return;
          try {
            await connect();
            if (!stopped) onPayload('');
            return;
          } catch {
            // The database is still away: try again, more slowly.
          }
        }
      };
      await connect();
      return async () => {
        stopped = true;
        wake?.();
        await reconnecting;
        const c = client;
        if (!c) return;
        client = null;
        await c.query(`UNLISTEN ${channel}`).catch(() => undefined);
        releaseClient(false);
      };
    },
    close: () => pool.end(),
  };
};
