/**
 * Backup and restore of the central server's database, for both backends:
 * real PostgreSQL (pg_dump / pg_restore) and the embedded PGlite data folder
 * (PGlite's own dump of the folder). `kassa db backup|restore` (src-cli) is
 * the operator's way in; docs/operations.md says when to use which.
 *
 * Invariants:
 * - Nothing is changed before the backup file has been checked whole
 *   (backup-file.ts) and found compatible: its kind matches the target
 *   (BACKUP_WRONG_BACKEND) and it has no migration this server does not know
 *   (BACKUP_SCHEMA_NEWER). A corrupt or truncated file changes nothing.
 * - A restore never lands on data it was not told to replace: a target with
 *   Kassa data is RESTORE_TARGET_NOT_EMPTY unless forced. Forced, PostgreSQL
 *   drops and recreates every object of the backup in one transaction
 *   (`pg_restore --clean --if-exists --single-transaction`: a failure leaves the
 *   old database); a PGlite folder's old contents are moved aside, never deleted.
 * - A restore goes to PostgreSQL only while no Kassa server is connected to
 *   it (DATABASE_IN_USE), and to a PGlite folder only under its lock
 *   (DATA_DIR_LOCKED while a server uses it). A PGlite backup also needs the
 *   lock: the embedded server must be stopped. pg_dump reads one snapshot, so a
 *   PostgreSQL backup runs while the servers serve.
 * - After the data is back, the migrations this server carries are applied,
 *   and the restore is recorded: the replication sequence resumes far above the
 *   backup's last number and the skipped range is kept in `restores`, so tills
 *   that saw documents from after the backup pull everything again (seq.ts).
 *   Tills re-send what the restored server no longer has from its watermark
 *   (docs/replication.md, "After a restore"). A database restored by other
 *   means (a provider's snapshot) gets the same record from `markRestored`.
 */
import { mkdtemp, readdir, rename, rm, writeFile, mkdir, rmdir } from 'node:fs/promises';
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { hostname, userInfo } from 'node:os';
import pg from 'pg';
import { isKassaError, KassaError } from '../../shared/errors';
import { SERVER_VERSION } from '../app';
import {
  folderOf,
  inspectDataDir,
  isEmptyDataDir,
  openPglite,
  openPostgres,
  SERVER_APPLICATION_NAME,
  type Db,
  type Query,
} from '../db';
import { acquireDataDirLock, LOCK_FILE, TAKEOVER_FILE } from '../db/data-dir-lock';
import { hasKassaSchema } from '../db/pglite';
import { migrate } from '../migrate';
import { resumeSeqAfterRestore } from '../seq';
import { audit } from '../admin/access';
import { migrationFiles } from './health';
import {
  assertNewBackupFile,
  extractPayload,
  readPayload,
  verifyBackupFile,
  writeBackupFile,
  type BackupHeader,
  type VerifiedBackup,
} from './backup-file';
import { findPgTool, libpqConnection, majorOf, runPgTool } from './pg-tools';

/** Where the data lives: a PostgreSQL URL, or a PGlite data folder (as the server resolves them). */
export type DbTarget = { kind: 'postgres'; url: string } | { kind: 'pglite'; dataDir: string };

export type BackupResult = { file: string; header: BackupHeader; seconds: number };
export type RestoreResult = {
  file: string;
  header: BackupHeader;
  /** Migrations applied after the data was back (a backup from an older server). */
  applied: string[];
  /** The replication sequence's range the restore skipped: (backupSeq, resumedSeq]. */
  backupSeq: number;
  resumedSeq: number;
  /** PGlite with force: where the folder's previous contents were moved. */
  replacedFolder: string | null;
  seconds: number;
};

/** The target from the same settings the server reads: DATABASE_URL, else KASSA_DATA_DIR (default ./data/server). */
export function targetFromEnv(env: { DATABASE_URL?: string; KASSA_DATA_DIR?: string }): DbTarget {
  if (env.DATABASE_URL) return { kind: 'postgres', url: env.DATABASE_URL };
  // An empty setting is no setting (never the current folder).
  const dataDir = env.KASSA_DATA_DIR || './data/server';
  if (dataDir === 'memory://') {
    throw new KassaError('CONFIG_INVALID', 'KASSA_DATA_DIR=memory:// keeps no data to back up or restore');
  }
  return { kind: 'pglite', dataDir };
}

/** Where a PostgreSQL URL points, without its password, for messages. */
function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname || 'localhost'}${u.port ? `:${u.port}` : ''}${u.pathname}`;
  } catch {
    return 'the database in DATABASE_URL';
  }
}

function unreachable(url: string, e: unknown): KassaError {
  const reason = e instanceof Error ? e.message : String(e);
  return new KassaError(
    'DATABASE_UNREACHABLE',
    `Cannot connect to PostgreSQL at ${describeUrl(url)}: ${reason}. Check DATABASE_URL (user, password, host, port, database, sslmode).`,
  );
}

type Facts = Pick<BackupHeader, 'migrations' | 'postgresVersion' | 'seq' | 'counts'>;

/** What a backup records about the database it was taken of. */
async function readFacts(q: Query): Promise<Facts> {
  const migrations = (await q<{ name: string }>('SELECT name FROM schema_migrations ORDER BY name')).map((r) => r.name);
  const [v] = await q<{ server_version: string }>('SHOW server_version');
  const [row] = await q<Record<string, string | number | null>>(
    `SELECT (SELECT count(*) FROM sales) AS sales, (SELECT count(*) FROM ledger_entries) AS ledger_entries,
            (SELECT count(*) FROM members) AS members, (SELECT count(*) FROM tills) AS tills,
            (SELECT count(*) FROM journal_inbox) AS journal_documents,
            GREATEST((SELECT max(seq) FROM products), (SELECT max(seq) FROM members), (SELECT max(seq) FROM refdata)) AS seq`,
  );
  const n = (k: string) => Number(row?.[k] ?? 0);
  return {
    migrations,
    postgresVersion: v?.server_version ?? 'unknown',
    seq: n('seq'),
    counts: {
      sales: n('sales'),
      ledgerEntries: n('ledger_entries'),
      members: n('members'),
      tills: n('tills'),
      journalDocuments: n('journal_documents'),
    },
  };
}

/** The kind must match the target and every migration in it must be one this server carries. */
export function checkCompatible(backup: VerifiedBackup, target: DbTarget, files = migrationFiles()): void {
  const { header } = backup;
  if (header.kind !== target.kind) {
    const how =
      header.kind === 'pglite'
        ? 'into a PGlite data folder (KASSA_DATA_DIR, no DATABASE_URL)'
        : 'into PostgreSQL (DATABASE_URL)';
    throw new KassaError(
      'BACKUP_WRONG_BACKEND',
      `${backup.path} is a backup of a ${header.kind === 'pglite' ? 'PGlite data folder' : 'PostgreSQL database'}: restore it ${how}. Nothing was changed.`,
      { kind: header.kind },
    );
  }
  const unknown = header.migrations.filter((m) => !files.includes(m));
  if (unknown.length > 0) {
    throw new KassaError(
      'BACKUP_SCHEMA_NEWER',
      `${backup.path} was taken from a newer Kassa server (server ${header.serverVersion}; migrations this server does not know: ${unknown.join(', ')}). ` +
        'Restore it with that server version or newer. Nothing was changed.',
      { unknown },
    );
  }
}

/** What is known about the point a database was restored to. */
type RestoredPoint = { kind: DbTarget['kind']; createdAt: string; file: string | null; serverVersion: string | null };

const pointOf = (backup: VerifiedBackup): RestoredPoint => ({
  kind: backup.header.kind,
  createdAt: backup.header.createdAt,
  file: basename(backup.path),
  serverVersion: backup.header.serverVersion,
});

/**
 * Records the restore in the restored database: the sequence resumes far above the backup's last number,
 * the skipped range goes into `restores` (so tills' checkpoints from after the backup are recognised), and
 * the audit log says who restored what.
 */
async function recordRestore(db: Db, point: RestoredPoint): Promise<{ backupSeq: number; resumedSeq: number }> {
  return db.tx(async (q) => {
    const [top] = await q<{ seq: string | number | null; last: string | number; called: boolean }>(
      `SELECT GREATEST((SELECT max(seq) FROM products), (SELECT max(seq) FROM members), (SELECT max(seq) FROM refdata)) AS seq,
              last_value AS last, is_called AS called FROM kassa_seq`,
    );
    const backupSeq = Number(top?.seq ?? 0);
    const lastDrawn = top?.called ? Number(top.last) : 0;
    const resumedSeq = resumeSeqAfterRestore(Math.max(backupSeq, lastDrawn), Date.now());
    await q('SELECT setval($1, $2, true)', ['kassa_seq', resumedSeq]);
    const detail = {
      file: point.file,
      backupCreatedAt: point.createdAt,
      backupServerVersion: point.serverVersion,
      restoredBy: `${userInfo().username}@${hostname()}`,
    };
    await q(
      `INSERT INTO restores (backup_created_at, backup_kind, backup_seq, resumed_seq, detail) VALUES ($1, $2, $3, $4, $5)`,
      [point.createdAt, point.kind, backupSeq, resumedSeq, JSON.stringify(detail)],
    );
    await audit(q, { id: 'cli', source: hostname() }, 'server.restore', point.file ?? 'restored by other means', {
      ...detail,
      backupSeq,
      resumedSeq,
    });
    return { backupSeq, resumedSeq };
  });
}

/** A data folder in use: the embedded server must be stopped for a PGlite backup or restore (PostgreSQL's need not be). */
function withStopHint(e: unknown, what: 'backup' | 'restore'): unknown {
  return isKassaError(e) && e.code === 'DATA_DIR_LOCKED'
    ? new KassaError('DATA_DIR_LOCKED', `${e.message} A PGlite ${what} needs the server stopped.`, e.details)
    : e;
}

const elapsed = (started: bigint) => Number(process.hrtime.bigint() - started) / 1e9;

// --- Backup -------------------------------------------------------------------------------------------------

/** Writes a backup of `target` to the new file `out`. */
export async function backupDatabase(target: DbTarget, out: string): Promise<BackupResult> {
  const started = process.hrtime.bigint();
  assertNewBackupFile(out);
  const header =
    target.kind === 'postgres' ? await backupPostgres(target.url, out) : await backupPglite(target.dataDir, out);
  return { file: out, header, seconds: elapsed(started) };
}

async function backupPostgres(url: string, out: string): Promise<BackupHeader> {
  const client = new pg.Client({ connectionString: url, application_name: 'kassa-backup' });
  // A connection that breaks mid-backup must fail the backup, not crash the process.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (e) {
    throw unreachable(url, e);
  }
  const work = await mkdtemp(join(dirname(out), '.kassa-backup-'));
  try {
    // One snapshot for what the header says and for pg_dump, held open until the dump is done.
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const q: Query = async <T>(sql: string, params?: readonly unknown[]) =>
      (await client.query(sql, params as unknown[])).rows as T[];
    if (!(await hasKassaSchema(q))) {
      throw new KassaError(
        'BACKUP_SOURCE_EMPTY',
        `PostgreSQL at ${describeUrl(url)} holds no Kassa data: nothing to back up`,
      );
    }
    const [{ snapshot } = { snapshot: '' }] = await q<{ snapshot: string }>('SELECT pg_export_snapshot() AS snapshot');
    const facts = await readFacts(q);
    const tool = findPgTool(
      'pg_dump',
      majorOf(facts.postgresVersion),
      `PostgreSQL ${facts.postgresVersion} (the database)`,
    );
    const payload = join(work, 'dump.pgcustom');
    const conn = libpqConnection(url);
    const r = await runPgTool(
      tool,
      ['--format=custom', `--snapshot=${snapshot}`, '--no-password', `--file=${payload}`, `--dbname=${conn.dbname}`],
      conn.env,
    );
    if (r.code !== 0) {
      throw new KassaError(
        'BACKUP_FAILED',
        `pg_dump ${tool.version} failed (exit ${r.code}): ${r.stderr || 'no message'}`,
      );
    }
    const header = await writeBackupFile(out, payload, {
      kind: 'postgres',
      createdAt: new Date().toISOString(),
      serverVersion: SERVER_VERSION,
      pgDumpVersion: tool.version,
      ...facts,
    });
    await client.query('COMMIT');
    return header;
  } finally {
    await rm(work, { recursive: true, force: true });
    await client.end().catch(() => undefined);
  }
}

async function backupPglite(dataDir: string, out: string): Promise<BackupHeader> {
  const dir = folderOf(dataDir);
  // Checked before opening: PGlite would set up a new, empty database in an empty folder.
  if (!existsSync(dir) || isEmptyDataDir(dir)) {
    throw new KassaError('BACKUP_SOURCE_EMPTY', `The data folder ${dir} holds no database: nothing to back up`);
  }
  inspectDataDir(dir);
  const db = await openPglite(dir).catch((e: unknown) => {
    throw withStopHint(e, 'backup');
  });
  const work = await mkdtemp(join(dirname(out), '.kassa-backup-'));
  try {
    if (!(await hasKassaSchema(db.query))) {
      throw new KassaError('BACKUP_SOURCE_EMPTY', `The data folder ${dir} holds no Kassa data: nothing to back up`);
    }
    const facts = await readFacts(db.query);
    const payload = join(work, 'datadir.tar.gz');
    await writeFile(payload, Buffer.from(await (await db.dumpDataDir()).arrayBuffer()));
    return await writeBackupFile(out, payload, {
      kind: 'pglite',
      createdAt: new Date().toISOString(),
      serverVersion: SERVER_VERSION,
      ...facts,
    });
  } finally {
    await rm(work, { recursive: true, force: true });
    await db.close();
  }
}

// --- Restore ------------------------------------------------------------------------------------------------

/** Restores the backup `file` into `target`; `force` replaces Kassa data that is there. */
export async function restoreDatabase(
  target: DbTarget,
  file: string,
  options: { force?: boolean } = {},
): Promise<RestoreResult> {
  const started = process.hrtime.bigint();
  const backup = await verifyBackupFile(file);
  checkCompatible(backup, target);
  const done =
    target.kind === 'postgres'
      ? { ...(await restorePostgres(target.url, backup, options.force ?? false)), replacedFolder: null }
      : await restorePglite(target.dataDir, backup, options.force ?? false);
  return { file, header: backup.header, ...done, seconds: elapsed(started) };
}

/** DATABASE_IN_USE while any Kassa server is connected to the database (they name themselves, postgres.ts). */
async function assertNoServers(db: Db, url: string): Promise<void> {
  const [servers] = await db.query<{ n: string }>(
    `SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1`,
    [SERVER_APPLICATION_NAME],
  );
  if (Number(servers?.n ?? 0) > 0) {
    throw new KassaError(
      'DATABASE_IN_USE',
      `${servers!.n} connection(s) of Kassa servers are open on ${describeUrl(url)}: stop every server node before a restore. Nothing was changed.`,
    );
  }
}

async function restorePostgres(
  url: string,
  backup: VerifiedBackup,
  force: boolean,
): Promise<{ applied: string[]; backupSeq: number; resumedSeq: number }> {
  const dumpedBy = backup.header.pgDumpVersion ?? backup.header.postgresVersion;
  const tool = findPgTool('pg_restore', majorOf(dumpedBy), `a backup written by pg_dump ${dumpedBy}`);
  const db = openPostgres(url, { poolSize: 3, applicationName: 'kassa-restore' });
  try {
    try {
      await db.query('SELECT 1');
    } catch (e) {
      throw unreachable(url, e);
    }
    await assertNoServers(db, url);
    if (await hasKassaSchema(db.query)) {
      if (!force) {
        throw new KassaError(
          'RESTORE_TARGET_NOT_EMPTY',
          `PostgreSQL at ${describeUrl(url)} already holds Kassa data: restore into an empty database, or pass --force to replace it. Nothing was changed.`,
        );
      }
      // Objects the backup does not have would survive --clean; a schema newer than the backup's is refused whole.
      const present = (await db.query<{ name: string }>('SELECT name FROM schema_migrations')).map((r) => r.name);
      const newer = present.filter((m) => !backup.header.migrations.includes(m));
      if (newer.length > 0) {
        throw new KassaError(
          'RESTORE_TARGET_NOT_EMPTY',
          `PostgreSQL at ${describeUrl(url)} has migrations the backup does not (${newer.join(', ')}): ` +
            'empty it first (DROP SCHEMA public CASCADE; CREATE SCHEMA public) or restore into a new database. Nothing was changed.',
        );
      }
    }
    const work = await mkdtemp(join(dirname(backup.path), '.kassa-restore-'));
    try {
      const payload = join(work, 'dump.pgcustom');
      await extractPayload(backup, payload);
      const conn = libpqConnection(url);
      // One transaction: a failure anywhere leaves the database as it was.
      const r = await runPgTool(
        tool,
        [
          '--clean',
          '--if-exists',
          '--single-transaction',
          '--no-owner',
          '--no-privileges',
          '--no-password',
          `--dbname=${conn.dbname}`,
          payload,
        ],
        conn.env,
      );
      if (r.code !== 0) {
        throw new KassaError(
          'RESTORE_FAILED',
          `pg_restore ${tool.version} failed (exit ${r.code}); the database was left as it was: ${r.stderr || 'no message'}`,
        );
      }
    } finally {
      await rm(work, { recursive: true, force: true });
    }
    const applied = await migrate(db);
    return { applied, ...(await recordRestore(db, pointOf(backup))) };
  } finally {
    await db.close();
  }
}

/** Moves every entry of `from` into `to` (same file system), leaving the lock files where they are. */
async function moveEntries(from: string, to: string): Promise<void> {
  await mkdir(to, { recursive: true });
  for (const name of await readdir(from)) {
    if (name === LOCK_FILE || name === TAKEOVER_FILE) continue;
    await rename(join(from, name), join(to, name));
  }
}

async function restorePglite(
  dataDir: string,
  backup: VerifiedBackup,
  force: boolean,
): Promise<{ applied: string[]; backupSeq: number; resumedSeq: number; replacedFolder: string | null }> {
  const dir = folderOf(dataDir);
  if (existsSync(dir) && !statSync(dir).isDirectory()) {
    throw new KassaError('RESTORE_TARGET_NOT_EMPTY', `${dir} is a file, not a data folder. Nothing was changed.`);
  }
  await mkdir(dir, { recursive: true });
  // Held throughout: no server starts on the folder while it is being replaced.
  let lock: ReturnType<typeof acquireDataDirLock>;
  try {
    lock = acquireDataDirLock(dir);
  } catch (e) {
    throw withStopHint(e, 'restore');
  }
  try {
    const occupied = !isEmptyDataDir(dir);
    if (occupied && !force) {
      throw new KassaError(
        'RESTORE_TARGET_NOT_EMPTY',
        `The data folder ${dir} is not empty: restore into an empty or new folder, or pass --force (its contents are then moved aside). Nothing was changed.`,
        { dataDir: dir },
      );
    }
    const blob = await readPayload(backup);
    // Loaded beside the target and moved in only when whole: a failed restore leaves the target as it was.
    const staging = `${dir}.restoring-${process.pid}`;
    await rm(staging, { recursive: true, force: true });
    try {
      let opened;
      try {
        opened = await openPglite(staging, { loadDataDir: blob });
      } catch (e) {
        const reason = e instanceof Error ? e.message : String(e);
        throw new KassaError('RESTORE_FAILED', `PGlite could not load ${backup.path}: ${reason}`);
      }
      let applied: string[];
      let seqs: { backupSeq: number; resumedSeq: number };
      try {
        applied = await migrate(opened);
        opened.markMigrated();
        seqs = await recordRestore(opened, pointOf(backup));
      } finally {
        await opened.close();
      }
      // The dump carries the lock file of the server it was taken from: it means nothing here.
      await rm(join(staging, LOCK_FILE), { force: true });
      await rm(join(staging, TAKEOVER_FILE), { force: true });
      let replacedFolder: string | null = null;
      if (occupied) {
        replacedFolder = `${dir}.replaced-${new Date().toISOString().replace(/[:.]/g, '-')}`;
        await moveEntries(dir, replacedFolder);
      }
      await moveEntries(staging, dir);
      await rmdir(staging);
      return { applied, ...seqs, replacedFolder };
    } catch (e) {
      await rm(staging, { recursive: true, force: true });
      throw e;
    }
  } finally {
    lock.release();
  }
}

// --- Restored by other means ----------------------------------------------------------------------------------

/**
 * For a database restored without `kassa db restore` (a provider's snapshot or point-in-time recovery, a PGlite
 * folder copied back): applies the migrations and records the restore exactly as a restore does. Run it before
 * any server starts on the database. `takenAt`: the point restored to, when known.
 */
export async function markRestored(
  target: DbTarget,
  options: { takenAt?: string } = {},
): Promise<{ applied: string[]; backupSeq: number; resumedSeq: number }> {
  const point: RestoredPoint = {
    kind: target.kind,
    createdAt: options.takenAt ?? new Date().toISOString(),
    file: null,
    serverVersion: null,
  };
  if (target.kind === 'postgres') {
    const db = openPostgres(target.url, { poolSize: 3, applicationName: 'kassa-restore' });
    try {
      try {
        await db.query('SELECT 1');
      } catch (e) {
        throw unreachable(target.url, e);
      }
      await assertNoServers(db, target.url);
      if (!(await hasKassaSchema(db.query))) {
        throw new KassaError(
          'RESTORE_FAILED',
          `PostgreSQL at ${describeUrl(target.url)} holds no Kassa data: nothing to mark`,
        );
      }
      const applied = await migrate(db);
      return { applied, ...(await recordRestore(db, point)) };
    } finally {
      await db.close();
    }
  }
  const dir = folderOf(target.dataDir);
  if (isEmptyDataDir(dir)) {
    throw new KassaError('RESTORE_FAILED', `The data folder ${dir} holds no database: nothing to mark`);
  }
  const db = await openPglite(dir).catch((e: unknown) => {
    throw withStopHint(e, 'restore');
  });
  try {
    if (!(await hasKassaSchema(db.query))) {
      throw new KassaError('RESTORE_FAILED', `The data folder ${dir} holds no Kassa data: nothing to mark`);
    }
    const applied = await migrate(db);
    db.markMigrated();
    return { applied, ...(await recordRestore(db, point)) };
  } finally {
    await db.close();
  }
}
