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
import { wedgeConfigSchema, type ScanEvent, type ScannerStatus, type ScanRejected } from '../../../shared/ipc';
import { encodeHidPosReports } from '../../../shared/scanner/hid-pos';
import { encodeBootKeyboard } from '../../../shared/scanner/boot-keyboard';
import { COMPOSITE_SCANNER_DESCRIPTOR } from '../../support/hid-descriptors';

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
      // What the till shows, translated: a code and the device's name.
      say: { code: 'ready', params: { name: 'DS4308' } },
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
    expect(service.status().say).toMatchObject({ code: 'permission-linux', params: { vendor: '05e0' } });
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
      // This machine's own /dev/hidraw4, if it has one, is not this device: no descriptor, the boot layout.
      reportDescriptor: () => null,
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

describe('scanner service: report layouts and timing, byte for byte', () => {
  /** A 64-byte report built here, byte by byte: id, count, then `rest` from byte 2; flag byte 63. */
  const report64 = (count: number, rest: number[], continued = false) => {
    const r = new Uint8Array(64);
    r.set([0x02, count, ...rest]);
    r[63] = continued ? 1 : 0;
    return r;
  };
  const ascii = (s: string) => Array.from(s, (c) => c.charCodeAt(0));
  const newlandDevice: Device = {
    ...posDevice,
    vendorId: 0x1eab,
    productId: 0x0d10,
    path: '/dev/hidraw6',
    product: 'FM420',
  };

  it('emits a binary Data Matrix code whole: the byte count decides, NUL bytes are data', () => {
    const hid = fakeHid(posDevice);
    const service = createScannerService({ hid: hid.mod });
    stoppers.push(service.stop);
    const scans: ScanEvent[] = [];
    service.on('scan', (s) => scans.push(s));
    service.start();
    // ]d1 with 6 data bytes 4b 00 00 01 00 41 ("K", NUL, NUL, 0x01, NUL, "A").
    hid.device().send(report64(6, [0x5d, 0x64, 0x31, 0x4b, 0x00, 0x00, 0x01, 0x00, 0x41]));
    expect(scans).toEqual([
      {
        data: 'K\u0000\u0000\u0001\u0000A',
        symbology: 'DataMatrix',
        source: 'hid-pos',
        receivedAt: expect.any(Number),
      },
    ]);
  });

  it('reads a Newland scanner in its own layout (no AIM id), and says so in the device list', () => {
    const hid = fakeHid(newlandDevice);
    const service = createScannerService({ hid: hid.mod });
    stoppers.push(service.stop);
    const scans: string[] = [];
    service.on('scan', (s) => scans.push(s.data));
    service.start();
    expect(service.listDevices()).toEqual([expect.objectContaining({ vendorId: 0x1eab, hidPosLayout: 'newland' })]);
    hid.device().send(report64(13, ascii('5901234123457')));
    expect(scans).toEqual(['5901234123457']);
  });

  it('takes the layout configured for a device, and a change applies at once', () => {
    const hid = fakeHid(posDevice);
    const service = createScannerService({
      hid: hid.mod,
      hidPosLayouts: [{ vendorId: 0x05e0, productId: 0x1300, layout: 'newland' }],
    });
    stoppers.push(service.stop);
    const scans: string[] = [];
    service.on('scan', (s) => scans.push(s.data));
    service.start();
    const newlandReport = report64(8, ascii('96385074'));
    const aimReport = report64(8, [0x5d, 0x45, 0x34, ...ascii('96385074')]);
    hid.device().send(aimReport); // read as Newland data: "]E49638" … not what was scanned
    hid.device().send(newlandReport);
    expect(scans).toEqual([']E496385', '96385074']);
    scans.length = 0;
    expect(service.configure({ hidPosLayouts: [] })).toMatchObject({ state: 'connected' });
    expect(service.listDevices()).toEqual([expect.objectContaining({ hidPosLayout: 'aim' })]);
    hid.device().send(newlandReport); // "96" is no AIM id
    hid.device().send(aimReport);
    expect(scans).toEqual(['96385074']);
  });

  it('drops the late last part of a two-report code with the rest, never as a code of its own', () => {
    let clock = 0;
    const hid = fakeHid(posDevice);
    const service = createScannerService({ hid: hid.mod, now: () => clock });
    stoppers.push(service.stop);
    const scans: string[] = [];
    service.on('scan', (s) => scans.push(s.data));
    service.start();
    const code = `${'A'.repeat(56)}TAIL`;
    hid.device().send(report64(56, [0x5d, 0x43, 0x30, ...ascii(code.slice(0, 56))], true));
    clock = 400; // the last part comes after the 250 ms the parts of one code may be apart
    hid.device().send(report64(4, [0x5d, 0x43, 0x30, ...ascii('TAIL')]));
    expect(scans).toEqual([]);
    clock = 2000;
    hid.device().send(report64(4, [0x5d, 0x43, 0x30, ...ascii('NEXT')]));
    expect(scans).toEqual(['NEXT']);
  });

  it('reads a keyboard-mode scanner in the layout its report descriptor declares (report id 3)', () => {
    const hid = fakeHid(keyboardDevice);
    const asked: string[] = [];
    const service = createScannerService({
      hid: hid.mod,
      selection: { vendorId: 0x0c2e, productId: 0x0b61 },
      platform: 'linux',
      reportDescriptor: (d) => {
        asked.push(d.path);
        return COMPOSITE_SCANNER_DESCRIPTOR;
      },
    });
    stoppers.push(service.stop);
    const scans: string[] = [];
    service.on('scan', (s) => scans.push(s.data));
    service.start();
    expect(asked).toEqual(['/dev/hidraw4']);
    for (const r of encodeBootKeyboard('2990000000026')) hid.device().send(Uint8Array.from([0x03, ...r]));
    expect(scans).toEqual(['2990000000026']);
  });

  it('tells the page about a keyboard burst it did not read, with what was read', () => {
    let clock = 0;
    const hid = fakeHid(keyboardDevice);
    const service = createScannerService({
      hid: hid.mod,
      selection: { vendorId: 0x0c2e, productId: 0x0b61 },
      platform: 'linux',
      now: () => clock,
      reportDescriptor: () => null,
    });
    stoppers.push(service.stop);
    const rejected: ScanRejected[] = [];
    const scans: string[] = [];
    service.on('rejected', (r) => rejected.push(r));
    service.on('scan', (s) => scans.push(s.data));
    service.start();
    for (const [i, r] of encodeBootKeyboard('2990000000026').entries()) {
      clock = i * 2 + (i >= 12 ? 50 : 0);
      hid.device().send(r);
    }
    expect(scans).toEqual([]);
    expect(rejected).toEqual([
      { data: '2990000000026', source: 'hid-keyboard', reason: { code: 'too-slow', maxGapMs: 54, limitMs: 30 } },
    ]);
  });

  it('ends a keyboard scanner code without a suffix after the quiet time, with thresholds set at run time', async () => {
    const hid = fakeHid(keyboardDevice);
    const service = createScannerService({
      hid: hid.mod,
      selection: { vendorId: 0x0c2e, productId: 0x0b61 },
      platform: 'linux',
      reportDescriptor: () => null,
    });
    stoppers.push(service.stop);
    const scans: string[] = [];
    service.on('scan', (s) => scans.push(s.data));
    service.start();
    service.configure({ wedge: wedgeConfigSchema.parse({ suffix: 'optional', quietMs: 40, minLength: 4 }) });
    for (const r of encodeBootKeyboard('4711').slice(0, -2)) hid.device().send(r);
    expect(scans).toEqual([]);
    await waitFor(() => scans.length > 0);
    expect(scans).toEqual(['4711']);
  });
});

describe('node-hid', () => {
  it('loads here (libusb installed) and lists devices', async () => {
    const hid = await import('node-hid');
    const devices = (hid.default ?? hid).devices();
    expect(Array.isArray(devices)).toBe(true);
  });
});
