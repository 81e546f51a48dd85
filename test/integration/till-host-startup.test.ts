/**
 * Till host start-up against a tiny real HTTP server standing in for the
 * central server's enrolment route: the host comes up before the server
 * answers, retries a failed enrolment, and keeps a scanner chosen meanwhile.
 * The real browser-mode process refuses a broken config and a taken port
 * with one clear line, and never rewrites the config.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTillHost as startHostInProcess } from '../../src-main/host/till-host';
import type { ScannerService, ScannerSettings } from '../../src-main/scanner/scanner-service-types';
import type { ScanRejected } from '../../shared/ipc';
import { freePort, startTillHost as startHostProcess } from '../support/processes';

const status = { state: 'none', device: null, message: 'No scanner found', ownsKeyboardScanner: false } as const;
const scanner: ScannerService = {
  start: () => undefined,
  stop: () => Promise.resolve(),
  status: () => status,
  listDevices: () => [],
  selectDevice: () => status,
  configure: () => status,
  on: () => () => undefined,
};

let server: Server;
let serverUrl: string;
const held: ServerResponse[] = [];
let requests = 0;

const waitFor = async (ok: () => boolean | Promise<boolean>) => {
  for (let i = 0; i < 200 && !(await ok()); i++) await new Promise((r) => setTimeout(r, 50));
  expect(await ok()).toBe(true);
};

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    requests += 1;
    req.resume();
    // The first attempt hangs until the test lets it fail; later ones succeed.
    if (requests === 1) {
      held.push(res);
      return;
    }
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ tillId: 'till-9', storeId: 'store-4', token: 'token-from-server' }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const address = server.address();
  serverUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});

afterAll(async () => {
  for (const res of held) res.destroy();
  await new Promise<void>((r) => server.close(() => r()));
});

describe('till host start-up', () => {
  it('comes up before the server answers, retries, and keeps a scanner chosen meanwhile', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'kassa-startup-'));
    const lines: string[] = [];
    const host = await startHostInProcess({
      dataDir,
      mode: 'browser',
      env: { KASSA_SERVER_URL: serverUrl, KASSA_ENROL_CODE: 'SHOP-9' },
      scanner,
      log: (line) => lines.push(line),
    });
    try {
      await waitFor(() => held.length === 1);
      await expect(host.invoke('terminal:get-config', null)).rejects.toMatchObject({ code: 'AUTH_MISSING' });
      await host.invoke('scanner:select-device', { vendorId: 0x0c2e, productId: 0x0b61 });

      held[0]!.statusCode = 503;
      held[0]!.end('{"error":{"code":"UNAVAILABLE","message":"Starting up"}}');
      await waitFor(() => lines.some((l) => l.startsWith('Till enrolled as till-9 in store-4')));
      expect(lines.some((l) => l.startsWith('Enrolment failed'))).toBe(true);

      expect(await host.invoke('terminal:get-config', null)).toMatchObject({
        mode: 'browser',
        serverUrl,
        tillId: 'till-9',
        storeId: 'store-4',
        token: 'token-from-server',
      });
      const saved = JSON.parse(await readFile(join(dataDir, 'config.json'), 'utf8')) as Record<string, unknown>;
      expect(saved).toMatchObject({
        token: 'token-from-server',
        enrolCode: null,
        scanner: { vendorId: 0x0c2e, productId: 0x0b61 },
      });
    } finally {
      await host.stop();
    }
  });

  it('saves the scanner settings staff change, hands them to the scanner service, and forwards rejected bursts', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'kassa-startup-'));
    const configured: ScannerSettings[] = [];
    let rejectedListener: ((r: ScanRejected) => void) | null = null;
    const recording: ScannerService = {
      ...scanner,
      configure: (s) => {
        configured.push(s);
        return status;
      },
      on: (event, listener) => {
        if (event === 'rejected') rejectedListener = listener as (r: ScanRejected) => void;
        return () => undefined;
      },
    };
    const host = await startHostInProcess({
      dataDir,
      mode: 'browser',
      env: { KASSA_SERVER_URL: serverUrl, KASSA_ENROL_CODE: 'SHOP-9' },
      scanner: recording,
      log: () => undefined,
    });
    const events: unknown[] = [];
    host.subscribe((event, payload) => events.push([event, payload]));
    try {
      const wedge = { maxInterKeyMs: 45, minLength: 4, quietMs: 120, suffix: 'optional' };
      expect(await host.invoke('scanner:set-wedge', wedge)).toEqual(wedge);
      await host.invoke('scanner:set-hid-pos-layout', { vendorId: 0x05e0, productId: 0x1300, layout: 'newland' });
      await host.invoke('scanner:set-hid-pos-layout', { vendorId: 0x05e0, productId: 0x1300, layout: 'aim' });
      expect(configured).toEqual([
        { wedge },
        { hidPosLayouts: [{ vendorId: 0x05e0, productId: 0x1300, layout: 'newland' }] },
        { hidPosLayouts: [{ vendorId: 0x05e0, productId: 0x1300, layout: 'aim' }] },
      ]);
      const saved = JSON.parse(await readFile(join(dataDir, 'config.json'), 'utf8')) as Record<string, unknown>;
      expect(saved).toMatchObject({ wedge, hidPosLayouts: [{ vendorId: 0x05e0, productId: 0x1300, layout: 'aim' }] });

      rejectedListener!({ data: '4711', source: 'hid-keyboard', reason: { code: 'no-suffix' } });
      expect(events).toEqual([
        ['scan-rejected', { data: '4711', source: 'hid-keyboard', reason: { code: 'no-suffix' } }],
      ]);
    } finally {
      await host.stop();
    }
  });

  it('the host process refuses a broken config with the field at fault and leaves the file alone', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'kassa-startup-'));
    const broken = JSON.stringify({ serverUrl, wedge: { minLength: 'six' } });
    await writeFile(join(dataDir, 'config.json'), broken);
    await expect(startHostProcess({ port: await freePort(), dataDir, serverUrl })).rejects.toThrow(
      /Kassa till cannot start: .*wedge\.minLength/,
    );
    expect(await readFile(join(dataDir, 'config.json'), 'utf8')).toBe(broken);
  });

  it('the host process says clearly when its port is taken', async () => {
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', () => r()));
    const address = taken.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    try {
      const dataDir = await mkdtemp(join(tmpdir(), 'kassa-startup-'));
      await expect(startHostProcess({ port, dataDir, serverUrl })).rejects.toThrow(
        new RegExp(`Port ${port} is in use`),
      );
    } finally {
      await new Promise<void>((r) => taken.close(() => r()));
    }
  });
});
