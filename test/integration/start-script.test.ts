/**
 * `npm start` for real: builds if needed, starts the central server, finds no
 * Electron binary here and runs the till in browser mode, printing one line
 * with the URL; the till enrols with that server; Ctrl-C stops both.
 */
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, repoRoot } from '../support/processes';

const refused = async (url: string) => {
  try {
    await fetch(url);
    return false;
  } catch {
    return true;
  }
};

describe('npm start', () => {
  it('runs server and browser-mode till together and stops both on Ctrl-C', async () => {
    const [serverPort, tillPort] = [await freePort(), await freePort()];
    const dir = await mkdtemp(join(tmpdir(), 'kassa-start-'));
    const child = spawn(process.execPath, [join(repoRoot, 'scripts', 'start.mjs')], {
      cwd: repoRoot,
      env: {
        ...process.env,
        PORT: String(serverPort),
        KASSA_TILL_PORT: String(tillPort),
        KASSA_DATA_DIR: 'memory://',
        KASSA_TILL_DATA_DIR: join(dir, 'till'),
        // Empty counts as unset: the till talks to the server this script starts.
        KASSA_SERVER_URL: '',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      for (let i = 0; i < 1200 && !out.includes('Till enrolled'); i++) await new Promise((r) => setTimeout(r, 100));
      expect(out).toContain('No Electron binary is installed on this machine: the till runs in browser mode.');
      expect(
        out.match(/Kassa till \(browser mode — no Electron binary found\): open http:\/\/127\.0\.0\.1:\d+/g),
      ).toEqual([`Kassa till (browser mode — no Electron binary found): open http://127.0.0.1:${tillPort}`]);
      expect(out).toContain('Till enrolled as till-1 in store-1');
      expect((await fetch(`http://127.0.0.1:${serverPort}/api/v1/health`)).ok).toBe(true);
      expect((await fetch(`http://127.0.0.1:${tillPort}/`)).headers.get('content-security-policy')).toContain(
        `http://127.0.0.1:${serverPort}`,
      );
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
    expect(await refused(`http://127.0.0.1:${serverPort}/api/v1/health`)).toBe(true);
    expect(await refused(`http://127.0.0.1:${tillPort}/`)).toBe(true);
  }, 180_000);
});
