/**
 * Electron main process with the `electron` module mocked at the edge (no
 * Electron binary exists here): the window's security defaults, denied new
 * windows, blocked navigation, and the one IPC handler.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';

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
  loadFile(f: string) {
    this.loaded = f;
    return Promise.resolve();
  }
  isDestroyed() {
    return false;
  }
  on() {}
}

vi.mock('electron', () => ({
  app: { whenReady: () => Promise.resolve(), getPath: () => '/tmp', on: vi.fn(), quit: vi.fn() },
  BrowserWindow: FakeWindow,
  ipcMain: { handle: (channel: string, fn: (...args: unknown[]) => unknown) => handlers.set(channel, fn) },
  session: { defaultSession: { webRequest: { onHeadersReceived: vi.fn() } } },
  shell: { openExternal: vi.fn() },
}));

const { createWindow, registerIpc, windowOptions, electronCsp } = await import('../../../src-main/index');
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
    expect(prefs).toMatchObject({ contextIsolation: true, nodeIntegration: false, sandbox: true, webSecurity: true });
    expect(String(prefs.preload)).toMatch(/preload[/\\]index\.cjs$/);
  });

  it('denies new windows and navigation away from the till', () => {
    const win = createWindow(fakeHost()) as unknown as FakeWindow;
    expect(win.webContents.openHandler!({ url: 'https://example.com' })).toEqual({ action: 'deny' });
    const prevent = vi.fn();
    win.webContents.listeners.get('will-navigate')!({ preventDefault: prevent });
    expect(prevent).toHaveBeenCalled();
    expect(win.loaded).toMatch(/renderer[/\\]index\.html$/);
  });

  it('forwards host events to the window and answers invokes through the handler map', async () => {
    const host = fakeHost();
    registerIpc(host);
    const win = createWindow(host) as unknown as FakeWindow;
    host.sinks[0]!('scan', { data: '4006381333931' });
    expect(win.webContents.sent[0]).toEqual(['kassa:event', 'scan', { data: '4006381333931' }]);
    const handle = handlers.get('kassa:invoke')!;
    expect(await handle({}, 'scanner:get-status', null)).toMatchObject({ ok: true, payload: { state: 'none' } });
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
});
