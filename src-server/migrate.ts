/**
 * SQL migrations: files `migrations/NNN-name.sql`, applied in order, each in
 * its own transaction, recorded in `schema_migrations`. An advisory lock makes
 * two server nodes starting together apply each migration exactly once.
 *
 * A database with every migration applied is only read: a server whose role
 * may not change the schema starts on it (the owner migrates beforehand with
 * `kassa db migrate`).
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Db } from './db';

const MIGRATION_LOCK = 7_301_001;
const migrationsDir = join(import.meta.dirname, 'migrations');

/**
 * Applies every migration not applied yet, in order; returns the names applied. `through` (a migration's
 * number, e.g. '020'): stop after it — a test of a later migration starts from the schema before it.
 */
export const migrate = async (db: Db, { through }: { through?: string } = {}): Promise<string[]> => {
  const files = (await readdir(migrationsDir))
    .filter((f) => /^\d{3}-[\w-]+\.sql$/.test(f))
    .filter((f) => through === undefined || f.slice(0, 3) <= through)
    .sort();
  const applied: string[] = [];
  // CREATE … IF NOT EXISTS still needs the CREATE privilege: ask first.
  const [table] = await db.query<{ exists: boolean }>("SELECT to_regclass('schema_migrations') IS NOT NULL AS exists");
  if (!table?.exists) {
    await db.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
    );
  }
  for (const name of files) {
    const sql = await readFile(join(migrationsDir, name), 'utf8');
    const did = await db.tx(async (q) => {
      await q('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      const done = await q('SELECT 1 FROM schema_migrations WHERE name = $1', [name]);
      if (done.length > 0) return false;
      for (const statement of splitStatements(sql)) await q(statement);
      await q('INSERT INTO schema_migrations (name) VALUES ($1)', [name]);
      return true;
    });
    if (did) applied.push(name);
  }
  return applied;
};

/** Splits on semicolons at line ends; migrations keep one statement per `;`-terminated block. */
const splitStatements = (sql: string): string[] =>
  sql
    .split(/;\s*$/m)
    .map((s) => s.replace(/^\s*--.*$/gm, '').trim())
    .filter((s) => s.length > 0);
