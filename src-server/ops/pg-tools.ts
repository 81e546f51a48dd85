/**
 * PostgreSQL's client tools (pg_dump, pg_restore) for backups of a real
 * PostgreSQL database, found and run the same way on every machine.
 *
 * Invariants:
 * - A tool is used only when its major version is at least the one needed
 *   (pg_dump: the server's; pg_restore: the pg_dump that wrote the archive).
 *   Otherwise PG_TOOLS_MISSING says which version to install and where.
 * - The password never appears on a command line (`ps` shows those): the
 *   child gets the URL without it and the password in PGPASSWORD.
 * - Settings only node-postgres understands are translated for libpq
 *   (`sslmode=no-verify` is libpq's `require`; `uselibpqcompat` is dropped).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { KassaError } from '../../shared/errors';

export type PgTool = { path: string; version: string; major: number };

const DEBIAN_PG_ROOT = '/usr/lib/postgresql';

/** `pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)` → 15.18; null when the tool does not run. */
export function toolVersion(path: string): PgTool | null {
  const r = spawnSync(path, ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return null;
  const m = /\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?/.exec(r.stdout) ?? /\b(\d+)(?:\.(\d+))?/.exec(r.stdout);
  if (!m) return null;
  return { path, version: m[2] === undefined ? m[1]! : `${m[1]}.${m[2]}`, major: Number(m[1]) };
}

/** The major version in `server_version` (`15.18 (Debian …)`, `16.4`, `18devel`). */
export function majorOf(version: string): number {
  return Number(/^(\d+)/.exec(version)?.[1] ?? 0);
}

function candidates(name: string, env: NodeJS.ProcessEnv): string[] {
  if (env.KASSA_PG_BIN) return [join(env.KASSA_PG_BIN, name)];
  const versioned = existsSync(DEBIAN_PG_ROOT)
    ? readdirSync(DEBIAN_PG_ROOT)
        .filter((v) => /^\d+$/.test(v))
        .sort((a, b) => Number(b) - Number(a))
        .map((v) => join(DEBIAN_PG_ROOT, v, 'bin', name))
        .filter((p) => existsSync(p))
    : [];
  return [name, ...versioned];
}

/** The first `name` (PATH, then Debian's versioned folders; only KASSA_PG_BIN when set) of at least `minMajor`. */
export function findPgTool(
  name: 'pg_dump' | 'pg_restore',
  minMajor: number,
  why: string,
  env: NodeJS.ProcessEnv = process.env,
): PgTool {
  const found = candidates(name, env)
    .map(toolVersion)
    .filter((t): t is PgTool => t !== null);
  const fit = found.find((t) => t.major >= minMajor);
  if (fit) return fit;
  const where = env.KASSA_PG_BIN ? ` in KASSA_PG_BIN (${env.KASSA_PG_BIN})` : '';
  const install =
    `install the PostgreSQL ${minMajor} client tools (Debian/Ubuntu: apt-get install postgresql-client-${minMajor}; ` +
    'scripts/ensure-system-deps.sh installs PostgreSQL) or set KASSA_PG_BIN to the folder that holds them';
  const message =
    found.length === 0
      ? `${name} was not found${where}: ${install}`
      : `${name} ${found.map((t) => t.version).join(', ')}${where} cannot be used: ${why} needs ${name} ${minMajor} or newer; ${install}`;
  throw new KassaError('PG_TOOLS_MISSING', message, {
    tool: name,
    needed: minMajor,
    found: found.map((t) => t.version),
  });
}

/** A connection URL for libpq tools: no password in it (that goes in PGPASSWORD), libpq's spelling of TLS settings. */
export function libpqConnection(url: string): { dbname: string; env: Record<string, string> } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { dbname: url, env: {} };
  }
  const env: Record<string, string> = {};
  if (u.password) {
    env.PGPASSWORD = decodeURIComponent(u.password);
    u.password = '';
  }
  u.searchParams.delete('uselibpqcompat');
  if (u.searchParams.get('sslmode') === 'no-verify') u.searchParams.set('sslmode', 'require');
  return { dbname: u.toString(), env };
}

/** Runs a tool to its end; resolves with its exit code and the tail of what it wrote to stderr. */
export function runPgTool(
  tool: PgTool,
  args: readonly string[],
  env: Record<string, string>,
): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(tool.path, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => {
      stderr = (stderr + c.toString()).slice(-4000);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stderr: stderr.trim() }));
  });
}
