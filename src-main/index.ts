/**
 * Electron main process: one locked-down window and the till host behind the
 * typed IPC contract. Security defaults: context isolation, no Node in the
 * page, sandboxed CommonJS preload, no new windows, no navigation away, no
 * webviews, no permissions, no remote content (only the app's own files and
 * the central server are fetched), a strict Content-Security-Policy.
 * The page is served from the app's own files at `kassa://till` (never
 * file://), so the central server sees a named origin it can allow.
 */
import { app, BrowserWindow, dialog, ipcMain, net, protocol, session, shell } from 'electron';
import { join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isKassaError } from '../shared/errors';
import { ELECTRON_EVENT_CHANNEL, ELECTRON_INVOKE_CHANNEL, TILL_APP_ORIGIN, TILL_APP_SCHEME } from '../shared/ipc';
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
    webviewTag: false,
  },
});

export const electronCsp = (serverUrl: string): string =>
  [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    `connect-src 'self' ${new URL(serverUrl).origin}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');

const RENDERER_DIR = join(import.meta.dirname, '../renderer');

/** The page may load its own files and talk to the central server; nothing else leaves the machine. */
export const isAllowedRequest = (url: string, serverUrl: string): boolean => {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return false;
  }
  if (url.startsWith(`${TILL_APP_ORIGIN}/`)) return true;
  if (['data:', 'devtools:', 'blob:'].includes(target.protocol)) return true;
  return target.origin === new URL(serverUrl).origin;
};

/** The renderer file a `kassa://till/...` URL names, or null for anything outside the renderer folder. */
export function rendererFileFor(url: string, root = RENDERER_DIR): string | null {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return null;
  }
  if (`${target.protocol}//${target.host}` !== TILL_APP_ORIGIN) return null;
  let path: string;
  try {
    path = decodeURIComponent(target.pathname);
  } catch {
    return null;
  }
  if (path.includes('\0')) return null;
  const file = resolve(root, `.${path === '/' ? '/index.html' : path}`);
  const inside = relative(resolve(root), file);
  return inside !== '' && !inside.startsWith('..') && !inside.startsWith(sep) ? file : null;
}

/** Must run before the app is ready: the till's scheme behaves like https (secure, fetch, CORS). */
export const registerAppScheme = (): void => {
  protocol.registerSchemesAsPrivileged([
    { scheme: TILL_APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true } },
  ]);
};

/** Serves `kassa://till/...` from the renderer folder; anything else is 404. */
export const serveAppScheme = (): void => {
  protocol.handle(TILL_APP_SCHEME, (request) => {
    const file = rendererFileFor(request.url);
    if (!file) return new Response('Not found', { status: 404 });
    return net.fetch(pathToFileURL(file).toString());
  });
};

/** The page asking to print: its window's contents through the system print dialog (the print stylesheet shows the receipt). */
function printContents(contents: Electron.WebContents): Promise<{ printed: boolean }> {
  return new Promise((resolve) =>
    contents.print({ silent: false, printBackground: false }, (printed) => resolve({ printed })),
  );
}

export const registerIpc = (host: TillHost): void => {
  ipcMain.handle(ELECTRON_INVOKE_CHANNEL, async (event, channel: unknown, payload: unknown) => {
    try {
      if (channel === 'receipt:print') return { ok: true, payload: await printContents(event.sender) };
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

export const lockDownSession = (host: TillHost): void => {
  const ses = session.defaultSession;
  ses.webRequest.onBeforeRequest((details, callback) => {
    callback({ cancel: !isAllowedRequest(details.url, host.config().serverUrl) });
  });
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: {
        ...details.responseHeaders,
        'Content-Security-Policy': [electronCsp(host.config().serverUrl)],
      },
    });
  });
  // A till needs no camera, microphone, notifications or geolocation.
  ses.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
};

export const createWindow = (host: TillHost): BrowserWindow => {
  const win = new BrowserWindow(windowOptions());
  win.webContents.setWindowOpenHandler(({ url }) => {
    // Help links open in the system browser, never inside the till.
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
  win.webContents.on('will-navigate', (event) => event.preventDefault());
  win.webContents.on('will-attach-webview', (event) => event.preventDefault());
  const unsubscribe = host.subscribe((event, payload) => {
    if (!win.isDestroyed()) win.webContents.send(ELECTRON_EVENT_CHANNEL, event, payload);
  });
  win.on('closed', unsubscribe);
  void win.loadURL(`${TILL_APP_ORIGIN}/index.html`);
  return win;
};

export const main = async (): Promise<TillHost> => {
  registerAppScheme();
  await app.whenReady();
  serveAppScheme();
  const host = await startTillHost({
    dataDir: process.env.KASSA_TILL_DATA_DIR ?? join(app.getPath('userData'), 'till'),
    mode: 'electron',
    env: { KASSA_SERVER_URL: process.env.KASSA_SERVER_URL, KASSA_ENROL_CODE: process.env.KASSA_ENROL_CODE },
  });
  lockDownSession(host);
  registerIpc(host);
  createWindow(host);
  app.on('window-all-closed', () => {
    void host.stop().then(() => app.quit());
  });
  return host;
};

if (!process.env.VITEST) {
  main().catch((e: unknown) => {
    // A broken config file names the field at fault; show it rather than die silently.
    dialog.showErrorBox('Kassa cannot start', e instanceof Error ? e.message : String(e));
    app.exit(1);
  });
}
