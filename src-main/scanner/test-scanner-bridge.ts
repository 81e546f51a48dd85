/**
 * A stand-in for node-hid with one HID POS scanner behind a local control
 * socket. It exists for tests only: no USB, hidraw, uhid or uinput device can
 * exist on the CI machines, so end-to-end tests cannot plug in a real or
 * virtual scanner. The browser-mode till host loads this module only when
 * KASSA_TEST_SCANNER_SOCKET is set; without it the host uses real node-hid
 * and never imports this file.
 *
 * The device itself is `HidDeviceStandIn`, which implements node-hid's HID
 * class (unit tests use it too). Everything after it is real: the reports a
 * test writes go through the real scanner service (HID POS decoder, status,
 * reconnects) and reach the page as the IPC `scan` event, the path a real
 * HID POS scanner takes.
 *
 * Control channel (a Unix socket, or a Windows named pipe, at the given path):
 * - test → bridge: frames of a 2-byte big-endian length (1..MAX_FRAME_BYTES)
 *   followed by that many bytes: one HID input report, report id first,
 *   exactly as node-hid's `data` event delivers it.
 * - bridge → test: one byte per event, DEVICE_OPENED when the scanner service
 *   opened the device, DEVICE_CLOSED when it closed it.
 *
 * Invariants: the scanner is listed (plugged in) exactly while at least one
 * test client is connected; the last client leaving is an unplug, reported
 * the way node-hid reports one (a read error on the open handle). Reports
 * are emitted in the order written, each exactly once, and only to a handle
 * the service holds open; a report sent while no handle is open is lost, as
 * with a real device. A malformed frame drops that client (and nothing of the
 * frame reaches the device).
 */
import { EventEmitter } from 'node:events';
import { chmod, lstat, rm } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import type { Device, HID } from 'node-hid';
import { HID_POS_SCANNER_USAGE, HID_POS_USAGE_PAGE } from '../../shared/scanner/hid-pos';
import type { HidModule } from './scanner-service';

/** The one device the stand-in lists: a HID POS scanner (pid.codes' test vendor id). */
export const TEST_SCANNER_DEVICE: Device = {
  vendorId: 0x1209,
  productId: 0x0001,
  path: 'kassa-test-scanner',
  manufacturer: 'Kassa',
  product: 'Test scanner',
  release: 1,
  interface: 0,
  usagePage: HID_POS_USAGE_PAGE,
  usage: HID_POS_SCANNER_USAGE,
};

/** Largest report accepted (a high-speed USB interrupt report is at most 1024 bytes). */
export const MAX_FRAME_BYTES = 1024;
export const DEVICE_OPENED = 0x6f; // "o"
export const DEVICE_CLOSED = 0x63; // "c"

export class FrameError extends Error {}

/** One report framed for the control channel. */
export function encodeFrame(report: Uint8Array): Uint8Array {
  if (report.length < 1 || report.length > MAX_FRAME_BYTES) {
    throw new FrameError(`a report must be 1..${MAX_FRAME_BYTES} bytes, not ${report.length}`);
  }
  const frame = new Uint8Array(2 + report.length);
  frame[0] = report.length >> 8;
  frame[1] = report.length & 0xff;
  frame.set(report, 2);
  return frame;
}

export type FrameReader = {
  /** Bytes as they arrive, in any chunking; returns the reports completed by them. Throws FrameError on a bad length. */
  push: (chunk: Uint8Array) => Uint8Array[];
  /** Bytes of an incomplete frame still waiting for the rest. */
  pending: () => number;
};

export function createFrameReader(): FrameReader {
  let buffer = new Uint8Array(0);
  return {
    push(chunk) {
      const joined = new Uint8Array(buffer.length + chunk.length);
      joined.set(buffer);
      joined.set(chunk, buffer.length);
      const reports: Uint8Array[] = [];
      let at = 0;
      while (joined.length - at >= 2) {
        const length = (joined[at]! << 8) | joined[at + 1]!;
        if (length < 1 || length > MAX_FRAME_BYTES) {
          buffer = new Uint8Array(0);
          throw new FrameError(`bad frame length ${length}`);
        }
        if (joined.length - at - 2 < length) break;
        reports.push(joined.slice(at + 2, at + 2 + length));
        at += 2 + length;
      }
      buffer = joined.slice(at);
      return reports;
    },
    pending: () => buffer.length,
  };
}

/**
 * A stand-in for one opened node-hid device. It implements node-hid's `HID`
 * class, so the compiler checks it against the real API; it emits the
 * reports it is given and fails the way node-hid does when the device is
 * unplugged. The bridge hands these to the scanner service; unit tests use
 * the same class (test/support/fake-hid-device.ts).
 */
export class HidDeviceStandIn extends EventEmitter implements HID {
  closed = false;
  constructor(
    private readonly info: Device,
    private readonly onClose: () => void = () => undefined,
  ) {
    super();
  }
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.onClose();
  }
  pause(): void {}
  resume(): void {}
  read(): void {
    throw new Error('the scanner service reads by events only');
  }
  readSync(): number[] {
    throw new Error('the scanner service reads by events only');
  }
  readTimeout(): number[] {
    throw new Error('the scanner service reads by events only');
  }
  sendFeatureReport(): number {
    return 0;
  }
  getFeatureReport(): number[] {
    return [];
  }
  write(): number {
    return 0;
  }
  setNonBlocking(): void {}
  getDeviceInfo(): Device {
    return this.info;
  }
  /** One input report, as node-hid delivers it (report id first). */
  send(report: Uint8Array): void {
    this.emit('data', Buffer.from(report));
  }
  /** What node-hid does when the device is pulled out: a read error. */
  unplug(): void {
    this.emit('error', new Error('could not read from HID device'));
  }
}

export type TestScannerBridge = {
  /** The node-hid stand-in to give the scanner service. */
  hid: HidModule;
  path: string;
  close: () => Promise<void>;
};

export type TestScannerBridgeOptions = { socketPath: string; log?: (line: string) => void };

/** A socket file left by a host that was killed: remove it, but never anything that is not a socket. */
async function removeStaleSocket(path: string): Promise<void> {
  if (process.platform === 'win32') return;
  const stat = await lstat(path).catch(() => null);
  if (!stat) return;
  if (!stat.isSocket()) throw new Error(`${path} exists and is not a socket`);
  await rm(path, { force: true });
}

export async function startTestScannerBridge(options: TestScannerBridgeOptions): Promise<TestScannerBridge> {
  const log = options.log ?? (() => undefined);
  const clients = new Set<Socket>();
  let open: HidDeviceStandIn | null = null;

  const tell = (byte: number) => {
    for (const c of clients) if (!c.destroyed) c.write(Uint8Array.of(byte));
  };

  const hid: HidModule = {
    devices: () => (clients.size > 0 ? [TEST_SCANNER_DEVICE] : []),
    open(path) {
      if (clients.size === 0 || path !== TEST_SCANNER_DEVICE.path) throw new Error(`could not open device ${path}`);
      const handle: HidDeviceStandIn = new HidDeviceStandIn(TEST_SCANNER_DEVICE, () => {
        if (open !== handle) return;
        open = null;
        tell(DEVICE_CLOSED);
      });
      open = handle;
      tell(DEVICE_OPENED);
      return handle;
    },
  };

  const unplugged = () => {
    if (open && clients.size === 0) open.unplug();
  };

  const server = createServer((socket) => {
    clients.add(socket);
    const reader = createFrameReader();
    // A client that plugs in after the service opened the device (a second client) learns it at once.
    if (open) socket.write(Uint8Array.of(DEVICE_OPENED));
    socket.on('data', (chunk: Buffer) => {
      let reports: Uint8Array[];
      try {
        reports = reader.push(chunk);
      } catch (e) {
        log(`Test scanner bridge: ${(e as Error).message}; dropping the client`);
        socket.destroy();
        return;
      }
      for (const report of reports) open?.send(report);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clients.delete(socket);
      unplugged();
    });
  });

  await removeStaleSocket(options.socketPath);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.socketPath, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // Only the user running the host (the test) may feed scans.
  if (process.platform !== 'win32') await chmod(options.socketPath, 0o600);

  return {
    hid,
    path: options.socketPath,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of clients) c.destroy();
        server.close(() => resolve());
      }),
  };
}
