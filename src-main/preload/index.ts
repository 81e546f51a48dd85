/**
 * The one API the renderer sees: `window.kassa`, a narrow KassaHostApi over
 * Electron IPC. The page never touches ipcRenderer; the renderer parses
 * replies and events with the contract's zod schemas.
 *
 * Invariant: this script requires nothing but `electron`. A sandboxed preload
 * cannot load other modules, so the contract is imported for its types only
 * and the two channel names are checked against it at compile time.
 */
import { contextBridge, ipcRenderer } from 'electron';
import type { ELECTRON_EVENT_CHANNEL, ELECTRON_INVOKE_CHANNEL, KassaHostApi } from '../../shared/ipc';

const INVOKE: typeof ELECTRON_INVOKE_CHANNEL = 'kassa:invoke';
const EVENT: typeof ELECTRON_EVENT_CHANNEL = 'kassa:event';

type Reply = { ok: true; payload: unknown } | { ok: false; error: { code: string; message: string } };

export const api = {
  invoke: async (channel, request) => {
    const reply = (await ipcRenderer.invoke(INVOKE, channel, request)) as Reply;
    if (!reply.ok) throw Object.assign(new Error(reply.error.message), { code: reply.error.code });
    return reply.payload as never;
  },
  on: (event, listener) => {
    const handler = (_e: Electron.IpcRendererEvent, name: string, payload: unknown) => {
      if (name === event) listener(payload as never);
    };
    ipcRenderer.on(EVENT, handler);
    return () => {
      ipcRenderer.off(EVENT, handler);
    };
  },
} satisfies KassaHostApi;

contextBridge.exposeInMainWorld('kassa', api);
