/**
 * Electron main process: one locked-down window and the till host behind the
 * typed IPC contract. Security defaults: context isolation, no Node in the
 * page, sandboxed CommonJS preload, no new windows, no navigation away, no
 * remote content, a strict Content-Security-Policy.
 */
import { app, BrowserWindow, ipcMain, session, shell } from 'electron';
import { join } from 'node:path';
import { isKassaError } from '../shared/errors';
import { ELECTRON_EVENT_CHANNEL, ELECTRON_INVOKE_CHANNEL } from '../shared/ipc';
import { startTillHost, type TillHost } from './host/till-host';

export const windowOptions = (): Electron.BrowserWindowConstructorOptions => ({
  width: 1280,
  height: 800,
  title: 'Kassa',
  backgroundColor: '#f6f7f9',
  webPreferences: {
    preload: join(import.meta.dirname, '../preload/index.cjs'),
    contextIsolation: true,
    nodeIntegration: false,
    sandbox: true,
    webSecurity: true,
    allowRunningInsecureContent: false,
  },
});

export const electronCsp = (serverUrl: string): string =>
  `default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self' ${new URL(serverUrl).origin}; object-src 'none'; base-uri 'none'`;

export const registerIpc = (host: TillHost): void => {
  ipcMain.handle(ELECTRON_INVOKE_CHANNEL, async (_event, channel: unknown, payload: unknown) => {
    try {
      return { ok: true, payload: await host.invoke(String(channel), payload) };
    } catch (e) {
      return {
        ok: false,
        error: isKassaError(e)
          ? { code: e.code, message: e.message }
          : { code: 'INTERNAL', message: 'Till host error' },
      };
    }
  });
};

export const createWindow = (host: TillHost): BrowserWindow => {
  const win = new BrowserWindow(windowOptions());
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
  win.webContents.on('will-navigate', (event) => event.preventDefault());
  const unsubscribe = host.subscribe((event, payload) => {
    if (!win.isDestroyed()) win.webContents.send(ELECTRON_EVENT_CHANNEL, event, payload);
  });
  win.on('closed', unsubscribe);
  void win.loadFile(join(import.meta.dirname, '../renderer/index.html'));
  return win;
};

export const main = async (): Promise<void> => {
  await app.whenReady();
  const host = await startTillHost({
    dataDir: process.env.KASSA_TILL_DATA_DIR ?? join(app.getPath('userData'), 'till'),
    mode: 'electron',
    env: { KASSA_SERVER_URL: process.env.KASSA_SERVER_URL, KASSA_ENROL_CODE: process.env.KASSA_ENROL_CODE },
  });
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: {
        ...details.responseHeaders,
        'Content-Security-Policy': [electronCsp(host.config().serverUrl)],
      },
    });
  });
  registerIpc(host);
  createWindow(host);
  app.on('window-all-closed', () => {
    void host.stop().then(() => app.quit());
  });
};

if (!process.env.VITEST) void main();
