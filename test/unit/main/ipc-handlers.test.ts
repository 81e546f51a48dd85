import { describe, expect, it } from 'vitest';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createIpcHandlers, handleInvoke } from '../../../src-main/host/ipc-handlers';
import { configPath, loadTillConfig } from '../../../src-main/host/terminal-config';
import type { ScannerService } from '../../../src-main/scanner/scanner-service-types';
import type { ScannerStatus } from '../../../shared/ipc';

const status: ScannerStatus = { state: 'none', device: null, message: 'No scanner found', ownsKeyboardScanner: false };
const selections: unknown[] = [];
const scanner: ScannerService = {
  start: () => undefined,
  stop: () => Promise.resolve(),
  status: () => status,
  listDevices: () => [],
  selectDevice: (s) => {
    selections.push(s);
    return status;
  },
  on: () => () => undefined,
};

describe('IPC handler map', () => {
  const handlers = createIpcHandlers({ terminalConfig: () => null, scanner });

  it('answers a known channel with a reply the contract accepts', async () => {
    expect(await handleInvoke(handlers, 'scanner:get-status', null)).toEqual(status);
  });

  it('rejects an unknown channel and a malformed payload, and changes nothing', async () => {
    await expect(handleInvoke(handlers, 'fs:read', null)).rejects.toMatchObject({ code: 'IPC_UNKNOWN_CHANNEL' });
    await expect(handleInvoke(handlers, 'scanner:select-device', { vendorId: 'x' })).rejects.toMatchObject({
      code: 'IPC_BAD_REQUEST',
    });
    expect(selections).toEqual([]);
    await handleInvoke(handlers, 'scanner:select-device', { vendorId: 0x0c2e, productId: 0x0b61 });
    expect(selections).toEqual([{ vendorId: 0x0c2e, productId: 0x0b61 }]);
  });

  it('says clearly when the till is not enrolled', async () => {
    await expect(handleInvoke(handlers, 'terminal:get-config', null)).rejects.toMatchObject({ code: 'AUTH_MISSING' });
  });
});

describe('terminal config file', () => {
  it('reports a broken file with the field at fault and leaves it as it was', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kassa-config-'));
    const broken = JSON.stringify({ serverUrl: 'not a url', wedge: { maxInterKeyMs: -3 } });
    await writeFile(configPath(dir), broken);
    await expect(loadTillConfig(dir)).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    await expect(loadTillConfig(dir)).rejects.toThrow(/serverUrl/);
    await writeFile(configPath(dir), '{ nope');
    await expect(loadTillConfig(dir)).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    expect(await readFile(configPath(dir), 'utf8')).toBe('{ nope');
  });

  it('defaults a missing file and lets the environment name the server', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kassa-config-'));
    const config = await loadTillConfig(dir, { KASSA_SERVER_URL: 'http://10.0.0.5:7070' });
    expect(config).toMatchObject({ serverUrl: 'http://10.0.0.5:7070', token: null, wedge: { maxInterKeyMs: 30 } });
  });
});
