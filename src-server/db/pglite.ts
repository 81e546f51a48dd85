/**
 * The query interface on PGlite (PostgreSQL compiled to WASM) in a data
 * folder, or in memory for `memory://`.
 *
 * Invariants:
 * - PGlite is a single connection, so every query and transaction is queued
 *   on one chain; two requests never interleave inside one transaction.
 * - One process per folder: the folder's lock (data-dir-lock.ts) is taken
 *   before anything else and released when the database is closed.
 * - A fresh cluster is only ever created in an empty or new folder. PGlite
 *   silently runs initdb over any folder without PG_VERSION, so the folder is
 *   checked before PGlite sees it: a non-empty folder must look like a whole
 *   cluster (PG_VERSION, base/, global/pg_control, pg_wal/), and one whose
 *   `kassa-data.json` marker says it held Kassa data must still have Kassa's
 *   tables. Anything else stops with DATA_DIR_DAMAGED and the folder is left
 *   exactly as it was.
 * - A backup's cluster is loaded (`loadDataDir`) only into a new folder; a
 *   dump (`dumpDataDir`) is taken on the queue, after a CHECKPOINT, so it is
 *   one consistent state with no write half in it.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { KassaError } from '../../shared/errors';
import { acquireDataDirLock, LOCK_FILE, TAKEOVER_FILE, type LockLog } from './data-dir-lock';
import type { Db, Query } from './types';

/** Written once Kassa's migrations have run in a folder: from then on the folder must hold Kassa data. */
export const MARKER_FILE = 'kassa-data.json';
export const DATA_FORMAT = 1;

export type DataMarker = { format: number; createdAt: string };

export type PgliteDb = Db & {
  /** The absolute data folder, or null for `memory://`. */
  dataDir: string | null;
  /** Records in the folder that Kassa's migrations have run (writes kassa-data.json once). */
  markMigrated: () => void;
  /** The whole cluster as a gzipped tarball, taken between queries (nothing half-written in it). */
  dumpDataDir: () => Promise<Blob>;
};

/** `loadDataDir`: a tarball from `dumpDataDir` to create the cluster from; the folder must then be new. */
export type OpenPgliteOptions = { log?: LockLog; loadDataDir?: Blob };

// Files that do not make a folder "hold something": our own lock files, OS litter, a volume's lost+found.
const IGNORED = new Set([
  LOCK_FILE,
  TAKEOVER_FILE,
  `${MARKER_FILE}.tmp`,
  '.DS_Store',
  'Thumbs.db',
  'desktop.ini',
  'lost+found',
]);

// What PostgreSQL needs to start on an existing cluster; the rest it recreates or can live without.
const CLUSTER_PARTS: Array<[path: string, kind: 'file' | 'dir']> = [
  ['PG_VERSION', 'file'],
  ['base', 'dir'],
  ['global', 'dir'],
  ['global/pg_control', 'file'],
  ['pg_wal', 'dir'],
];

type FolderState = { kind: 'new' } | { kind: 'cluster'; marker: DataMarker | null; pgVersion: string };

/** `problem` completes "The data folder <dir> …": it says what is wrong in words an operator can act on. */
function damaged(dir: string, problem: string): KassaError {
  return new KassaError(
    'DATA_DIR_DAMAGED',
    `The data folder ${dir} ${problem}. The server will not start on it and will not create a new ` +
      'database over it; restore it from a backup, or set KASSA_DATA_DIR to an empty folder.',
    { dataDir: dir },
  );
}

function readMarker(dir: string): DataMarker | null {
  const path = join(dir, MARKER_FILE);
  if (!existsSync(path)) return null;
  let v: unknown;
  try {
    v = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    throw damaged(dir, `is damaged: ${MARKER_FILE} is unreadable`);
  }
  const m = v as Partial<DataMarker> | null;
  if (!m || typeof m.format !== 'number' || typeof m.createdAt !== 'string') {
    throw damaged(dir, `is damaged: ${MARKER_FILE} is not a Kassa data marker`);
  }
  if (m.format > DATA_FORMAT) {
    throw damaged(
      dir,
      `cannot be used: ${MARKER_FILE} says data format ${m.format}, newer than this server's ${DATA_FORMAT}`,
    );
  }
  return { format: m.format, createdAt: m.createdAt };
}

function hasKind(path: string, kind: 'file' | 'dir'): boolean {
  try {
    const s = statSync(path);
    return kind === 'file' ? s.isFile() : s.isDirectory();
  } catch {
    return false;
  }
}

/** Reads the folder without changing it: new (empty), a whole cluster, or a KassaError saying what is wrong. */
export function inspectDataDir(dir: string): FolderState {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch (e) {
    throw damaged(dir, `cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  if (entries.every((name) => IGNORED.has(name))) return { kind: 'new' };
  const marker = readMarker(dir);
  const missing = CLUSTER_PARTS.filter(([path, kind]) => !hasKind(join(dir, path), kind)).map(
    ([path, kind]) => `${path}${kind === 'dir' ? '/' : ''}`,
  );
  if (missing.length > 0) {
    const list = missing.join(', ');
    const verb = missing.length === 1 ? 'is' : 'are';
    throw damaged(
      dir,
      marker
        ? `is damaged: it held Kassa data (since ${marker.createdAt}) but ${list} ${verb} missing`
        : `is not empty but holds no whole PGlite database (${list} ${verb} missing)`,
    );
  }
  const pgVersion = readFileSync(join(dir, 'PG_VERSION'), 'utf8').trim();
  if (!/^\d+(\.\d+)?$/.test(pgVersion)) throw damaged(dir, `is damaged: PG_VERSION holds ${JSON.stringify(pgVersion)}`);
  return { kind: 'cluster', marker, pgVersion };
}

/** True when Kassa's migrations have run in this database (its tables exist). */
export async function hasKassaSchema(query: Query): Promise<boolean> {
  const [row] = await query<{ migrations: boolean; stores: boolean }>(
    `SELECT to_regclass('schema_migrations') IS NOT NULL AS migrations, to_regclass('stores') IS NOT NULL AS stores`,
  );
  return Boolean(row?.migrations || row?.stores);
}

function writeMarker(dir: string): void {
  const marker: DataMarker & { note: string } = {
    format: DATA_FORMAT,
    createdAt: new Date().toISOString(),
    note: 'Kassa central server data (PGlite). Do not edit or delete: the server checks it at start-up.',
  };
  // Write then rename, so a crash never leaves a half-written marker that reads as damage.
  const tmp = join(dir, `${MARKER_FILE}.tmp`);
  writeFileSync(tmp, `${JSON.stringify(marker, null, 2)}\n`);
  renameSync(tmp, join(dir, MARKER_FILE));
}

/** True when the folder is absent or holds nothing but lock files and OS litter (what a new database may use). */
export function isEmptyDataDir(dir: string): boolean {
  if (!existsSync(dir)) return true;
  return readdirSync(dir).every((name) => IGNORED.has(name));
}

/** The folder path PGlite would use (`file://` prefix allowed), made absolute for messages. */
export function folderOf(dataDir: string): string {
  return resolve(dataDir.startsWith('file://') ? dataDir.slice('file://'.length) : dataDir);
}

export async function openPglite(dataDir: string, options: OpenPgliteOptions = {}): Promise<PgliteDb> {
  if (dataDir === 'memory://') {
    const pg = new PGlite(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {});
    await pg.waitReady;
    return wrap(
      pg,
      null,
      () => undefined,
      () => undefined,
    );
  }

  const log = options.log ?? (() => undefined);
  const dir = folderOf(dataDir);
  if (existsSync(dir) && !hasKind(dir, 'dir')) throw damaged(dir, 'is not a folder');
  mkdirSync(dir, { recursive: true });
  const lock = acquireDataDirLock(dir, { log });
  try {
    const state = inspectDataDir(dir);
    if (options.loadDataDir && state.kind !== 'new') {
      throw new KassaError(
        'RESTORE_TARGET_NOT_EMPTY',
        `The data folder ${dir} is not empty: a backup loads only into a new one`,
        {
          dataDir: dir,
        },
      );
    }
    const pidFile = join(dir, 'postmaster.pid');
    const hadPidFile = existsSync(pidFile);
    let pg: PGlite;
    try {
      pg = new PGlite(dir, options.loadDataDir ? { loadDataDir: options.loadDataDir } : {});
      await pg.waitReady;
    } catch (e) {
      // A failed open leaves PostgreSQL's pid file behind; take it away so the folder is as we found it.
      if (!hadPidFile) rmSync(pidFile, { force: true });
      // Emscripten's abort text ends in advice for its own developers, not for an operator.
      const reason = (e instanceof Error ? e.message : String(e)).replace(/\s*Build with -sASSERTIONS.*$/, '');
      const pgVersion = state.kind === 'cluster' ? `, PG_VERSION ${state.pgVersion}` : '';
      const hint =
        state.kind === 'cluster' && !state.marker
          ? `; it has no ${MARKER_FILE}, so it may never have been set up completely: if it holds nothing you need, delete it`
          : '';
      const what = state.kind === 'new' ? 'could not be set up: PGlite failed' : 'is damaged: PGlite could not open it';
      throw damaged(dir, `${what} (${reason}${pgVersion})${hint}`);
    }
    if (state.kind === 'cluster' && state.marker) {
      const intact = await hasKassaSchema(async (sql) => (await pg.query<never>(sql)).rows).catch(() => false);
      if (!intact) {
        await pg.close().catch(() => undefined);
        throw damaged(dir, `is damaged: ${MARKER_FILE} says it held Kassa data but the database has no Kassa tables`);
      }
    }
    if (state.kind === 'cluster' && !state.marker) {
      log(`Data folder ${dir}: no ${MARKER_FILE} yet (an older Kassa made it); it is written after migrations`);
    }
    // A loaded backup brings the marker of the folder it was taken from (when that one had it).
    let marked =
      (state.kind === 'cluster' && state.marker !== null) || (!!options.loadDataDir && readMarker(dir) !== null);
    return wrap(pg, dir, lock.release, () => {
      if (marked) return;
      writeMarker(dir);
      marked = true;
    });
  } catch (e) {
    lock.release();
    throw e;
  }
}

function wrap(pg: PGlite, dataDir: string | null, releaseLock: () => void, markMigrated: () => void): PgliteDb {
  const query: Query = async <T>(sql: string, params?: readonly unknown[]) =>
    (await pg.query<T>(sql, params as unknown[])).rows;
  let chain: Promise<unknown> = Promise.resolve();
  return {
    kind: 'pglite',
    dataDir,
    markMigrated,
    dumpDataDir() {
      const run = chain.then(async () => {
        // Everything written so far into the data files, so the tarball needs no WAL replay to be whole.
        await pg.query('CHECKPOINT');
        return pg.dumpDataDir('gzip');
      });
      chain = run.catch(() => undefined);
      return run;
    },
    query: (sql, params) => {
      const run = chain.then(() => query(sql, params));
      chain = run.catch(() => undefined);
      return run as never;
    },
    tx(fn) {
      const run = chain.then(() =>
        pg.transaction(async (t) =>
          fn(async <T>(sql: string, params?: readonly unknown[]) => (await t.query<T>(sql, params as unknown[])).rows),
        ),
      );
      chain = run.catch(() => undefined);
      return run;
    },
    async listen(channel, onPayload) {
      const unsub = await pg.listen(channel, onPayload);
      return async () => {
        await unsub();
      };
    },
    async close() {
      try {
        await pg.close();
      } finally {
        // Released only once PGlite has written everything out, so the next process opens a quiet folder.
        releaseLock();
      }
    },
  };
}
