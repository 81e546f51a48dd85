/**
 * The real browser-mode till host process: it enrols with the real central
 * server, serves the built till with a strict CSP, and speaks the IPC
 * contract over a loopback WebSocket that only its own page may open.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import WebSocket from 'ws';
import { freePort, repoRoot, startServer, startTillHost, type Proc } from '../support/processes';

let server: Proc;
let host: Proc;
let tillUrl: string;
let tillDir: string;
let serverUrl: string;

const open = (origin: string) =>
  new Promise<WebSocket>((resolve, reject) => {
    const ws = new WebSocket(`${tillUrl.replace('http', 'ws')}/host`, { headers: { origin } });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });

const waitFor = async (ok: () => boolean) => {
  for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 50));
  expect(ok()).toBe(true);
};

const ask = (ws: WebSocket, frame: unknown) =>
  new Promise<Record<string, unknown>>((resolve) => {
    ws.once('message', (data: Buffer) => resolve(JSON.parse(data.toString('utf8')) as Record<string, unknown>));
    ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  });

beforeAll(async () => {
  if (!existsSync(join(repoRoot, 'out', 'renderer', 'index.html'))) {
    execFileSync(
      process.execPath,
      [join(repoRoot, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'],
      { cwd: repoRoot },
    );
  }
  const serverPort = await freePort();
  server = await startServer({ port: serverPort, env: { KASSA_ENROL_CODE: 'HOST-TEST-1' } });
  serverUrl = `http://127.0.0.1:${serverPort}`;
  tillDir = await mkdtemp(join(tmpdir(), 'kassa-host-'));
  const port = await freePort();
  host = await startTillHost({
    port,
    dataDir: tillDir,
    serverUrl,
    env: { KASSA_ENROL_CODE: 'HOST-TEST-1' },
  });
  tillUrl = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  await host?.stop();
  await server?.stop();
});

describe('browser-mode till host', () => {
  it('says it runs in browser mode and enrols, keeping the token owner-only', async () => {
    expect(host.output()).toContain('browser mode — no Electron binary found');
    expect(host.output().match(/Kassa till \(browser mode/g)).toHaveLength(1);
    // Enrolment runs in the background so the page never waits for the server.
    await waitFor(() => host.output().includes('Till enrolled as till-1 in store-1'));
    const config = JSON.parse(await readFile(join(tillDir, 'config.json'), 'utf8')) as {
      token: string;
      enrolCode: string | null;
    };
    expect(config.token.length).toBeGreaterThan(20);
    expect(config.enrolCode).toBeNull();
    expect((await stat(join(tillDir, 'config.json'))).mode & 0o777).toBe(0o600);
  });

  it('serves the till with a strict Content-Security-Policy', async () => {
    const res = await fetch(tillUrl);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<div id="root">');
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain(`connect-src 'self' ${serverUrl} ws://127.0.0.1:${new URL(tillUrl).port}`);
    expect(csp).not.toContain('unsafe-eval');
    const escape = await fetch(`${tillUrl}/%2e%2e/%2e%2e/%2e%2e/etc/passwd`);
    expect(await escape.text()).not.toContain('root:');
    expect((await fetch(`${tillUrl}/..%2f..%2f..%2fetc%2fpasswd`)).status).toBe(403);
    expect((await fetch(`${tillUrl}/..%2frenderer-old%2findex.html`)).status).toBe(403);
    expect((await fetch(`${tillUrl}/%E0%A4%A`)).status).toBe(400);
    expect((await fetch(tillUrl, { method: 'POST' })).status).toBe(405);
    expect((await fetch(tillUrl)).status).toBe(200);
  });

  it('answers the IPC contract over the WebSocket, and rejects bad frames', async () => {
    const ws = await open(tillUrl);
    const config = await ask(ws, { type: 'invoke', id: 1, channel: 'terminal:get-config', payload: null });
    expect(config).toMatchObject({
      type: 'reply',
      id: 1,
      ok: true,
      payload: { mode: 'browser', tillId: 'till-1', storeId: 'store-1' },
    });
    const status = await ask(ws, { type: 'invoke', id: 2, channel: 'scanner:get-status', payload: null });
    expect(status).toMatchObject({ ok: true, payload: { state: expect.any(String), ownsKeyboardScanner: false } });
    expect(await ask(ws, { type: 'invoke', id: 3, channel: 'shell:exec', payload: 'rm -rf /' })).toMatchObject({
      id: 3,
      ok: false,
      error: { code: 'IPC_UNKNOWN_CHANNEL' },
    });
    expect(
      await ask(ws, { type: 'invoke', id: 4, channel: 'scanner:select-device', payload: { vendorId: -1 } }),
    ).toMatchObject({
      ok: false,
      error: { code: 'IPC_BAD_REQUEST' },
    });
    expect(await ask(ws, 'not json')).toMatchObject({ ok: false, error: { code: 'IPC_BAD_REQUEST' } });
    expect(await ask(ws, 'null')).toMatchObject({ id: -1, ok: false, error: { code: 'IPC_BAD_REQUEST' } });
    expect(await ask(ws, { type: 'invoke', id: 5, channel: 7 })).toMatchObject({
      id: 5,
      ok: false,
      error: { code: 'IPC_BAD_REQUEST' },
    });
    // The host is still there after all of that.
    expect(await ask(ws, { type: 'invoke', id: 6, channel: 'scanner:get-status', payload: null })).toMatchObject({
      id: 6,
      ok: true,
    });
    ws.close();
  });

  it('refuses a WebSocket from any other origin', async () => {
    await expect(open('http://evil.example')).rejects.toThrow(/403/);
  });
});
