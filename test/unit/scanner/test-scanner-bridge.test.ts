/**
 * The till host's test scanner bridge: the control channel's framing, and the
 * real scanner service reading the bridge's HID POS scanner through it (plug,
 * scans, garbage, unplug, replug, a malformed frame), over a real Unix socket.
 */
import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createFrameReader,
  encodeFrame,
  FrameError,
  MAX_FRAME_BYTES,
  startTestScannerBridge,
  TEST_SCANNER_DEVICE,
  type TestScannerBridge,
} from '../../../src-main/scanner/test-scanner-bridge';
import { createScannerService } from '../../../src-main/scanner/scanner-service';
import type { ScannerService } from '../../../src-main/scanner/scanner-service-types';
import type { ScanEvent } from '../../../shared/ipc';
import { plugTestScanner } from '../../support/scanner-bridge';

describe('control channel framing', () => {
  it('reads every report back whatever the chunking', () => {
    const report = fc.uint8Array({ minLength: 1, maxLength: 200 });
    fc.assert(
      fc.property(fc.array(report, { maxLength: 8 }), fc.array(fc.nat(), { maxLength: 20 }), (reports, cuts) => {
        const stream = Buffer.concat(reports.map(encodeFrame));
        const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
        const reader = createFrameReader();
        const out: Uint8Array[] = [];
        let from = 0;
        for (const at of [...points, stream.length]) {
          out.push(...reader.push(stream.subarray(from, at)));
          from = at;
        }
        expect(out.map((r) => Array.from(r))).toEqual(reports.map((r) => Array.from(r)));
        expect(reader.pending()).toBe(0);
      }),
    );
  });

  it('holds an incomplete frame until the rest arrives', () => {
    const reader = createFrameReader();
    const frame = encodeFrame(Uint8Array.of(2, 1, 0x5d));
    expect(reader.push(frame.subarray(0, 1))).toEqual([]);
    expect(reader.push(frame.subarray(1, 4))).toEqual([]);
    expect(reader.pending()).toBe(4);
    expect(reader.push(frame.subarray(4))).toEqual([Uint8Array.of(2, 1, 0x5d)]);
  });

  it('refuses an empty or oversized report, on both ends', () => {
    expect(() => encodeFrame(new Uint8Array(0))).toThrow(FrameError);
    expect(() => encodeFrame(new Uint8Array(MAX_FRAME_BYTES + 1))).toThrow(FrameError);
    expect(() => createFrameReader().push(Uint8Array.of(0, 0))).toThrow('bad frame length 0');
    expect(() => createFrameReader().push(Uint8Array.of(0x04, 0x01, 1, 2))).toThrow('bad frame length 1025');
  });
});

describe('test scanner bridge with the real scanner service', () => {
  let dir: string;
  let bridge: TestScannerBridge;
  let service: ScannerService;
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  const start = async (pollMs = 10) => {
    dir = await mkdtemp(join(tmpdir(), 'kassa-bridge-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    bridge = await startTestScannerBridge({ socketPath: join(dir, 'scanner.sock') });
    cleanups.push(bridge.close);
    service = createScannerService({ hid: bridge.hid, pollMs });
    cleanups.push(service.stop);
    const scans: ScanEvent[] = [];
    service.on('scan', (s) => scans.push(s));
    service.start();
    return scans;
  };

  const waitFor = async (cond: () => boolean) => {
    for (let i = 0; i < 400 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
    expect(cond()).toBe(true);
  };

  it('lists no device until a test plugs the scanner in, then scans arrive decoded', async () => {
    const scans = await start();
    expect(service.status().state).toBe('none');
    expect(service.listDevices()).toEqual([]);
    const scanner = await plugTestScanner(bridge.path);
    cleanups.push(scanner.unplug);
    expect(service.status()).toMatchObject({
      state: 'connected',
      device: { kind: 'hid-pos', vendorId: TEST_SCANNER_DEVICE.vendorId, product: 'Test scanner' },
      message: 'Scanner ready: Test scanner',
    });
    await scanner.scan('2990000000026');
    await scanner.scan(`KM${'7'.repeat(120)}`); // Code 128 over three reports
    await waitFor(() => scans.length === 2);
    expect(scans).toEqual([
      { data: '2990000000026', symbology: 'EAN-13', source: 'hid-pos', receivedAt: expect.any(Number) },
      { data: `KM${'7'.repeat(120)}`, symbology: 'Code 128', source: 'hid-pos', receivedAt: expect.any(Number) },
    ]);
  });

  it('passes garbage through to the decoder, which drops it; the scanner stays connected', async () => {
    const scans = await start();
    const scanner = await plugTestScanner(bridge.path);
    cleanups.push(scanner.unplug);
    await scanner.sendReports([
      Uint8Array.of(0xff, 0x00, 0x13),
      Uint8Array.of(0x02, 0x40),
      new Uint8Array(64).fill(0x41),
    ]);
    await scanner.scan('4006381333931');
    await waitFor(() => scans.length === 1);
    expect(scans.map((s) => s.data)).toEqual(['4006381333931']);
    expect(service.status().state).toBe('connected');
  });

  it('unplug is node-hid’s read error: disconnected; plugging back in reconnects and scans again', async () => {
    const scans = await start();
    const first = await plugTestScanner(bridge.path);
    await first.unplug();
    await waitFor(() => service.status().state === 'disconnected');
    expect(service.status().message).toBe('Scanner disconnected — plug it back in');
    expect(service.listDevices()).toEqual([]);
    const second = await plugTestScanner(bridge.path);
    cleanups.push(second.unplug);
    expect(service.status().state).toBe('connected');
    await second.scan('RCPT-0042');
    await second.scan('87100001');
    await waitFor(() => scans.length === 2);
    expect(scans.map((s) => [s.data, s.symbology])).toEqual([
      ['RCPT-0042', 'Code 128'],
      ['87100001', 'EAN-8'],
    ]);
  });

  it('drops a client that sends a malformed frame, without passing any of it on', async () => {
    const scans = await start();
    const raw = connect(bridge.path);
    const closed = new Promise<void>((r) => raw.once('close', () => r()));
    raw.on('error', () => undefined);
    raw.resume(); // read (and ignore) the status bytes, or the end of the stream is never seen
    await waitFor(() => service.status().state === 'connected');
    raw.write(Uint8Array.of(0, 0, 2, 1));
    await closed;
    await waitFor(() => service.status().state === 'disconnected');
    expect(scans).toEqual([]);
    // The bridge keeps serving.
    const scanner = await plugTestScanner(bridge.path);
    cleanups.push(scanner.unplug);
    await scanner.scan('4006381333931');
    await waitFor(() => scans.length === 1);
  });

  it('takes over a socket file left by a killed host, refuses to remove anything else, and is only for its user', async () => {
    dir = await mkdtemp(join(tmpdir(), 'kassa-bridge-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    // A stale socket: the file of a listener killed before it could unlink it.
    const stale = join(dir, 'stale.sock');
    const old = spawn(process.execPath, ['-e', `require('node:net').createServer().listen(${JSON.stringify(stale)})`]);
    await waitFor(() => existsSync(stale));
    await new Promise<void>((r) => {
      old.once('exit', () => r());
      old.kill('SIGKILL');
    });
    expect((await stat(stale)).isSocket()).toBe(true);
    const b = await startTestScannerBridge({ socketPath: stale });
    cleanups.push(b.close);
    expect((await stat(stale)).mode & 0o777).toBe(0o600);

    const file = join(dir, 'not-a-socket');
    await writeFile(file, 'keep me');
    await expect(startTestScannerBridge({ socketPath: file })).rejects.toThrow('is not a socket');
  });

  it('closing removes the socket file', async () => {
    await start();
    await bridge.close();
    await expect(stat(bridge.path)).rejects.toThrow();
  });
});
