/**
 * One server process per PGlite data folder. PGlite takes no lock of its own:
 * two processes on one folder both start and overwrite each other's pages, so
 * acknowledged writes disappear. This module owns `kassa.lock` in the folder.
 *
 * Invariants:
 * - The lock file is created with O_EXCL (`wx`), so of two processes racing
 *   for a free folder exactly one gets it. It holds the holder's pid, host,
 *   boot id (Linux) and start time as JSON.
 * - A lock is taken over only when its holder provably cannot be running on
 *   this host: its pid is gone, the machine has rebooted since (boot id), or
 *   the pid is our own (a restarted container reuses pid 1). A lock from
 *   another host is never taken over: we cannot see its processes.
 * - Only a process holding the short-lived takeover guard
 *   (`kassa.lock.takeover`, also O_EXCL) deletes someone else's lock file, and
 *   only after re-reading it under the guard, so two processes taking over
 *   the same stale lock cannot both end up holding it.
 * - A process deletes its own lock file on release and at exit, and only if
 *   the file is still its own.
 */
import { closeSync, fsyncSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { KassaError } from '../../shared/errors';

export const LOCK_FILE = 'kassa.lock';
export const TAKEOVER_FILE = 'kassa.lock.takeover';

/** A lock file that cannot be parsed this soon after it was written may be mid-write by a live process. */
const UNREADABLE_GRACE_MS = 5_000;
/** The takeover guard is held for microseconds; one this old was left by a process that died holding it. */
const GUARD_STALE_MS = 5_000;

export type LockHolder = { pid: number; host: string; startedAt: string; bootId?: string };

/** What the current process knows about itself, injectable for tests of the stale logic. */
export type LockContext = { pid: number; host: string; bootId?: string; isAlive: (pid: number) => boolean };

export type LockVerdict = { state: 'live' } | { state: 'foreign' } | { state: 'stale'; reason: string };

export type DataDirLock = { path: string; holder: LockHolder; release: () => void };

export type LockLog = (line: string) => void;

/** Decides whether a recorded holder may still be running. Pure: all knowledge of the machine is in `here`. */
export function judgeLock(holder: LockHolder, here: LockContext): LockVerdict {
  if (holder.host !== here.host) return { state: 'foreign' };
  if (holder.bootId && here.bootId && holder.bootId !== here.bootId) {
    return { state: 'stale', reason: `the machine has restarted since pid ${holder.pid} took it` };
  }
  if (holder.pid === here.pid) {
    // Not held by this process (checked before): an earlier run that had the same pid, e.g. pid 1 in a container.
    return {
      state: 'stale',
      reason: `pid ${holder.pid} is this process, so the lock is left over from an earlier run`,
    };
  }
  if (!here.isAlive(holder.pid)) return { state: 'stale', reason: `process ${holder.pid} is no longer running` };
  return { state: 'live' };
}

/** True when a process with this pid exists on this host (EPERM: it exists but belongs to another user). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Linux's per-boot id, so a lock from before a reboot is stale even if its pid was reused. */
function readBootId(): string | undefined {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

export function currentLockContext(): LockContext {
  return { pid: process.pid, host: hostname(), bootId: readBootId(), isAlive: isProcessAlive };
}

export function parseLockHolder(text: string): LockHolder | null {
  try {
    const v = JSON.parse(text) as Partial<LockHolder> | null;
    if (!v || typeof v !== 'object') return null;
    if (typeof v.pid !== 'number' || !Number.isInteger(v.pid) || v.pid <= 0) return null;
    if (typeof v.host !== 'string' || typeof v.startedAt !== 'string') return null;
    return {
      pid: v.pid,
      host: v.host,
      startedAt: v.startedAt,
      ...(typeof v.bootId === 'string' ? { bootId: v.bootId } : {}),
    };
  } catch {
    return null;
  }
}

const held = new Map<string, DataDirLock>();
let exitHookInstalled = false;

function holderText(holder: LockHolder): string {
  return `pid ${holder.pid} on host ${holder.host}, since ${holder.startedAt}`;
}

function lockedError(dir: string, message: string, holder?: LockHolder): KassaError {
  return new KassaError('DATA_DIR_LOCKED', message, { dataDir: dir, ...(holder ? { holder } : {}) });
}

/** Creates the file with O_EXCL; false when it exists already. */
function createExclusive(path: string, text: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o644);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
  let written = false;
  try {
    writeSync(fd, text);
    fsyncSync(fd);
    written = true;
  } finally {
    closeSync(fd);
    // A lock we could not write (disk full) must not stay behind looking like a half-written live one.
    if (!written) removeIfPresent(path);
  }
  return true;
}

type Seen =
  | { kind: 'gone' }
  | { kind: 'readable'; raw: string; holder: LockHolder }
  | { kind: 'unreadable'; raw: string; ageMs: number };

function readLock(path: string): Seen {
  let raw: string;
  let mtimeMs: number;
  try {
    raw = readFileSync(path, 'utf8');
    mtimeMs = statSync(path).mtimeMs;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'gone' };
    throw e;
  }
  const holder = parseLockHolder(raw);
  return holder ? { kind: 'readable', raw, holder } : { kind: 'unreadable', raw, ageMs: Date.now() - mtimeMs };
}

function removeIfPresent(path: string): void {
  try {
    unlinkSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Deletes the stale lock file whose text was `raw`, under the takeover guard. False when another
 * process holds the guard or the lock changed since we judged it (the caller then looks again).
 */
function takeOver(dir: string, raw: string, log: LockLog): boolean {
  const guard = join(dir, TAKEOVER_FILE);
  if (!createExclusive(guard, JSON.stringify({ pid: process.pid, at: new Date().toISOString() }))) {
    let ageMs: number;
    try {
      ageMs = Date.now() - statSync(guard).mtimeMs;
    } catch {
      return false;
    }
    if (ageMs > GUARD_STALE_MS) {
      log(`Data folder ${dir}: removing a takeover guard left by a process that stopped while taking over a lock`);
      removeIfPresent(guard);
    }
    return false;
  }
  try {
    const now = readLock(join(dir, LOCK_FILE));
    if (now.kind === 'gone') return true;
    if (now.raw !== raw) return false;
    removeIfPresent(join(dir, LOCK_FILE));
    return true;
  } finally {
    removeIfPresent(guard);
  }
}

/**
 * Takes the folder's lock or throws DATA_DIR_LOCKED naming the folder and the holder. The folder must
 * exist. `log` receives one line when a stale lock is taken over.
 */
export function acquireDataDirLock(dir: string, options: { log?: LockLog; context?: LockContext } = {}): DataDirLock {
  const log = options.log ?? (() => undefined);
  const here = options.context ?? currentLockContext();
  const path = join(dir, LOCK_FILE);
  if (held.has(path)) {
    throw lockedError(dir, `The data folder ${dir} is already open in this server process (pid ${process.pid})`);
  }
  const holder: LockHolder = {
    pid: here.pid,
    host: here.host,
    startedAt: new Date().toISOString(),
    ...(here.bootId ? { bootId: here.bootId } : {}),
  };
  const text = `${JSON.stringify(holder)}\n`;

  for (let attempt = 0; attempt < 20; attempt++) {
    if (createExclusive(path, text)) return remember(path, holder, text);
    const seen = readLock(path);
    if (seen.kind === 'gone') continue;
    if (seen.kind === 'unreadable') {
      if (seen.ageMs < UNREADABLE_GRACE_MS) {
        throw lockedError(
          dir,
          `The data folder ${dir} is being locked by another Kassa server right now (${LOCK_FILE} is being written)`,
        );
      }
      if (takeOver(dir, seen.raw, log)) {
        log(
          `Data folder ${dir}: took over an unreadable ${LOCK_FILE} last written ${Math.round(seen.ageMs / 1000)} s ago`,
        );
      } else sleepSync(20);
      continue;
    }
    const verdict = judgeLock(seen.holder, here);
    if (verdict.state === 'live') {
      throw lockedError(
        dir,
        `The data folder ${dir} is in use by another Kassa server (${holderText(seen.holder)}). ` +
          'Only one server may use a data folder: stop that one first.',
        seen.holder,
      );
    }
    if (verdict.state === 'foreign') {
      throw lockedError(
        dir,
        `The data folder ${dir} is locked by a Kassa server on another host (${holderText(seen.holder)}). ` +
          `If no server runs there any more, delete ${path}.`,
        seen.holder,
      );
    }
    if (takeOver(dir, seen.raw, log)) {
      log(`Data folder ${dir}: took over a stale lock (${holderText(seen.holder)}): ${verdict.reason}`);
    } else sleepSync(20);
  }
  throw lockedError(dir, `The data folder ${dir} could not be locked: other processes keep taking ${LOCK_FILE}`);
}

function remember(path: string, holder: LockHolder, text: string): DataDirLock {
  const lock: DataDirLock = {
    path,
    holder,
    release() {
      if (held.get(path) !== lock) return;
      held.delete(path);
      try {
        // Never delete a lock that is no longer ours (someone removed ours by hand and started).
        if (readFileSync(path, 'utf8') === text) unlinkSync(path);
      } catch {
        // gone already, or the folder itself is gone: nothing to release
      }
    },
  };
  held.set(path, lock);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // process.exit() and a normal end run this; SIGKILL does not, which leaves a stale lock for the next start.
    process.on('exit', () => {
      for (const l of [...held.values()]) l.release();
    });
  }
  return lock;
}
