/**
 * The query interface on a real PostgreSQL server through a `pg` Pool.
 *
 * Invariants: a transaction runs on one client taken from `pool.connect()`
 * (BEGIN … COMMIT, ROLLBACK on any error) and the client always goes back to
 * the pool; a LISTEN holds its own client until unsubscribed.
 */
import pg from 'pg';
import type { Db, Query } from './types';

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
      // The LISTEN connection is held for good; when it breaks (a PostgreSQL restart, a failover) it is
      // replaced, and every subscriber is told '' once so it re-reads what it may have missed.
      let client: pg.PoolClient | null = null;
      let stopped = false;
      const handler = (msg: pg.Notification) => {
        if (msg.channel === channel) onPayload(msg.payload ?? '');
      };
      const connect = async (): Promise<void> => {
        const c = await pool.connect();
        c.on('notification', handler);
        c.on('error', () => {
          c.off('notification', handler);
          c.release(true);
          if (client === c) client = null;
          if (!stopped) void reconnect();
        });
        await c.query(`LISTEN ${channel}`);
        client = c;
      };
      const reconnect = async (): Promise<void> => {
        for (let delay = 200; !stopped; delay = Math.min(delay * 2, 5000)) {
          await new Promise((r) => setTimeout(r, delay));
          try {
            await connect();
            onPayload('');
            return;
          } catch {
            // The database is still away: try again, more slowly.
          }
        }
      };
      await connect();
      return async () => {
        stopped = true;
        const c = client;
        client = null;
        if (!c) return;
        c.off('notification', handler);
        await c.query(`UNLISTEN ${channel}`).catch(() => undefined);
        c.release();
      };
    },
    close: () => pool.end(),
  };
};
