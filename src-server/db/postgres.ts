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
