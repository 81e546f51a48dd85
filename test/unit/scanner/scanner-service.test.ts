/**
 * The real scanner service driven by an injected device. No USB or virtual
 * HID device can exist on these machines, so the device is an object whose
 * type the compiler checks against node-hid's HID class, emitting the exact
 * reports a scanner sends; unplugging is node-hid's read error.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Device } from 'node-hid';
import { FakeHidDevice } from '../../support/fake-hid-device';
import { createScannerService, type HidHandle, type HidModule } from '../../../src-main/scanner/scanner-service';
import type { ScanEvent, ScannerStatus } from '../../../shared/ipc';
import { encodeHidPosReports } from '../../../shared/scanner/hid-pos';
import { encodeBootKeyboard } from '../../../shared/scanner/boot-keyboard';

/** Stands in for node-hid's HID: the compiler checks it against the real class. */
class FakeScanner extends FakeHidDevice {
  constructor() {
    super(posDevice);
  }
}

const posDevice: Device = {
  vendorId: 0x05e0,
  productId: 0x1300,
  path: '/dev/hidraw3',
  product: 'DS4308',
  manufacturer: 'Zebra',
  release: 1,
  interface: 0,
  usagePage: 0x8c,
  usage: 0x02,
};
const keyboardDevice: Device = {
  vendorId: 0x0c2e,
  productId: 0x0b61,
  path: '/dev/hidraw4',
  product: 'Voyager',
  manufacturer: 'Honeywell',
  release: 1,
  interface: 0,
  usagePage: 0x01,
  usage: 0x06,
};

/** A HID module whose device can be plugged and unplugged. */
const fakeHid = (device: Device) => {
  let present = true;
  let current: FakeScanner | null = null;
  const opens: string[] = [];
  const mod: HidModule = {
    devices: () => (present ? [device] : []),
    open: (path): HidHandle => {
      if (!present) throw new Error('could not open device');
      opens.push(path);
      current = new FakeScanner();
      return current;
    },
  };
  return {
    mod,
    opens,
    device: () => current!,
    unplug: () => {
      present = false;
      current!.unplug();
    },
    replug: () => {
      present = true;
    },
    /** Gone from the enumeration without a read error (how some systems report an unplug). */
    vanish: () => {
      present = false;
    },
  };
};

const stoppers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const s of stoppers.splice(0)) await s();
});

const waitFor = async (cond: () => boolean) => {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(cond()).toBe(true);
};

describe('scanner service', () => {
  it('auto-detects a HID POS scanner and emits typed scans', () => {
    const hid = fakeHid(posDevice);
    const service = createScannerService({ hid: hid.mod, pollMs: 10 });
    stoppers.push(service.stop);
    const scans: ScanEvent[] = [];
    service.on('scan', (s) => scans.push(s));
    service.start();
    expect(service.status()).toMatchObject({
      state: 'connected',
      device: { kind: 'hid-pos', vendorId: 0x05e0 },
      ownsKeyboardScanner: false,
    });
    for (const r of encodeHidPosReports(']E0', '4006381333931')) hid.device().send(r);
    expect(scans).toEqual([
      { data: '4006381333931', symbology: 'EAN-13', source: 'hid-pos', receivedAt: expect.any(Number) },
    ]);
  });

  it('unplug: says "disconnected" and closes the handle; replug: reconnects by itself and the next scan arrives', async () => {
    const hid = fakeHid(posDevice);
    const service = createScannerService({ hid: hid.mod, pollMs: 10 });
    stoppers.push(service.stop);
    const statuses: ScannerStatus[] = [];
    const scans: string[] = [];
    service.on('status', (s) => statuses.push(s));
    service.on('scan', (s) => scans.push(s.data));
    service.start();
    const first = hid.device();
    hid.unplug();
    expect(first.closed).toBe(true);
    expect(service.status()).toMatchObject({
      state: 'disconnected',
      message: 'Scanner disconnected — plug it back in',
    });
    await new Promise((r) => setTimeout(r, 40)); // polls while absent must not crash or reconnect
    expect(hid.opens).toHaveLength(1);
    hid.replug();
    await waitFor(() => service.status().state === 'connected');
    expect(hid.opens).toHaveLength(2);
    for (const r of encodeHidPosReports(']E0', '4006381333931')) hid.device().send(r);
    expect(scans).toEqual(['4006381333931']);
    expect(statuses.map((s) => s.state)).toEqual(['connected', 'disconnected', 'connected']);
  });

  it('notices a scanner that vanished without a read error, and takes it back when it returns', async () => {
    const hid = fakeHid(posDevice);
    const service = createScannerService({ hid: hid.mod, pollMs: 10 });
    stoppers.push(service.stop);
    service.start();
    const first = hid.device();
    hid.vanish();
    await waitFor(() => service.status().state === 'disconnected');
    expect(first.closed).toBe(true);
    expect(service.status()).toMatchObject({
      device: { vendorId: 0x05e0 },
      message: 'Scanner disconnected — plug it back in',
    });
    hid.replug();
    await waitFor(() => service.status().state === 'connected');
    expect(hid.device()).not.toBe(first);
  });

  it('survives a read error from a handle it already closed, and a listener that throws', () => {
    const hid = fakeHid(posDevice);
    const service = createScannerService({ hid: hid.mod });
    stoppers.push(service.stop);
    const scans: string[] = [];
    service.on('scan', () => {
      throw new Error('page handler bug');
    });
    service.on('scan', (s) => scans.push(s.data));
    service.start();
    const first = hid.device();
    for (const r of encodeHidPosReports(']E0', '4006381333931')) first.send(r);
    expect(scans).toEqual(['4006381333931']);
    hid.unplug();
    // node-hid can report the read error again after close: nobody must be left unheard.
    expect(() => first.emit('error', new Error('could not read from HID device'))).not.toThrow();
    expect(service.status().state).toBe('disconnected');
  });

  it('retries when the device is listed but cannot be opened yet (still starting after replug)', async () => {
    let attempts = 0;
    let device: FakeScanner | null = null;
    const mod: HidModule = {
      devices: () => [posDevice],
      open: () => {
        attempts++;
        if (attempts < 3) throw new Error('could not open device');
        device = new FakeScanner();
        return device;
      },
    };
    const service = createScannerService({ hid: mod, pollMs: 10 });
    stoppers.push(service.stop);
    const statuses: string[] = [];
    service.on('status', (s) => statuses.push(s.state));
    service.start();
    expect(service.status()).toMatchObject({ state: 'error', message: expect.stringContaining('Cannot open') });
    await waitFor(() => service.status().state === 'connected');
    expect(statuses).toEqual(['error', 'connected']);
    const scans: string[] = [];
    service.on('scan', (s) => scans.push(s.data));
    for (const r of encodeHidPosReports(']C0', `KM${'7'.repeat(120)}`)) device!.send(r);
    expect(scans).toEqual([`KM${'7'.repeat(120)}`]);
  });

  it('switches to the scanner staff pick and lists what is attached', () => {
    const other: Device = { ...posDevice, vendorId: 0x0c2e, productId: 0x0b87, path: '/dev/hidraw5', product: 'Xenon' };
    const opened: string[] = [];
    const mod: HidModule = {
      devices: () => [posDevice, other, keyboardDevice],
      open: (path) => {
        opened.push(path);
        return new FakeScanner();
      },
    };
    const service = createScannerService({ hid: mod });
    stoppers.push(service.stop);
    service.start();
    expect(service.status().device).toMatchObject({ path: '/dev/hidraw3' });
    expect(service.listDevices().map((d) => [d.path, d.kind, d.usagePage])).toEqual([
      ['/dev/hidraw3', 'hid-pos', 0x8c],
      ['/dev/hidraw5', 'hid-pos', 0x8c],
      ['/dev/hidraw4', 'keyboard', 0x01],
    ]);
    expect(service.selectDevice({ vendorId: 0x0c2e, productId: 0x0b87 })).toMatchObject({
      state: 'connected',
      device: { path: '/dev/hidraw5', product: 'Xenon' },
    });
    expect(opened).toEqual(['/dev/hidraw3', '/dev/hidraw5']);
  });

  it('ignores garbage, truncated and foreign reports', () => {
    const hid = fakeHid(posDevice);
    const service = createScannerService({ hid: hid.mod });
    stoppers.push(service.stop);
    const scans: string[] = [];
    service.on('scan', (s) => scans.push(s.data));
    service.start();
    hid.device().send(Uint8Array.from([0xff, 0x00, 0x13]));
    hid.device().send(Uint8Array.from([0x02, 0x40]));
    hid.device().send(new Uint8Array(64).fill(0x41));
    expect(scans).toEqual([]);
    expect(service.status().state).toBe('connected');
  });

  it('says what to do when the OS refuses access', () => {
    // node-hid's message with hidapi's reason appended, as the hidraw backend words it.
    const mod: HidModule = {
      devices: () => [posDevice],
      open: () => {
        throw new Error(
          "cannot open device with path /dev/hidraw3: Failed to open a device with path '/dev/hidraw3': Permission denied",
        );
      },
    };
    const service = createScannerService({ hid: mod, platform: 'linux' });
    stoppers.push(service.stop);
    service.start();
    expect(service.status()).toMatchObject({ state: 'error', message: expect.stringContaining('udev rule') });
    expect(service.status().message).toContain('ATTRS{idVendor}=="05e0"');
  });

  it('on macOS points to Input Monitoring when the OS refuses access', () => {
    const mod: HidModule = {
      devices: () => [posDevice],
      open: () => {
        throw new Error('cannot open device with path DevSrvsID:4294969353: (0xE00002E2) (iokit/common) not permitted');
      },
    };
    const service = createScannerService({ hid: mod, platform: 'darwin' });
    stoppers.push(service.stop);
    service.start();
    expect(service.status()).toMatchObject({ state: 'error', message: expect.stringContaining('Input Monitoring') });
  });

  it('reads a chosen keyboard-mode scanner and tells the page it owns it (no double count)', () => {
    const hid = fakeHid(keyboardDevice);
    const service = createScannerService({
      hid: hid.mod,
      selection: { vendorId: 0x0c2e, productId: 0x0b61 },
      platform: 'linux',
    });
    stoppers.push(service.stop);
    const scans: ScanEvent[] = [];
    service.on('scan', (s) => scans.push(s));
    service.start();
    expect(service.status()).toMatchObject({ state: 'connected', ownsKeyboardScanner: true });
    for (const r of encodeBootKeyboard('2990000000026')) hid.device().send(r);
    expect(scans.map((s) => [s.data, s.source])).toEqual([['2990000000026', 'hid-keyboard']]);
  });

  it('on Windows leaves keyboard-mode scanners to the keyboard wedge', () => {
    const hid = fakeHid(keyboardDevice);
    const service = createScannerService({
      hid: hid.mod,
      selection: { vendorId: 0x0c2e, productId: 0x0b61 },
      platform: 'win32',
    });
    stoppers.push(service.stop);
    service.start();
    expect(hid.opens).toEqual([]);
    expect(service.status()).toMatchObject({
      state: 'none',
      ownsKeyboardScanner: false,
      message: expect.stringContaining('keyboard wedge'),
    });
  });

  it('does not auto-pick a keyboard: only HID POS scanners are detected without a selection', () => {
    const hid = fakeHid(keyboardDevice);
    const service = createScannerService({ hid: hid.mod });
    stoppers.push(service.stop);
    service.start();
    expect(service.status().state).toBe('none');
    expect(service.listDevices()).toEqual([expect.objectContaining({ kind: 'keyboard', vendorId: 0x0c2e })]);
  });
});

describe('node-hid', () => {
  it('loads here (libusb installed) and lists devices', async () => {
    const hid = await import('node-hid');
    const devices = (hid.default ?? hid).devices();
    expect(Array.isArray(devices)).toBe(true);
  });
});
