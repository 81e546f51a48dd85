import { describe, expect, it } from 'vitest';
import { createIpcHandlers, handleInvoke } from '../../../src-main/host/ipc-handlers';
import type { ScannerService } from '../../../src-main/scanner/scanner-service-types';
import type { ScannerStatus, TerminalConfig, WedgeConfig } from '../../../shared/ipc';

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
  configure: () => status,
  on: () => () => undefined,
};

const saved: unknown[] = [];
const settings = {
  setWedge: (w: WedgeConfig) => {
    saved.push(w);
    return Promise.resolve(w);
  },
  setHidPosLayout: (choice: unknown) => {
    saved.push(choice);
    return Promise.resolve(status);
  },
};

describe('IPC handler map', () => {
  const handlers = createIpcHandlers({ terminalConfig: () => null, scanner, settings });

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

  it('refuses a request payload on a channel that takes none', async () => {
    await expect(handleInvoke(handlers, 'scanner:list-devices', { all: true })).rejects.toMatchObject({
      code: 'IPC_BAD_REQUEST',
    });
  });

  it('never lets a reply out that breaks the contract', async () => {
    const broken = createIpcHandlers({
      terminalConfig: () => ({ mode: 'browser', serverUrl: 'not a url' }) as unknown as TerminalConfig,
      scanner,
      settings,
    });
    await expect(handleInvoke(broken, 'terminal:get-config', null)).rejects.toThrow(/url/i);
  });

  it('takes keyboard-scanner thresholds and HID POS layouts only when the contract accepts them', async () => {
    await expect(
      handleInvoke(handlers, 'scanner:set-wedge', { maxInterKeyMs: 40, minLength: 4, quietMs: 20, suffix: 'required' }),
    ).rejects.toMatchObject({ code: 'IPC_BAD_REQUEST', message: expect.stringContaining('quietMs') });
    await expect(
      handleInvoke(handlers, 'scanner:set-hid-pos-layout', { vendorId: 1, productId: 2, layout: 'zebra' }),
    ).rejects.toMatchObject({ code: 'IPC_BAD_REQUEST' });
    expect(saved).toEqual([]);
    expect(await handleInvoke(handlers, 'scanner:set-wedge', { maxInterKeyMs: 40, minLength: 4 })).toEqual({
      maxInterKeyMs: 40,
      minLength: 4,
      quietMs: 100,
      suffix: 'required',
    });
    await handleInvoke(handlers, 'scanner:set-hid-pos-layout', {
      vendorId: 0x1eab,
      productId: 0x0d10,
      layout: 'newland',
    });
    expect(saved).toEqual([
      { maxInterKeyMs: 40, minLength: 4, quietMs: 100, suffix: 'required' },
      { vendorId: 0x1eab, productId: 0x0d10, layout: 'newland' },
    ]);
  });
});
