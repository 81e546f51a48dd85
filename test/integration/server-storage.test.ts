/**
 * Storage you can trust: the central server's PGlite data folder, through the
 * real server process on real temp folders. One server per folder (a second
 * one is refused and the first keeps serving; the lock goes away on SIGTERM
 * and is taken over after SIGKILL); a folder that lost files is refused and
 * left exactly as it was; the demo seed goes only into a database this start
 * created. Plus the lock module's stale-holder logic and the seed decision,
 * in process.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { isKassaError } from '../../shared/errors';
import {
  acquireDataDirLock,
  currentLockContext,
  isProcessAlive,
  judgeLock,
  LOCK_FILE,
  parseLockHolder,
  type LockContext,
  type LockHolder,
} from '../../src-server/db/data-dir-lock';
import { decideDemoSeed, parseSeedMode } from '../../src-server/seed';
import { adminGet, freePort, startServer, type Proc } from '../support/processes';

type Summary = { sales: number; ledgerEntries: number; pointsTotal: number };

/** A pid that surely belongs to no running process: a child that has exited and been reaped. */
const deadPid = (): number => {
  const r = spawnSync(process.execPath, ['-e', '']);
  if (!r.pid) throw new Error('could not spawn a child');
  return r.pid;
};

/** Every entry under `dir` with its size, mtime and content hash, so any change shows up. */
const snapshot = (dir: string): string[] => {
  const lines: string[] = [];
  const walk = (rel: string) => {
    for (const name of readdirSync(join(dir, rel)).sort()) {
      const path = join(rel, name);
      const s = statSync(join(dir, path));
      if (s.isDirectory()) {
        lines.push(`${path}/`);
        walk(path);
      } else {
        const hash = createHash('sha256')
          .update(readFileSync(join(dir, path)))
          .digest('hex');
        lines.push(`${path} ${s.size} ${s.mtimeMs} ${hash}`);
      }
    }
  };
  walk('');
  return lines;
};

/** Starts a server that must fail; returns its output (the harness reports the exit code in the message). */
const failedStart = async (dataDir: string, env: Record<string, string> = {}): Promise<string> => {
  try {
    const proc = await startServer({ port: await freePort(), dataDir, env: { KASSA_LOG_LEVEL: 'warn', ...env } });
    await proc.stop();
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
  throw new Error(`the server started on ${dataDir} but should have refused`);
};

let root = '';
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'kassa-storage-'));
});
afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('data folder lock (in process)', () => {
  const here: LockContext = { pid: 1000, host: 'till-server', bootId: 'boot-a', isAlive: (pid) => pid === 2000 };
  const holder = (over: Partial<LockHolder>): LockHolder => ({
    pid: 2000,
    host: 'till-server',
    startedAt: '2026-01-01T00:00:00.000Z',
    bootId: 'boot-a',
    ...over,
  });

  it('judges a holder live, stale (pid gone, rebooted, our own pid) or on another host', () => {
    expect(judgeLock(holder({}), here)).toEqual({ state: 'live' });
    expect(judgeLock(holder({ pid: 3000 }), here)).toEqual({
      state: 'stale',
      reason: 'process 3000 is no longer running',
    });
    expect(judgeLock(holder({ bootId: 'boot-b' }), here)).toMatchObject({ state: 'stale' });
    expect(judgeLock(holder({ pid: 1000 }), here)).toMatchObject({ state: 'stale' });
    expect(judgeLock(holder({ host: 'other' }), here)).toEqual({ state: 'foreign' });
    // Without a boot id on either side only the pid decides.
    expect(judgeLock(holder({ bootId: undefined }), here)).toEqual({ state: 'live' });
  });

  it('sees real processes: this one is alive, a reaped child is not', () => {
    expect(isProcessAlive(process.pid)).toBe(true);
    expect(isProcessAlive(deadPid())).toBe(false);
  });

  it('parses only whole lock files', () => {
    expect(parseLockHolder('{"pid":5,"host":"h","startedAt":"t"}')).toEqual({ pid: 5, host: 'h', startedAt: 't' });
    for (const bad of [
      '',
      '{',
      'null',
      '{"pid":"5","host":"h","startedAt":"t"}',
      '{"pid":0,"host":"h","startedAt":"t"}',
    ]) {
      expect(parseLockHolder(bad)).toBeNull();
    }
  });

  it('takes a free folder, refuses it twice in one process, and releases only its own lock', () => {
    const dir = join(root, 'lock-own');
    mkdirSync(dir);
    const lock = acquireDataDirLock(dir);
    expect(parseLockHolder(readFileSync(join(dir, LOCK_FILE), 'utf8'))).toMatchObject({
      pid: process.pid,
      host: hostname(),
    });
    expect(() => acquireDataDirLock(dir)).toThrow(/already open in this server process/);
    lock.release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);

    const again = acquireDataDirLock(dir);
    // Someone replaced our lock by hand: releasing must not delete theirs.
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify(holder({ pid: 2000 })));
    again.release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(true);
  });

  it('refuses a folder locked by a live process, naming the folder and its pid', () => {
    const dir = join(root, 'lock-live');
    mkdirSync(dir);
    const ctx = currentLockContext();
    const live: LockHolder = { pid: process.ppid, host: ctx.host, startedAt: '2026-01-01T00:00:00.000Z' };
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify(live));
    let error: unknown;
    try {
      acquireDataDirLock(dir);
    } catch (e) {
      error = e;
    }
    expect(isKassaError(error) && error.code).toBe('DATA_DIR_LOCKED');
    expect((error as Error).message).toContain(dir);
    expect((error as Error).message).toContain(`pid ${process.ppid}`);
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8'))).toEqual(live);
  });

  it('takes over a dead process’s lock and says so; never one from another host', () => {
    const dir = join(root, 'lock-stale');
    mkdirSync(dir);
    const dead = deadPid();
    writeFileSync(
      join(dir, LOCK_FILE),
      JSON.stringify({ pid: dead, host: hostname(), startedAt: '2026-01-01T00:00:00.000Z' }),
    );
    const lines: string[] = [];
    const lock = acquireDataDirLock(dir, { log: (l) => lines.push(l) });
    expect(lines).toEqual([expect.stringContaining(`took over a stale lock (pid ${dead}`)]);
    expect(lines[0]).toContain(`process ${dead} is no longer running`);
    expect(parseLockHolder(readFileSync(join(dir, LOCK_FILE), 'utf8'))?.pid).toBe(process.pid);
    lock.release();

    writeFileSync(
      join(dir, LOCK_FILE),
      JSON.stringify({ pid: dead, host: 'some-other-host', startedAt: '2026-01-01T00:00:00.000Z' }),
    );
    expect(() => acquireDataDirLock(dir)).toThrow(/on another host .*some-other-host/);
  });

  it('waits out a lock file being written, then treats a long-unreadable one as stale', () => {
    const dir = join(root, 'lock-unreadable');
    mkdirSync(dir);
    writeFileSync(join(dir, LOCK_FILE), '');
    expect(() => acquireDataDirLock(dir)).toThrow(/being locked by another Kassa server right now/);
    const old = new Date(Date.now() - 60_000);
    utimesSync(join(dir, LOCK_FILE), old, old);
    const lines: string[] = [];
    acquireDataDirLock(dir, { log: (l) => lines.push(l) }).release();
    expect(lines).toEqual([expect.stringContaining('took over an unreadable kassa.lock')]);
  });
});

describe('demo seed decision', () => {
  it('seeds only a database this start created, or one without a store on KASSA_SEED=force', () => {
    expect(parseSeedMode(undefined)).toBe('demo');
    expect(parseSeedMode('')).toBe('demo');
    expect(parseSeedMode('0')).toBe('off');
    expect(parseSeedMode('force')).toBe('force');
    expect(() => parseSeedMode('yes')).toThrow(/KASSA_SEED must be/);

    expect(decideDemoSeed({ mode: 'demo', fresh: true, hasStore: false })).toEqual({ seed: true });
    expect(decideDemoSeed({ mode: 'off', fresh: true, hasStore: false })).toEqual({ seed: false });
    expect(decideDemoSeed({ mode: 'force', fresh: false, hasStore: true })).toEqual({ seed: false });
    expect(decideDemoSeed({ mode: 'demo', fresh: false, hasStore: false })).toMatchObject({
      seed: false,
      note: expect.stringContaining('KASSA_SEED=force'),
    });
    expect(decideDemoSeed({ mode: 'force', fresh: false, hasStore: false })).toMatchObject({ seed: true });
  });
});

describe('server process on a PGlite data folder', () => {
  const running: Proc[] = [];
  const start = async (dataDir: string, env: Record<string, string> = {}) => {
    const port = await freePort();
    const proc = await startServer({ port, dataDir, env: { KASSA_LOG_LEVEL: 'warn', ...env } });
    running.push(proc);
    return { proc, url: `http://127.0.0.1:${port}` };
  };
  const pidOf = (child: ChildProcess): number => {
    if (!child.pid) throw new Error('no pid');
    return child.pid;
  };
  afterAll(async () => {
    for (const p of running) await p.stop('SIGKILL');
  });

  // Filled by the first test, reused by the integrity tests: a folder that holds the demo data.
  let dataDir = '';
  let seeded: Summary | null = null;

  it('one server per folder: a second is refused, the lock goes with SIGTERM and is taken over after SIGKILL', async () => {
    dataDir = join(root, 'server');
    const first = await start(dataDir);
    expect(first.proc.output()).toContain('Seeded demo data');
    // What a person trying the demo types at the till: PINs, member cards, product codes and a label.
    expect(first.proc.output()).toContain('Demo · Staff PINs: Sam Cashier (cashier) 1234');
    expect(first.proc.output()).toContain('2990000000040 Daan Bakker (150 points expire in ten days)');
    expect(first.proc.output()).toContain('a price label 2000031003504');
    seeded = await adminGet<Summary>(first.url, '/api/v1/admin/summary');
    expect(seeded.ledgerEntries).toBeGreaterThan(0);
    const firstPid = pidOf(first.proc.child);

    const refused = await failedStart(dataDir);
    expect(refused).toMatch(/exited with 1/);
    expect(refused).toContain('[DATA_DIR_LOCKED]');
    expect(refused).toContain(dataDir);
    expect(refused).toContain(`pid ${firstPid}`);
    expect(refused).not.toContain('    at '); // one line, no stack trace
    // The first one never noticed.
    expect((await fetch(`${first.url}/api/v1/health`)).ok).toBe(true);
    expect(await adminGet<Summary>(first.url, '/api/v1/admin/summary')).toEqual(seeded);

    await first.proc.stop('SIGTERM');
    expect(existsSync(join(dataDir, LOCK_FILE))).toBe(false);

    // Restart on the same folder: the data is there and nothing is seeded again.
    const second = await start(dataDir);
    expect(second.proc.output()).not.toContain('Seeded demo data');
    expect(second.proc.output()).toContain('Demo · Member cards: 2990000000019 Anna de Vries');
    expect(await adminGet<Summary>(second.url, '/api/v1/admin/summary')).toEqual(seeded);
    const secondPid = pidOf(second.proc.child);
    await second.proc.stop('SIGKILL');
    expect(parseLockHolder(readFileSync(join(dataDir, LOCK_FILE), 'utf8'))?.pid).toBe(secondPid);

    const third = await start(dataDir);
    expect(third.proc.output()).toContain(`took over a stale lock (pid ${secondPid}`);
    expect(third.proc.output()).toContain(`process ${secondPid} is no longer running`);
    expect(third.proc.output()).not.toContain('Seeded demo data');
    expect(await adminGet<Summary>(third.url, '/api/v1/admin/summary')).toEqual(seeded);
    await third.proc.stop('SIGTERM');
    expect(existsSync(join(dataDir, LOCK_FILE))).toBe(false);
  });

  // Refused starts cost a process start each but no PGlite open: run them side by side to keep the file fast.
  it('refuses a folder that lost files, or is not a Kassa folder, and leaves it exactly as it was', async () => {
    expect(seeded).not.toBeNull();
    const cases: Array<{ name: string; harm: (dir: string) => void; says: RegExp }> = [
      {
        name: 'no-pg-version',
        harm: (d) => rmSync(join(d, 'PG_VERSION')),
        says: /is damaged: it held Kassa data \(since .*\) but PG_VERSION is missing/,
      },
      {
        name: 'no-base',
        harm: (d) => rmSync(join(d, 'base'), { recursive: true }),
        says: /is damaged: it held Kassa data \(since .*\) but base\/ is missing/,
      },
      {
        // Passes the file checks, so PGlite itself throws on open.
        name: 'garbled-pg-control',
        harm: (d) => writeFileSync(join(d, 'global', 'pg_control'), 'garbage'),
        says: /is damaged: PGlite could not open it/,
      },
    ];
    for (const c of cases) {
      cpSync(dataDir, join(root, c.name), { recursive: true });
      c.harm(join(root, c.name));
    }
    const other = join(root, 'not-kassa');
    mkdirSync(other);
    writeFileSync(join(other, 'notes.txt'), 'not a database');
    cases.push({ name: 'not-kassa', harm: () => undefined, says: /is not empty but holds no whole PGlite database/ });

    const before = cases.map((c) => snapshot(join(root, c.name)));
    const outputs = await Promise.all(cases.map((c) => failedStart(join(root, c.name))));
    for (const [i, c] of cases.entries()) {
      const out = outputs[i]!;
      expect(out, c.name).toMatch(/exited with 1/);
      expect(out, c.name).toContain(`[DATA_DIR_DAMAGED]: The data folder ${join(root, c.name)} `);
      expect(out, c.name).toMatch(c.says);
      expect(out, c.name).not.toContain('Seeded demo data');
      expect(out, c.name).not.toContain('    at '); // one line, no stack trace
      expect(snapshot(join(root, c.name)), c.name).toEqual(before[i]);
    }
  });

  it('seeds a database with Kassa tables but no store only on KASSA_SEED=force', async () => {
    const dir = join(root, 'no-store');

    const off = await start(dir, { KASSA_SEED: '0' });
    expect(off.proc.output()).not.toContain('Seeded demo data');
    expect((await adminGet<Summary>(off.url, '/api/v1/admin/summary')).ledgerEntries).toBe(0);
    await off.proc.stop();

    const demo = await start(dir);
    expect(demo.proc.output()).toContain('The database has Kassa tables but no store: not seeding demo data');
    expect((await adminGet<Summary>(demo.url, '/api/v1/admin/summary')).ledgerEntries).toBe(0);
    await demo.proc.stop();

    const forced = await start(dir, { KASSA_SEED: 'force' });
    expect(forced.proc.output()).toContain('KASSA_SEED=force: seeding demo data');
    expect(forced.proc.output()).toContain('Seeded demo data');
    expect(await adminGet<Summary>(forced.url, '/api/v1/admin/summary')).toEqual(seeded);
    await forced.proc.stop();
  });
});
