/**
 * The renderer's door to the till host: Electron's preload API
 * (`window.kassa`) when present, otherwise the browser-mode host's WebSocket
 * on the page's own origin. Both give the same KassaHostApi; replies and
 * events are parsed with the contract's zod schemas.
 */
import {
  HOST_WS_PATH,
  ipcChannels,
  ipcEvents,
  wsServerFrameSchema,
  type IpcChannel,
  type IpcEventName,
  type IpcEventPayload,
  type IpcReply,
  type IpcRequest,
  type KassaHostApi,
} from '../../../shared/ipc';

declare global {
  // The preload exposes exactly this in Electron. Global augmentation needs an interface.
  // eslint-disable-next-line @typescript-eslint/consistent-type-definitions
  interface Window {
    kassa?: KassaHostApi;
  }
}

export class HostError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

const parsed = (preload: KassaHostApi): KassaHostApi => ({
  invoke: async (channel, request) => ipcChannels[channel].reply.parse(await preload.invoke(channel, request)) as never,
  on: (event, listener) => preload.on(event, (payload) => listener(ipcEvents[event].parse(payload) as never)),
});

const webSocketHost = (): KassaHostApi => {
  let socket: WebSocket | null = null;
  let opened: Promise<WebSocket> | null = null;
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const listeners = new Map<string, Set<(payload: unknown) => void>>();

  const connect = (): Promise<WebSocket> => {
    if (opened) return opened;
    opened = new Promise((resolve, reject) => {
      const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${HOST_WS_PATH}`);
      ws.onopen = () => {
        socket = ws;
        resolve(ws);
      };
      ws.onerror = () => reject(new HostError('HOST_UNREACHABLE', 'The till host is not reachable'));
      ws.onclose = () => {
        socket = null;
        opened = null;
        for (const p of pending.values()) p.reject(new HostError('HOST_UNREACHABLE', 'The till host went away'));
        pending.clear();
        // Keep events flowing after a host restart.
        setTimeout(() => void connect().catch(() => undefined), 1000);
      };
      ws.onmessage = (msg) => {
        const frame = wsServerFrameSchema.safeParse(JSON.parse(String(msg.data)));
        if (!frame.success) return;
        const f = frame.data;
        if (f.type === 'event') {
          for (const l of listeners.get(f.event) ?? []) l(f.payload);
          return;
        }
        const p = pending.get(f.id);
        if (!p) return;
        pending.delete(f.id);
        if (f.ok) p.resolve(f.payload);
        else p.reject(new HostError(f.error.code, f.error.message));
      };
    });
    return opened;
  };

  return {
    async invoke<C extends IpcChannel>(channel: C, request: IpcRequest<C>): Promise<IpcReply<C>> {
      const ws = socket ?? (await connect());
      const id = nextId++;
      const reply = await new Promise<unknown>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        ws.send(JSON.stringify({ type: 'invoke', id, channel, payload: request }));
      });
      return ipcChannels[channel].reply.parse(reply) as IpcReply<C>;
    },
    on<E extends IpcEventName>(event: E, listener: (payload: IpcEventPayload<E>) => void) {
      const wrapped = (payload: unknown) => {
        const p = ipcEvents[event].safeParse(payload);
        if (p.success) listener(p.data as IpcEventPayload<E>);
      };
      const set = listeners.get(event) ?? new Set();
      set.add(wrapped);
      listeners.set(event, set);
      void connect().catch(() => undefined);
      return () => set.delete(wrapped);
    },
  };
};

export const connectHost = (): KassaHostApi => (window.kassa ? parsed(window.kassa) : webSocketHost());
