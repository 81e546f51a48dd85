/**
 * The one API the renderer sees: `window.kassa`, a narrow KassaHostApi over
 * Electron IPC. The page never touches ipcRenderer; payloads are parsed with
 * the contract's zod schemas in the renderer.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { ELECTRON_EVENT_CHANNEL, ELECTRON_INVOKE_CHANNEL, type KassaHostApi } from '../../shared/ipc';

type Reply = { ok: true; payload: unknown } | { ok: false; error: { code: string; message: string } };

const api = {
  invoke: async (channel, request) => {
    const reply = (await ipcRenderer.invoke(ELECTRON_INVOKE_CHANNEL, channel, request)) as Reply;
    if (!reply.ok) throw Object.assign(new Error(reply.error.message), { code: reply.error.code });
    return reply.payload as never;
  },
  on: (event, listener) => {
    const handler = (_e: Electron.IpcRendererEvent, name: string, payload: unknown) => {
      if (name === event) listener(payload as never);
    };
    ipcRenderer.on(ELECTRON_EVENT_CHANNEL, handler);
    return () => {
      ipcRenderer.off(ELECTRON_EVENT_CHANNEL, handler);
    };
  },
} satisfies KassaHostApi;

contextBridge.exposeInMainWorld('kassa', api);
