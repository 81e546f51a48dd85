#!/usr/bin/env node
// `npm start`: builds the till if needed, starts the central server (PGlite in
// ./data/server unless DATABASE_URL is set) and opens the till — in Electron
// where its binary exists, otherwise served to a browser by the till host.
//   npm start -- --server-only | --till-only
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const args = new Set(process.argv.slice(2));
const serverOnly = args.has('--server-only');
const tillOnly = args.has('--till-only');
// An empty variable counts as unset.
const serverPort = process.env.PORT || '7070';
const serverUrl = process.env.KASSA_SERVER_URL || `http://127.0.0.1:${serverPort}`;

const newest = (dir) => {
  let t = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    t = Math.max(t, entry.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
};

const built = join(root, 'out', 'renderer', 'index.html');
const sourcesChanged = () =>
  !existsSync(built) ||
  Math.max(newest(join(root, 'src-renderer')), newest(join(root, 'src-main')), newest(join(root, 'shared'))) >
    statSync(built).mtimeMs;

if (!serverOnly && sourcesChanged()) {
  console.log('Building the till…');
  const r = spawnSync(
    process.execPath,
    [join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'],
    {
      cwd: root,
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const children = [];
const run = (script, env) => {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, script)], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: 'inherit',
  });
  children.push(child);
  child.on('exit', (code) => {
    if (!stopping) {
      console.log(`${script} stopped (${code}); stopping Kassa`);
      stop(code || 1);
    }
  });
  return child;
};

let stopping = false;
/** Stops every child, then exits once they are gone (or after 5 s). */
const stop = (code = 0) => {
  if (stopping) return;
  stopping = true;
  const running = children.filter((c) => c.exitCode === null && c.signalCode === null);
  let left = running.length;
  if (left === 0) process.exit(code);
  for (const c of running) {
    c.once('exit', () => {
      if (--left === 0) process.exit(code);
    });
    c.kill('SIGTERM');
  }
  setTimeout(() => process.exit(code), 5000).unref();
};
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

/** Waits for the server this script started (on its own port, whatever KASSA_SERVER_URL says). */
const waitForServer = async () => {
  const local = `http://127.0.0.1:${serverPort}`;
  for (let i = 0; i < 120; i++) {
    if (stopping) return;
    try {
      const res = await fetch(`${local}/api/v1/health`);
      if (res.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`The central server did not answer at http://127.0.0.1:${serverPort} within 60 s`);
};

/** The Electron binary, if one is installed — found without triggering a download. */
const electronBinary = () => {
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  if (override) {
    const exe =
      { win32: 'electron.exe', darwin: 'Electron.app/Contents/MacOS/Electron' }[process.platform] ?? 'electron';
    return existsSync(join(override, exe)) ? join(override, exe) : null;
  }
  try {
    const dir = join(root, 'node_modules', 'electron');
    const rel = readFileSync(join(dir, 'path.txt'), 'utf8').trim();
    const bin = join(dir, 'dist', rel);
    return existsSync(bin) ? bin : null;
  } catch {
    return null;
  }
};

// `npm start` is the demo: it gives the admin API a known login and says so. A real deployment sets its own
// KASSA_ADMIN_TOKEN, or none (the first start then creates an admin and prints its credential once).
const adminToken = process.env.KASSA_ADMIN_TOKEN || 'demo-admin';
if (!tillOnly) {
  if (!process.env.KASSA_ADMIN_TOKEN)
    console.log('Demo admin login: Bearer demo-admin (demo only; set KASSA_ADMIN_TOKEN)');
  run('src-server/main.ts', { PORT: serverPort, KASSA_ADMIN_TOKEN: adminToken });
}
if (!serverOnly) {
  if (!tillOnly) {
    try {
      await waitForServer();
    } catch (e) {
      // Never leave the server running behind a failed start.
      console.error(e instanceof Error ? e.message : String(e));
      stop(1);
    }
  }
  const electron = electronBinary();
  if (stopping) {
    // the server failed to start: nothing to open
  } else if (electron) {
    console.log('Opening the Kassa till (Electron)…');
    const child = spawn(electron, [root], {
      cwd: root,
      env: { ...process.env, KASSA_SERVER_URL: serverUrl },
      stdio: 'inherit',
    });
    children.push(child);
    child.on('exit', (code) => stop(code ?? 0));
  } else {
    console.log('No Electron binary is installed on this machine: the till runs in browser mode.');
    run('src-main/browser-main.ts', { KASSA_SERVER_URL: serverUrl });
  }
}
