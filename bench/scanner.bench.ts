/**
 * Scanner path speed.
 * 1. Decoded scans per second through the HID POS decoder, against a baseline
 *    that only copies each report and turns its bytes into text (the least any
 *    decoder must do), measured in the same run.
 * 2. Latency from a report arriving at the scanner service (the device's data
 *    event) to the page's handler over the real browser-mode transport (the
 *    till host's WebSocket on loopback), median and p99; baseline: a listener
 *    on the service itself in the same process.
 *   npx tsx bench/scanner.bench.ts
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { ipcEvents, wsServerFrameSchema, type ScanEvent } from '../shared/ipc';
import { createHidPosDecoder, encodeHidPosReports } from '../shared/scanner/hid-pos';
import type { Device } from 'node-hid';
import { createScannerService } from '../src-main/scanner/scanner-service';
import { startTillHost } from '../src-main/host/till-host';
import { startBrowserHost } from '../src-main/host/browser-host';
import { FakeHidDevice } from '../test/support/fake-hid-device';

const REPORTS = 50_000;
const LATENCY_SCANS = 2_000;

const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

const throughput = () => {
  const reports = Array.from(
    { length: 100 },
    (_, i) => encodeHidPosReports(']E0', `400638133${String(i).padStart(4, '0')}`)[0]!,
  );
  const text = new TextDecoder();
  let sink = 0;
  const t0 = performance.now();
  for (let i = 0; i < REPORTS; i++) {
    const r = reports[i % reports.length]!;
    sink += text.decode(r.slice(5, 5 + r[1]!)).length;
  }
  const baseMs = performance.now() - t0;
  const decoder = createHidPosDecoder();
  const t1 = performance.now();
  for (let i = 0; i < REPORTS; i++) {
    const out = decoder.push(reports[i % reports.length]!);
    if (out.kind === 'scan') sink += out.scan.data.length;
  }
  const decMs = performance.now() - t1;
  console.log(
    `decoder: ${Math.round(REPORTS / (decMs / 1000)).toLocaleString('en')} scans/s; baseline copy+text ${Math.round(REPORTS / (baseMs / 1000)).toLocaleString('en')}/s; ratio (time) ${(decMs / baseMs).toFixed(2)}  [${sink}]`,
  );
};

const latency = async () => {
  const info: Device = {
    vendorId: 1,
    productId: 2,
    path: 'bench',
    release: 0,
    interface: 0,
    usagePage: 0x8c,
    usage: 2,
  };
  let device: FakeHidDevice | null = null;
  const scanner = createScannerService({
    hid: {
      devices: () => [info],
      open: () => {
        device = new FakeHidDevice(info);
        return device;
      },
    },
  });
  const host = await startTillHost({
    dataDir: await mkdtemp(join(tmpdir(), 'kassa-bench-')),
    mode: 'browser',
    scanner,
    env: { KASSA_SERVER_URL: 'http://127.0.0.1:9' },
    log: () => undefined,
  });
  const web = await startBrowserHost(host, { rendererDir: tmpdir(), port: 0 });
  const ws = new WebSocket(`ws://127.0.0.1:${web.port}/host`, { headers: { origin: web.url } });
  await new Promise((r) => ws.once('open', r));

  const report = encodeHidPosReports(']E0', '4006381333931')[0]!;
  const send = () => device!.send(report);

  // The page's handler, as the renderer's host client runs it: parse the frame and the scan with the contract.
  let received = 0;
  let onScan: ((scan: ScanEvent) => void) | null = null;
  ws.on('message', (raw: Buffer) => {
    const frame = wsServerFrameSchema.parse(JSON.parse(raw.toString('utf8')));
    if (frame.type !== 'event' || frame.event !== 'scan') return;
    const scan = ipcEvents.scan.parse(frame.payload);
    received++;
    onScan?.(scan);
  });
  const direct: number[] = [];
  let sentAt = 0;
  const off = scanner.on('scan', () => direct.push(performance.now() - sentAt));
  for (let i = 0; i < LATENCY_SCANS; i++) {
    sentAt = performance.now();
    send();
  }
  off();
  // Let the page receive those first scans before timing the page path.
  while (received < LATENCY_SCANS) await new Promise((r) => setTimeout(r, 5));

  const overWs: number[] = [];
  for (let i = 0; i < LATENCY_SCANS; i++) {
    const got = new Promise<void>((resolve) => {
      onScan = () => resolve();
    });
    sentAt = performance.now();
    send();
    await got;
    overWs.push(performance.now() - sentAt);
  }
  console.log(
    `service listener (baseline): median ${pct(direct, 50).toFixed(3)} ms, p99 ${pct(direct, 99).toFixed(3)} ms`,
  );
  console.log(
    `report → page handler over the host WebSocket: median ${pct(overWs, 50).toFixed(3)} ms, p99 ${pct(overWs, 99).toFixed(3)} ms; ratio of medians ${(pct(overWs, 50) / pct(direct, 50)).toFixed(1)}`,
  );
  if (received !== 2 * LATENCY_SCANS) throw new Error(`page received ${received} scans, expected ${2 * LATENCY_SCANS}`);
  ws.close();
  await web.close();
  await host.stop();
};

throughput();
await latency();
process.exit(0);
