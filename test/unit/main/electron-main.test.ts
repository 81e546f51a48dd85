/**
 * Electron main process with the `electron` module mocked at the edge (no
 * Electron binary exists here): the window's security defaults, denied new
 * windows, blocked navigation, the session lock-down, and the one IPC
 * handler, answered by the real till host.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const handlers = new Map<string, (...args: unknown[]) => unknown>();
const windows: FakeWindow[] = [];

class FakeWebContents {
  openHandler: ((d: { url: string }) => { action: string }) | null = null;
  listeners = new Map<string, (...args: unknown[]) => void>();
  sent: unknown[][] = [];
  setWindowOpenHandler(h: (d: { url: string }) => { action: string }) {
    this.openHandler = h;
  }
  on(event: string, l: (...args: unknown[]) => void) {
    this.listeners.set(event, l);
  }
  send(...args: unknown[]) {
    this.sent.push(args);
  }
}
class FakeWindow {
  webContents = new FakeWebContents();
  loaded: string | null = null;
  constructor(readonly options: { webPreferences: Record<string, unknown> }) {
    windows.push(this);
  }
  loadURL(u: string) {
    this.loaded = u;
    return Promise.resolve();
  }
  isDestroyed() {
    return false;
  }
  on() {}
}

type Callback = (response: Record<string, unknown>) => void;
const sessionHooks: {
  beforeRequest?: (details: { url: string }, callback: Callback) => void;
  headers?: (details: { responseHeaders: Record<string, string[]> }, callback: Callback) => void;
  permission?: (contents: unknown, permission: string, callback: (granted: boolean) => void) => void;
} = {};
const appListeners = new Map<string, () => void>();
const privileged: unknown[] = [];
const schemeHandlers = new Map<string, (req: { url: string }) => Promise<Response> | Response>();

vi.mock('electron', () => ({
  app: {
    whenReady: () => Promise.resolve(),
    getPath: () => '/tmp',
    on: (event: string, l: () => void) => appListeners.set(event, l),
    quit: vi.fn(),
    exit: vi.fn(),
  },
  BrowserWindow: FakeWindow,
  dialog: { showErrorBox: vi.fn() },
  ipcMain: { handle: (channel: string, fn: (...args: unknown[]) => unknown) => handlers.set(channel, fn) },
  session: {
    defaultSession: {
      webRequest: {
        onBeforeRequest: (h: typeof sessionHooks.beforeRequest) => (sessionHooks.beforeRequest = h),
        onHeadersReceived: (h: typeof sessionHooks.headers) => (sessionHooks.headers = h),
      },
      setPermissionRequestHandler: (h: typeof sessionHooks.permission) => (sessionHooks.permission = h),
    },
  },
  shell: { openExternal: vi.fn() },
  protocol: {
    registerSchemesAsPrivileged: (schemes: unknown[]) => privileged.push(...schemes),
    handle: (scheme: string, fn: (req: { url: string }) => Promise<Response> | Response) =>
      schemeHandlers.set(scheme, fn),
  },
  net: { fetch: (url: string) => Promise.resolve(new Response(`fetched ${url}`)) },
}));

const { createWindow, registerIpc, windowOptions, electronCsp, isAllowedRequest, rendererFileFor, main } =
  await import('../../../src-main/index');
import type { TillHost } from '../../../src-main/host/till-host';

const fakeHost = (): TillHost & { sinks: Array<(e: string, p: unknown) => void> } => {
  const sinks: Array<(e: string, p: unknown) => void> = [];
  return {
    sinks,
    invoke: (channel: string) =>
      channel === 'scanner:get-status'
        ? Promise.resolve({ state: 'none', device: null, message: 'No scanner found', ownsKeyboardScanner: false })
        : Promise.reject(Object.assign(new Error('Unknown channel'), { code: 'IPC_UNKNOWN_CHANNEL' })),
    subscribe: (sink) => {
      sinks.push(sink as (e: string, p: unknown) => void);
      return () => undefined;
    },
    config: () => ({ serverUrl: 'http://127.0.0.1:7070' }) as ReturnType<TillHost['config']>,
    stop: () => Promise.resolve(),
  };
};

describe('Electron main', () => {
  beforeEach(() => {
    handlers.clear();
    windows.length = 0;
  });

  it('locks the window down: isolation, no Node, sandbox, CommonJS preload', () => {
    const prefs = windowOptions().webPreferences!;
    expect(prefs).toMatchObject({
      contextIsolation: true,
      nodeIntegration: false,
      sandbox: true,
      webSecurity: true,
      webviewTag: false,
    });
    expect(String(prefs.preload)).toMatch(/preload[/\\]index\.cjs$/);
  });

  it('denies new windows and navigation away from the till', () => {
    const win = createWindow(fakeHost()) as unknown as FakeWindow;
    expect(win.webContents.openHandler!({ url: 'https://example.com' })).toEqual({ action: 'deny' });
    const prevent = vi.fn();
    win.webContents.listeners.get('will-navigate')!({ preventDefault: prevent });
    expect(prevent).toHaveBeenCalled();
    const attach = vi.fn();
    win.webContents.listeners.get('will-attach-webview')!({ preventDefault: attach });
    expect(attach).toHaveBeenCalled();
    expect(win.loaded).toBe('kassa://till/index.html');
  });

  it('forwards host events to the window and answers invokes through the handler map', async () => {
    const host = fakeHost();
    registerIpc(host);
    const win = createWindow(host) as unknown as FakeWindow;
    host.sinks[0]!('scan', { data: '4006381333931' });
    expect(win.webContents.sent[0]).toEqual(['kassa:event', 'scan', { data: '4006381333931' }]);
    const handle = handlers.get('kassa:invoke')!;
    expect(await handle({}, 'scanner:get-status', null)).toMatchObject({ ok: true, payload: { state: 'none' } });
    // Printing: the asking window's contents, through the system dialog (not silently).
    const printed: unknown[] = [];
    const sender = {
      print: (options: unknown, done: (ok: boolean) => void) => {
        printed.push(options);
        done(true);
      },
    };
    expect(await handle({ sender }, 'receipt:print', null)).toEqual({ ok: true, payload: { printed: true } });
    expect(printed).toEqual([expect.objectContaining({ silent: false })]);
    expect(await handle({}, 'nope', null)).toEqual({
      ok: false,
      error: { code: 'INTERNAL', message: 'Till host error' },
    });
  });

  it('allows connections only to itself and the central server', () => {
    const csp = electronCsp('http://10.1.2.3:7070/api');
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("connect-src 'self' http://10.1.2.3:7070;");
  });

  it('fetches nothing but its own files and the central server', () => {
    const server = 'http://10.1.2.3:7070';
    expect(isAllowedRequest('kassa://till/assets/index.js', server)).toBe(true);
    expect(isAllowedRequest('file:///etc/passwd', server)).toBe(false);
    expect(isAllowedRequest('kassa://other/index.html', server)).toBe(false);
    expect(isAllowedRequest('http://10.1.2.3:7070/api/v1/replication/members/pull', server)).toBe(true);
    expect(isAllowedRequest('https://rxdb.info/', server)).toBe(false);
    expect(isAllowedRequest('http://10.1.2.3:8080/', server)).toBe(false);
    expect(isAllowedRequest('not a url', server)).toBe(false);
  });

  it('serves its page from its own files at kassa://till, and nothing outside them', () => {
    const root = '/opt/kassa/out/renderer';
    expect(rendererFileFor('kassa://till/index.html', root)).toBe(join(root, 'index.html'));
    expect(rendererFileFor('kassa://till/', root)).toBe(join(root, 'index.html'));
    expect(rendererFileFor('kassa://till/assets/index-1.js?x=1', root)).toBe(join(root, 'assets/index-1.js'));
    // Dot segments are resolved by URL parsing itself and cannot climb above the origin's root.
    expect(rendererFileFor('kassa://till/../../etc/passwd', root)).toBe(join(root, 'etc/passwd'));
    expect(rendererFileFor('kassa://till/%2e%2e/main/index.js', root)).toBe(join(root, 'main/index.js'));
    // Encoded slashes are not dot segments to the URL parser; decoded, they must not climb out.
    for (const bad of [
      'kassa://till/assets/..%2F..%2Fmain%2Findex.js',
      'kassa://till/%00index.html',
      'kassa://till/%E0%A4%A',
      'kassa://evil/index.html',
      'file:///opt/kassa/out/renderer/index.html',
      'not a url',
    ])
      expect(rendererFileFor(bad, root)).toBeNull();
  });

  it('starts the real till host: IPC answered by its handler map, session locked down, host stopped on close', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kassa-electron-'));
    process.env.KASSA_TILL_DATA_DIR = dir;
    // Nothing listens there: enrolment fails in the background and the window still opens.
    process.env.KASSA_SERVER_URL = 'http://127.0.0.1:9';
    const host = await main();
    try {
      expect(windows).toHaveLength(1);
      // The app scheme is privileged (secure, fetch, CORS) and served from the renderer folder only.
      expect(privileged).toEqual([
        {
          scheme: 'kassa',
          privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true },
        },
      ]);
      const serve = schemeHandlers.get('kassa')!;
      expect(await (await serve({ url: 'kassa://till/index.html' })).text()).toMatch(
        /^fetched file:\/\/.*renderer\/index\.html$/,
      );
      expect((await serve({ url: 'kassa://till/..%2F..%2F..%2Fetc%2Fpasswd' })).status).toBe(404);
      const handle = handlers.get('kassa:invoke')!;
      expect(await handle({}, 'scanner:get-status', null)).toMatchObject({ ok: true, payload: { state: 'none' } });
      expect(await handle({}, 'fs:read', '/etc/passwd')).toMatchObject({
        ok: false,
        error: { code: 'IPC_UNKNOWN_CHANNEL' },
      });
      expect(await handle({}, 'scanner:select-device', { vendorId: 'x' })).toMatchObject({
        ok: false,
        error: { code: 'IPC_BAD_REQUEST' },
      });
      expect(await handle({}, 'terminal:get-config', null)).toMatchObject({
        ok: false,
        error: { code: 'AUTH_MISSING' },
      });

      const cancelled = (url: string) =>
        new Promise((resolve) => sessionHooks.beforeRequest!({ url }, (r) => resolve(r.cancel)));
      expect(await cancelled('https://example.com/tracker.js')).toBe(true);
      expect(await cancelled('http://127.0.0.1:9/api/v1/health')).toBe(false);
      const headers = await new Promise<Record<string, unknown>>((resolve) =>
        sessionHooks.headers!({ responseHeaders: {} }, (r) => resolve(r.responseHeaders as Record<string, unknown>)),
      );
      expect(String(headers['Content-Security-Policy'])).toContain("connect-src 'self' http://127.0.0.1:9");
      const granted = await new Promise((resolve) => sessionHooks.permission!({}, 'media', resolve));
      expect(granted).toBe(false);
    } finally {
      appListeners.get('window-all-closed')?.();
      await host.stop();
      delete process.env.KASSA_TILL_DATA_DIR;
      delete process.env.KASSA_SERVER_URL;
    }
  });
});
