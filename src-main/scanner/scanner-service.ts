/**
 * The scanner service: owns the node-hid handle, picks the device (a HID POS
 * scanner by auto-detection, or the vendor/product id from the till config),
 * decodes its reports into scans and keeps reconnecting while it is
 * unplugged. It never throws into the host: every failure becomes a status
 * the cashier can read.
 *
 * The HID module is injected, so tests drive the real service with a device
 * object that emits the exact bytes a scanner sends.
 *
 * HID POS devices are read in the report layout configured for them by
 * vendor (and product) id, Newland's own layout for Newland's vendor id, and
 * the AIM layout otherwise. Keyboard-mode devices are read in the layout
 * their report descriptor declares (boot layout when it cannot be read);
 * their bursts end at the suffix or, for scanners without one, by a quiet
 * timer, and bursts not read cleanly are reported as `rejected`.
 *
 * Unplugging shows up as node-hid's read error on some systems and only as
 * the device vanishing from the enumeration on others: the poll checks both.
 * A listener that throws is isolated from the others and from the device.
 */
import type { Device, HID } from 'node-hid';
import {
  wedgeConfigSchema,
  type HidDeviceInfo,
  type HidPosLayout,
  type ScanEvent,
  type ScannerStatus,
  type WedgeConfig,
} from '../../shared/ipc';
import { createBootKeyboardDecoder, type KeyboardOutcome } from '../../shared/scanner/boot-keyboard';
import { createHidPosDecoder, HID_POS_USAGE_PAGE, NEWLAND_VENDOR_ID } from '../../shared/scanner/hid-pos';
import { keyboardLayouts } from '../../shared/scanner/keyboard-layouts';
import { keyboardReportLayout } from '../../shared/scanner/report-descriptor';
import { readReportDescriptor } from './report-descriptor-source';
import type { HidPosLayoutRule, ScannerService, ScannerServiceEvents } from './scanner-service-types';

/** The part of node-hid's `HID` class the service uses. */
export type HidHandle = Pick<HID, 'on' | 'removeAllListeners' | 'close'>;
export type HidModule = { devices: () => Device[]; open: (path: string) => HidHandle };

export type ScannerServiceOptions = {
  hid: HidModule;
  selection?: { vendorId: number; productId: number } | null;
  /** How often to look for the device while none is open. */
  pollMs?: number;
  now?: () => number;
  /** Keyboard-mode scanners: the layout the scanner emulates, and the burst timing rule. */
  keyboardLayout?: string;
  wedge?: WedgeConfig;
  /** HID POS report layouts by device; the first rule that matches wins. */
  hidPosLayouts?: HidPosLayoutRule[];
  /** A device's HID report descriptor, or null when it cannot be read (default: Linux sysfs). */
  reportDescriptor?: (device: HidDeviceInfo) => Uint8Array | null;
  platform?: NodeJS.Platform;
};

/** The HID POS layout for a device: the first matching rule, else Newland's for Newland devices, else AIM. */
export function hidPosLayoutFor(
  device: { vendorId: number; productId: number },
  rules: readonly HidPosLayoutRule[],
): HidPosLayout {
  const rule = rules.find(
    (r) => r.vendorId === device.vendorId && (r.productId === undefined || r.productId === device.productId),
  );
  if (rule) return rule.layout;
  return device.vendorId === NEWLAND_VENDOR_ID ? 'newland' : 'aim';
}

export const describeDevice = (d: Device): HidDeviceInfo => ({
  path: d.path ?? '',
  vendorId: d.vendorId,
  productId: d.productId,
  product: d.product ?? null,
  manufacturer: d.manufacturer ?? null,
  usagePage: d.usagePage ?? null,
  usage: d.usage ?? null,
  kind:
    d.usagePage === HID_POS_USAGE_PAGE ? 'hid-pos' : d.usagePage === 0x01 && d.usage === 0x06 ? 'keyboard' : 'other',
});

const hex = (n: number) => n.toString(16).padStart(4, '0');

/**
 * What to do when the OS refuses to open the scanner, per OS. node-hid's
 * message carries hidapi's reason, e.g. "…: Permission denied" (Linux
 * hidraw) or "…(iokit/common) not permitted" (macOS).
 */
const refusedAccess = /permission|access|not permitted/i;
const permissionHint = (d: HidDeviceInfo, platform: NodeJS.Platform): Pick<ScannerStatus, 'message' | 'say'> => {
  const ids = `${hex(d.vendorId)}:${hex(d.productId)}`;
  const params = { ids, vendor: hex(d.vendorId), product: hex(d.productId) };
  if (platform === 'darwin')
    return {
      message: `No permission to open the scanner ${ids}: allow Kassa in System Settings › Privacy & Security › Input Monitoring, then restart Kassa (see docs/scanners.md)`,
      say: { code: 'permission-darwin', params },
    };
  if (platform === 'win32')
    return {
      message: `The scanner ${ids} is in use by another program: close it (or switch the scanner to HID POS mode) (see docs/scanners.md)`,
      say: { code: 'permission-win32', params },
    };
  return {
    message:
      `No permission to open the scanner ${ids}. On Linux add a udev rule: ` +
      `SUBSYSTEM=="hidraw", ATTRS{idVendor}=="${hex(d.vendorId)}", ATTRS{idProduct}=="${hex(d.productId)}", MODE="0660", GROUP="plugdev" (see docs/scanners.md)`,
    say: { code: 'permission-linux', params },
  };
};

type Listeners = { [E in keyof ScannerServiceEvents]: Set<ScannerServiceEvents[E]> };

export function createScannerService(options: ScannerServiceOptions): ScannerService {
  const listeners: Listeners = { scan: new Set(), rejected: new Set(), status: new Set() };
  const emit = <E extends keyof ScannerServiceEvents>(event: E, ...args: Parameters<ScannerServiceEvents[E]>) => {
    for (const l of listeners[event] as Set<(...a: Parameters<ScannerServiceEvents[E]>) => void>) {
      try {
        l(...args);
      } catch {
        // A faulty listener must not stop the scanner or the other listeners.
      }
    }
  };
  const emitScan = (scan: ScanEvent) => emit('scan', scan);
  const emitStatus = (status: ScannerStatus) => emit('status', status);
  const now = options.now ?? (() => performance.now());
  const pollMs = options.pollMs ?? 1000;
  const reportDescriptor = options.reportDescriptor ?? ((d: HidDeviceInfo) => readReportDescriptor(d.path));
  let selection = options.selection ?? null;
  let wedge = options.wedge ?? wedgeConfigSchema.parse({});
  let hidPosLayouts = options.hidPosLayouts ?? [];
  let handle: HidHandle | null = null;
  let openPath: string | null = null;
  let timer: ReturnType<typeof setInterval> | null = null;
  /** Keyboard-mode devices: ends a burst after its quiet time (scanners without a suffix). */
  let quietTimer: ReturnType<typeof setTimeout> | null = null;
  let current: ScannerStatus = {
    state: 'none',
    device: null,
    message: 'No scanner found',
    say: { code: 'none', params: {} },
    ownsKeyboardScanner: false,
  };

  const setStatus = (status: ScannerStatus) => {
    const changed = JSON.stringify(status) !== JSON.stringify(current);
    current = status;
    if (changed) emitStatus(status);
  };

  /** null when the enumeration itself failed (not the same as "no devices"). */
  const enumerate = (): HidDeviceInfo[] | null => {
    try {
      return options.hid
        .devices()
        .map(describeDevice)
        .map((d) => (d.kind === 'hid-pos' ? { ...d, hidPosLayout: hidPosLayoutFor(d, hidPosLayouts) } : d));
    } catch {
      return null;
    }
  };
  const listDevices = (): HidDeviceInfo[] => enumerate() ?? [];

  const pick = (devices: HidDeviceInfo[]): HidDeviceInfo | null =>
    selection
      ? (devices.find(
          (d) => d.vendorId === selection!.vendorId && d.productId === selection!.productId && d.kind === 'hid-pos',
        ) ??
        devices.find((d) => d.vendorId === selection!.vendorId && d.productId === selection!.productId) ??
        null)
      : (devices.find((d) => d.kind === 'hid-pos') ?? null);

  const closeHandle = () => {
    if (quietTimer) clearTimeout(quietTimer);
    quietTimer = null;
    if (!handle) return;
    const h = handle;
    handle = null;
    openPath = null;
    h.removeAllListeners();
    // node-hid may still report a read error from the closed handle: an unheard 'error' would crash the host.
    h.on('error', () => undefined);
    try {
      h.close();
    } catch {
      // Already gone with the device.
    }
  };

  const disconnected = (device: HidDeviceInfo | null) => {
    closeHandle();
    setStatus({
      state: 'disconnected',
      device,
      message: 'Scanner disconnected — plug it back in',
      say: { code: 'disconnected', params: {} },
      ownsKeyboardScanner: false,
    });
  };

  const poll = () => {
    if (handle) {
      // Still there? Some systems report an unplugged device only by its absence.
      const devices = enumerate();
      if (devices && !devices.some((d) => d.path === openPath)) disconnected(current.device);
      return;
    }
    tryOpen();
  };

  const tryOpen = () => {
    if (handle) return;
    const device = pick(listDevices());
    if (!device) {
      if (current.state === 'connected' || current.state === 'disconnected') {
        // Unplugged: keep saying which scanner is missing until it comes back.
        setStatus({
          state: 'disconnected',
          device: current.device,
          message: 'Scanner disconnected — plug it back in',
          say: { code: 'disconnected', params: {} },
          ownsKeyboardScanner: false,
        });
      } else {
        setStatus({
          state: 'none',
          device: null,
          message: 'No scanner found — keyboard-wedge scanners still work',
          say: { code: 'none-wedge', params: {} },
          ownsKeyboardScanner: false,
        });
      }
      return;
    }
    const platform = options.platform ?? process.platform;
    if (device.kind === 'keyboard' && platform === 'win32') {
      // Windows does not let hidapi open keyboards: such scanners work through the keyboard-wedge path.
      setStatus({
        state: 'none',
        device,
        message:
          'Keyboard-mode scanner: Windows types its scans as keystrokes (keyboard wedge); switch it to HID POS mode for USB reading',
        say: { code: 'windows-keyboard', params: {} },
        ownsKeyboardScanner: false,
      });
      return;
    }
    let opened: HidHandle;
    try {
      opened = options.hid.open(device.path);
    } catch (e) {
      const message = String((e as Error).message ?? e);
      setStatus({
        state: 'error',
        device,
        ...(refusedAccess.test(message)
          ? permissionHint(device, platform)
          : {
              message: `Cannot open the scanner: ${message}`,
              say: { code: 'open-failed', params: { error: message } },
            }),
        ownsKeyboardScanner: false,
      });
      return;
    }
    handle = opened;
    openPath = device.path;
    if (device.kind === 'keyboard') {
      const descriptor = reportDescriptor(device);
      const decoder = createBootKeyboardDecoder({
        layout: keyboardLayouts[options.keyboardLayout ?? 'us'],
        wedge,
        report: (descriptor && keyboardReportLayout(descriptor)) ?? undefined,
      });
      const deliver = (outcomes: KeyboardOutcome[]) => {
        for (const outcome of outcomes) {
          if (outcome.kind === 'scan')
            emitScan({ data: outcome.data, symbology: 'unknown', source: 'hid-keyboard', receivedAt: now() });
          else if (outcome.kind === 'rejected')
            emit('rejected', { data: outcome.data, source: 'hid-keyboard', reason: outcome.reason });
        }
      };
      const quietMs = wedge.quietMs;
      opened.on('data', (data: Buffer) => {
        deliver(decoder.push(new Uint8Array(data), now()));
        if (quietTimer) clearTimeout(quietTimer);
        quietTimer = setTimeout(() => {
          quietTimer = null;
          if (handle === opened) deliver(decoder.flush(now()));
        }, quietMs + 5);
        quietTimer.unref?.();
      });
    } else {
      const decoder = createHidPosDecoder({ layout: hidPosLayoutFor(device, hidPosLayouts) });
      opened.on('data', (data: Buffer) => {
        const outcome = decoder.push(new Uint8Array(data), now());
        if (outcome.kind === 'scan') {
          const scan: ScanEvent = {
            data: outcome.scan.data,
            symbology: outcome.scan.symbology,
            source: 'hid-pos',
            receivedAt: now(),
          };
          emitScan(scan);
        }
      });
    }
    opened.on('error', () => {
      // node-hid reports an unplugged device as a read error: close, say so, and keep looking.
      if (handle === opened) disconnected(device);
    });
    setStatus({
      state: 'connected',
      device,
      message: `Scanner ready: ${device.product ?? (device.kind === 'keyboard' ? 'keyboard-mode scanner' : 'HID POS scanner')}`,
      say: device.product
        ? { code: 'ready', params: { name: device.product } }
        : { code: device.kind === 'keyboard' ? 'ready-keyboard' : 'ready-hid-pos', params: {} },
      // On Linux reading hidraw does not stop the kernel from also typing the keys: the page must ignore that copy.
      ownsKeyboardScanner: device.kind === 'keyboard',
    });
  };

  return {
    start() {
      tryOpen();
      timer ??= setInterval(poll, pollMs);
      timer.unref?.();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = null;
      closeHandle();
      return Promise.resolve();
    },
    status: () => current,
    listDevices,
    selectDevice(next) {
      selection = next;
      closeHandle();
      tryOpen();
      return current;
    },
    configure(settings) {
      if (settings.wedge) wedge = settings.wedge;
      if (settings.hidPosLayouts) hidPosLayouts = settings.hidPosLayouts;
      // Decoders are made when the device opens: reopen it so the new settings apply to the next report.
      if (handle) {
        closeHandle();
        tryOpen();
      }
      return current;
    },
    on<E extends keyof ScannerServiceEvents>(event: E, listener: ScannerServiceEvents[E]) {
      const set = listeners[event] as Set<ScannerServiceEvents[E]>;
      set.add(listener);
      return () => {
        set.delete(listener);
      };
    },
  };
}

/** The real node-hid module, loaded lazily so a missing libusb is a status, not a crash. */
export const loadNodeHid = async (): Promise<HidModule | null> => {
  try {
    const hid = await import('node-hid');
    const mod = (hid as unknown as { default?: typeof hid }).default ?? hid;
    return { devices: () => mod.devices(), open: (path) => new mod.HID(path) };
  } catch {
    return null;
  }
};
