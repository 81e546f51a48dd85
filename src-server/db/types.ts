/**
 * The small query interface the server is written against. Both
 * implementations (PostgreSQL through `pg`, PGlite in a data folder) run the
 * same SQL and the same migrations.
 *
 * Invariant: `tx(fn)` runs every query of `fn` on one connection inside one
 * transaction; it commits when `fn` resolves and rolls back when it throws.
 */
export type Query = <T = Record<string, unknown>>(sql: string, params?: readonly unknown[]) => Promise<T[]>;

export type Db = {
  kind: 'postgres' | 'pglite';
  query: Query;
  tx: <T>(fn: (q: Query) => Promise<T>) => Promise<T>;
  /** Subscribes to a NOTIFY channel; returns an unsubscribe function. */
  listen: (channel: string, onPayload: (payload: string) => void) => Promise<() => Promise<void>>;
  close: () => Promise<void>;
};
