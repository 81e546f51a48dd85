/**
 * The preload with `electron` mocked at the edge: it exposes exactly one
 * narrow API (`window.kassa` with invoke and on), never ipcRenderer itself,
 * turns a refused reply into a coded error, and delivers only the event
 * asked for until unsubscribed.
 */
import { describe, expect, it, vi } from 'vitest';

type Handler = (event: unknown, name: string, payload: unknown) => void;
const exposed = new Map<string, unknown>();
const invokes: unknown[][] = [];
const eventHandlers = new Map<string, Set<Handler>>();
let nextReply: unknown = null;

vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, api: unknown) => exposed.set(key, api) },
  ipcRenderer: {
    invoke: (...args: unknown[]) => {
      invokes.push(args);
      return Promise.resolve(nextReply);
    },
    on: (channel: string, h: Handler) => {
      if (!eventHandlers.has(channel)) eventHandlers.set(channel, new Set());
      eventHandlers.get(channel)!.add(h);
    },
    off: (channel: string, h: Handler) => eventHandlers.get(channel)?.delete(h),
  },
}));

await import('../../../src-main/preload/index');
import type { KassaHostApi, ScanEvent } from '../../../shared/ipc';

const kassa = () => exposed.get('kassa') as KassaHostApi;
const emit = (name: string, payload: unknown) => {
  for (const h of eventHandlers.get('kassa:event') ?? []) h({}, name, payload);
};

describe('preload', () => {
  it('exposes only window.kassa with invoke and on', () => {
    expect([...exposed.keys()]).toEqual(['kassa']);
    expect(Object.keys(kassa()).sort()).toEqual(['invoke', 'on']);
    expect(Object.values(kassa()).every((v) => typeof v === 'function')).toBe(true);
  });

  it('invokes on the one channel and unwraps the reply', async () => {
    const status = { state: 'none', device: null, message: 'No scanner found', ownsKeyboardScanner: false };
    nextReply = { ok: true, payload: status };
    expect(await kassa().invoke('scanner:get-status', null)).toEqual(status);
    expect(invokes.at(-1)).toEqual(['kassa:invoke', 'scanner:get-status', null]);
  });

  it('turns a refused reply into an error carrying its code', async () => {
    nextReply = { ok: false, error: { code: 'IPC_BAD_REQUEST', message: 'Bad request for scanner:select-device' } };
    await expect(kassa().invoke('scanner:select-device', { vendorId: 1, productId: 2 })).rejects.toMatchObject({
      code: 'IPC_BAD_REQUEST',
      message: 'Bad request for scanner:select-device',
    });
  });

  it('delivers only the subscribed event, and nothing after unsubscribing', () => {
    const scans: ScanEvent[] = [];
    const off = kassa().on('scan', (s) => scans.push(s));
    const scan = { data: '4006381333931', symbology: 'EAN-13', source: 'hid-pos', receivedAt: 1 };
    emit('scanner-status', { state: 'none' });
    emit('scan', scan);
    off();
    emit('scan', scan);
    expect(scans).toEqual([scan]);
    expect(eventHandlers.get('kassa:event')?.size).toBe(0);
  });
});
