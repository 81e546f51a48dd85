/**
 * `kassa db backup | restore | verify | migrate | mark-restored`: the central server's
 * database, for operators. The database is the one the server would use:
 * DATABASE_URL (PostgreSQL), else KASSA_DATA_DIR (PGlite, default
 * ./data/server); `--database-url` / `--data-dir` override them.
 *
 * Output is one JSON object on stdout. A coded error prints `CODE: message`
 * on stderr and exits 1; wrong usage exits 2. Every refusal happens before
 * anything is written (src-server/ops/backup.ts).
 */
import { parseArgs } from 'node:util';
import { isKassaError, KassaError } from '../shared/errors';
import { openDb } from '../src-server/db';
import { migrate } from '../src-server/migrate';
import { backupDatabase, markRestored, restoreDatabase, targetFromEnv, type DbTarget } from '../src-server/ops/backup';
import { verifyBackupFile } from '../src-server/ops/backup-file';

const usage = `Usage:
  kassa db backup --out FILE          write a backup of the server's database to FILE (a new file)
  kassa db restore FILE [--force]     restore FILE into the server's database (stop every server first)
  kassa db verify FILE                check FILE whole (checksum) and print what it holds
  kassa db migrate                    apply the server's migrations (the server also does at start)
  kassa db mark-restored [--taken-at ISO-TIME]
                                      after restoring by other means (a provider snapshot, point-in-time recovery):
                                      record the restore as \`db restore\` does, before any server starts on it
The database: DATABASE_URL (PostgreSQL), else KASSA_DATA_DIR (PGlite, default ./data/server);
--database-url URL or --data-dir DIR override them.
`;

function targetOf(values: { 'database-url'?: string; 'data-dir'?: string }): DbTarget {
  if (values['database-url'] && values['data-dir']) {
    throw new KassaError('CONFIG_INVALID', '--database-url and --data-dir name two databases: give one');
  }
  if (values['database-url']) return { kind: 'postgres', url: values['database-url'] };
  if (values['data-dir']) return targetFromEnv({ KASSA_DATA_DIR: values['data-dir'] });
  return targetFromEnv(process.env);
}

function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

async function run(sub: string | undefined, rest: string[]): Promise<number> {
  let parsed: ReturnType<typeof parseOptions>;
  try {
    parsed = parseOptions(rest);
  } catch (e) {
    process.stderr.write(`CONFIG_INVALID: ${e instanceof Error ? e.message : String(e)}\n${usage}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const wrong = (why: string) => {
    process.stderr.write(`CONFIG_INVALID: ${why}\n${usage}`);
    return 2;
  };
  switch (sub) {
    case 'backup': {
      if (!values.out) return wrong('backup needs --out FILE');
      if (positionals.length > 0 || values.force) return wrong(`unexpected argument ${positionals[0] ?? '--force'}`);
      const result = await backupDatabase(targetOf(values), values.out);
      print({
        ok: true,
        file: result.file,
        kind: result.header.kind,
        bytes: result.header.payload.bytes,
        migrations: result.header.migrations.length,
        counts: result.header.counts,
        seconds: Number(result.seconds.toFixed(2)),
      });
      return 0;
    }
    case 'restore': {
      if (positionals.length !== 1 || values.out) return wrong('restore takes one backup FILE');
      const result = await restoreDatabase(targetOf(values), positionals[0]!, { force: values.force ?? false });
      print({
        ok: true,
        file: result.file,
        kind: result.header.kind,
        backupCreatedAt: result.header.createdAt,
        counts: result.header.counts,
        migrationsApplied: result.applied,
        seqSkipped: { after: result.backupSeq, through: result.resumedSeq },
        replacedFolder: result.replacedFolder,
        seconds: Number(result.seconds.toFixed(2)),
        next: 'Start the servers. Tills re-pull and re-send what the backup lacks by themselves; see docs/operations.md.',
      });
      return 0;
    }
    case 'verify': {
      if (positionals.length !== 1 || values.out || values.force) return wrong('verify takes one backup FILE');
      const { header } = await verifyBackupFile(positionals[0]!);
      print({ ok: true, file: positionals[0], ...header });
      return 0;
    }
    case 'migrate': {
      if (positionals.length > 0 || values.out || values.force) return wrong('migrate takes no arguments');
      const target = targetOf(values);
      const opened = await openDb(
        target.kind === 'postgres' ? { DATABASE_URL: target.url } : { KASSA_DATA_DIR: target.dataDir },
      );
      try {
        const applied = await migrate(opened.db);
        opened.markMigrated();
        print({ ok: true, where: opened.where, applied });
      } finally {
        await opened.db.close();
      }
      return 0;
    }
    case 'mark-restored': {
      if (positionals.length > 0 || values.out || values.force) return wrong('mark-restored takes only --taken-at');
      const takenAt = values['taken-at'];
      if (takenAt !== undefined && Number.isNaN(Date.parse(takenAt))) {
        return wrong(`--taken-at ${takenAt} is not a time (e.g. 2026-12-01T23:00:00Z)`);
      }
      const result = await markRestored(targetOf(values), { takenAt });
      print({
        ok: true,
        migrationsApplied: result.applied,
        seqSkipped: { after: result.backupSeq, through: result.resumedSeq },
        next: 'Start the servers. Tills re-pull and re-send what the restored database lacks by themselves.',
      });
      return 0;
    }
    default:
      process.stderr.write(usage);
      return sub === undefined || sub === 'help' || sub === '--help' ? 0 : 2;
  }
}

function parseOptions(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: true,
    options: {
      out: { type: 'string' },
      force: { type: 'boolean' },
      'taken-at': { type: 'string' },
      'database-url': { type: 'string' },
      'data-dir': { type: 'string' },
    },
  });
}

export async function runDbCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  try {
    return await run(sub, rest);
  } catch (e) {
    if (isKassaError(e)) {
      process.stderr.write(`${e.code}: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}
