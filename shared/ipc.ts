/**
 * The one IPC contract between the till host (Electron main, or the
 * browser-mode host process) and the till renderer. Each channel maps to a
 * request and a reply schema; each event to a payload schema. Both
 * transports (Electron IPC, loopback WebSocket) carry exactly these shapes,
 * parsed with zod on both sides.
 */
import { z } from 'zod';
import { scanConfigSchema } from './scan';

export const scanSymbologySchema = z.enum([
  'EAN-13',
  'EAN-8',
  'UPC-A',
  'UPC-E',
  'Code 128',
  'GS1-128',
  'Code 39',
  'Interleaved 2 of 5',
  'QR',
  'DataMatrix',
  'GS1 DataMatrix',
  'PDF417',
  'GS1 DataBar',
  'GS1 QR',
  'Aztec',
  'unknown',
]);
export type ScanSymbology = z.infer<typeof scanSymbologySchema>;

export const scanEventSchema = z.object({
  data: z.string().min(1).max(4096),
  symbology: scanSymbologySchema,
  source: z.enum(['hid-pos', 'hid-keyboard', 'keyboard-wedge', 'manual']),
  /** Host monotonic time in ms when the scan completed (for latency measurement). */
  receivedAt: z.number(),
});
export type ScanEvent = z.infer<typeof scanEventSchema>;

/**
 * HID POS report layouts: 'aim' — the AIM symbology identifier at bytes 2–4, data from byte 5 (Honeywell, Zebra,
 * Access-IS); 'newland' — data from byte 2, no AIM identifier (Newland's HID-POS).
 */
export const hidPosLayoutSchema = z.enum(['aim', 'newland']);
export type HidPosLayout = z.infer<typeof hidPosLayoutSchema>;

export const hidDeviceInfoSchema = z.object({
  path: z.string(),
  vendorId: z.number().int(),
  productId: z.number().int(),
  product: z.string().nullable(),
  manufacturer: z.string().nullable(),
  usagePage: z.number().int().nullable(),
  usage: z.number().int().nullable(),
  kind: z.enum(['hid-pos', 'keyboard', 'other']),
  /** HID POS devices: the report layout the service reads them with (see shared/scanner/hid-pos.ts). */
  hidPosLayout: hidPosLayoutSchema.optional(),
});
export type HidDeviceInfo = z.infer<typeof hidDeviceInfoSchema>;

/** What a scanner status says, as a code the till translates (its parameters are plain text). */
export const scannerSayCodes = [
  'none',
  'none-wedge',
  'disconnected',
  'windows-keyboard',
  'permission-darwin',
  'permission-win32',
  'permission-linux',
  'open-failed',
  'ready',
  'ready-keyboard',
  'ready-hid-pos',
] as const;
export type ScannerSayCode = (typeof scannerSayCodes)[number];

export const scannerStatusSchema = z.object({
  state: z.enum(['connected', 'disconnected', 'none', 'error']),
  device: hidDeviceInfoSchema.nullable(),
  /** The status in English for logs and the CLI, e.g. "Scanner disconnected — plug it back in". */
  message: z.string(),
  /** The same as a code and parameters: what the till shows, in its language. */
  say: z
    .object({ code: z.enum(scannerSayCodes), params: z.record(z.string().max(64), z.string().max(500)).default({}) })
    .optional(),
  /** Set when the host owns a keyboard-mode scanner: the page must ignore wedge bursts to avoid double counting. */
  ownsKeyboardScanner: z.boolean(),
});
export type ScannerStatus = z.infer<typeof scannerStatusSchema>;

export const wedgeConfigSchema = z
  .object({
    /** Keys closer together than this are a scanner, not a person. */
    maxInterKeyMs: z.number().int().min(1).max(500).default(30),
    /** Shortest burst treated as a scan (codes shorter than 6 characters need a smaller value). */
    minLength: z.number().int().min(1).max(64).default(6),
    /**
     * 'required': a code ends at Enter or Tab, and a burst without one is shown to the cashier as not read.
     * 'optional': for scanners set up without a suffix, `quietMs` without a key also ends a code.
     */
    suffix: z.enum(['required', 'optional']).default('required'),
    /**
     * A burst is over after this long without a key. A gap inside a burst that is longer than
     * `maxInterKeyMs` but not longer than this is a scanner slowed down (the burst is shown as not read).
     */
    quietMs: z.number().int().min(1).max(2000).default(100),
  })
  .refine((w) => w.quietMs >= w.maxInterKeyMs, {
    message: 'quietMs must be at least maxInterKeyMs',
    path: ['quietMs'],
  });
export type WedgeConfig = z.infer<typeof wedgeConfigSchema>;

/**
 * Why a burst of keys that looked like a scanner was not taken as a scan. A code with parameters: the page words
 * it for the cashier.
 */
export const burstRejectionSchema = z.discriminatedUnion('code', [
  /** A gap between keys was longer than the limit (a scanner on a busy machine). */
  z.object({ code: z.literal('too-slow'), maxGapMs: z.number().nonnegative(), limitMs: z.number().int() }),
  /** Fewer characters than the till's minimum length. */
  z.object({ code: z.literal('too-short'), length: z.number().int(), minLength: z.number().int() }),
  /** The burst stopped without Enter or Tab, and this till requires one. */
  z.object({ code: z.literal('no-suffix') }),
  /** A keyboard report was lost inside the burst: a character may be missing. */
  z.object({ code: z.literal('lost-report') }),
]);
export type BurstRejection = z.infer<typeof burstRejectionSchema>;

/** A burst the till did not take as a scan, with what was read ('' when nothing of it can be trusted). */
export const scanRejectedSchema = z.object({
  data: z.string().max(4096),
  source: z.enum(['hid-keyboard', 'keyboard-wedge']),
  reason: burstRejectionSchema,
});
export type ScanRejected = z.infer<typeof scanRejectedSchema>;

export const terminalConfigSchema = z.object({
  mode: z.enum(['electron', 'browser']),
  serverUrl: z.url(),
  tillId: z.string(),
  storeId: z.string(),
  token: z.string(),
  scan: scanConfigSchema,
  wedge: wedgeConfigSchema,
  /** Seconds without a key, a touch or a scan before the till locks (0: never). */
  lockAfterIdleSeconds: z.number().int().min(0).max(86_400).default(300),
});
export type TerminalConfig = z.infer<typeof terminalConfigSchema>;

export const scannerSelectionSchema = z.object({
  vendorId: z.number().int().nonnegative(),
  productId: z.number().int().nonnegative(),
});

/** The HID POS report layout for one device (by vendor and product id). */
export const hidPosLayoutChoiceSchema = scannerSelectionSchema.extend({ layout: hidPosLayoutSchema });

/** Request/reply channels: renderer -> host. */
export const ipcChannels = {
  'terminal:get-config': { request: z.null(), reply: terminalConfigSchema },
  'scanner:get-status': { request: z.null(), reply: scannerStatusSchema },
  'scanner:list-devices': { request: z.null(), reply: z.array(hidDeviceInfoSchema) },
  'scanner:select-device': { request: scannerSelectionSchema, reply: scannerStatusSchema },
  /** Keyboard-scanner thresholds for this till: saved in the till config, used at once by page and host. */
  'scanner:set-wedge': { request: wedgeConfigSchema, reply: wedgeConfigSchema },
  'scanner:set-hid-pos-layout': { request: hidPosLayoutChoiceSchema, reply: scannerStatusSchema },
  /** Electron: the page (its print stylesheet: the receipt) through the system print dialog. A browser prints itself. */
  'receipt:print': { request: z.null(), reply: z.object({ printed: z.boolean() }) },
} as const;
export type IpcChannel = keyof typeof ipcChannels;
export type IpcRequest<C extends IpcChannel> = z.infer<(typeof ipcChannels)[C]['request']>;
export type IpcReply<C extends IpcChannel> = z.infer<(typeof ipcChannels)[C]['reply']>;

/** Events: host -> renderer. */
export const ipcEvents = {
  scan: scanEventSchema,
  'scanner-status': scannerStatusSchema,
  'scan-rejected': scanRejectedSchema,
} as const;
export type IpcEventName = keyof typeof ipcEvents;
export type IpcEventPayload<E extends IpcEventName> = z.infer<(typeof ipcEvents)[E]>;

/** The single API the renderer sees (Electron preload or the WebSocket client). */
export type KassaHostApi = {
  invoke: <C extends IpcChannel>(channel: C, request: IpcRequest<C>) => Promise<IpcReply<C>>;
  on: <E extends IpcEventName>(event: E, listener: (payload: IpcEventPayload<E>) => void) => () => void;
};

/** Electron channel names used by preload/main. */
/**
 * The origin the Electron till's page runs at (a privileged app scheme served
 * from its own files by the main process), so the central server can allow it
 * by name: a file:// page would send `Origin: null`, which any sandboxed frame
 * can send too. No web page can claim this origin.
 */
export const TILL_APP_SCHEME = 'kassa';
export const TILL_APP_ORIGIN = 'kassa://till';

export const ELECTRON_INVOKE_CHANNEL = 'kassa:invoke';
export const ELECTRON_EVENT_CHANNEL = 'kassa:event';

/** Browser-mode WebSocket frames. */
export const wsClientFrameSchema = z.object({
  type: z.literal('invoke'),
  id: z.number().int(),
  channel: z.string(),
  payload: z.unknown(),
});
export const wsServerFrameSchema = z.union([
  z.object({ type: z.literal('reply'), id: z.number().int(), ok: z.literal(true), payload: z.unknown() }),
  z.object({
    type: z.literal('reply'),
    id: z.number().int(),
    ok: z.literal(false),
    error: z.object({ code: z.string(), message: z.string() }),
  }),
  z.object({ type: z.literal('event'), event: z.string(), payload: z.unknown() }),
]);
export const HOST_WS_PATH = '/host';
