/**
 * Starts the real Kassa processes for integration and e2e tests: the central
 * server and the browser-mode till host, each a single Node process (so a
 * SIGKILL really kills it), on free loopback ports.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

export const repoRoot = join(import.meta.dirname, '..', '..');

export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });

export type Proc = { child: ChildProcess; output: () => string; stop: (signal?: NodeJS.Signals) => Promise<void> };

/** `KASSA_CPU_PROFILE_DIR=dir`: every process started here writes a V8 CPU profile there when it exits (benches). */
function profileArgs(): string[] {
  const dir = process.env.KASSA_CPU_PROFILE_DIR;
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
}

const startNode = (script: string, env: Record<string, string>, readyLine: RegExp, timeoutMs = 60_000): Promise<Proc> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...profileArgs(), '--import', 'tsx', join(repoRoot, script)], {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${script} did not start in time:\n${out}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      if (readyLine.test(out)) {
        clearTimeout(timer);
        resolve(proc);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (!readyLine.test(out)) reject(new Error(`${script} exited with ${code}:\n${out}`));
    });
    const proc: Proc = {
      child,
      output: () => out,
      stop: (signal = 'SIGTERM') =>
        new Promise((done) => {
          if (child.exitCode !== null || child.signalCode !== null) return done();
          child.once('exit', () => done());
          child.kill(signal);
        }),
    };
  });

/** Far above what any suite sends (production defaults are in src-server/http/limits.ts). */
const GENEROUS_LIMITS: Record<string, string> = {
  KASSA_RATE_TILL: '1000000',
  KASSA_RATE_ADMIN: '1000000',
  KASSA_RATE_ENROL: '1000000',
  KASSA_RATE_FAILED_AUTH: '1000000',
  KASSA_STREAMS_PER_TILL: '1000',
};

export const startServer = (opts: {
  port: number;
  dataDir?: string;
  databaseUrl?: string;
  env?: Record<string, string>;
}) =>
  startNode(
    'src-server/main.ts',
    {
      PORT: String(opts.port),
      KASSA_ADMIN_TOKEN: 'test-admin',
      // Suites send bursts from one address (50 enrolments, revoked tokens); tests of the limits pass their own.
      ...GENEROUS_LIMITS,
      ...(opts.databaseUrl ? { DATABASE_URL: opts.databaseUrl } : { KASSA_DATA_DIR: opts.dataDir ?? 'memory://' }),
      ...opts.env,
    },
    /Kassa server listening/,
  );

export const startTillHost = (opts: {
  port: number;
  dataDir: string;
  serverUrl: string;
  env?: Record<string, string>;
}) =>
  startNode(
    'src-main/browser-main.ts',
    {
      KASSA_TILL_PORT: String(opts.port),
      KASSA_TILL_DATA_DIR: opts.dataDir,
      KASSA_SERVER_URL: opts.serverUrl,
      ...opts.env,
    },
    /open http:\/\/127\.0\.0\.1:\d+/,
  );

export const adminGet = async <T>(serverUrl: string, path: string): Promise<T> => {
  const res = await fetch(new URL(path, serverUrl), { headers: { authorization: 'Bearer test-admin' } });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
};

/** POSTs a JSON body to the server's admin API with the test admin token. */
export async function adminPost<T>(serverUrl: string, path: string, body: unknown = {}): Promise<T> {
  const res = await fetch(new URL(path, serverUrl), {
    method: 'POST',
    headers: { authorization: 'Bearer test-admin', 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}
