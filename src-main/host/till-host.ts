/**
 * The till host, transport-agnostic: terminal config and enrolment, the
 * scanner service, the IPC handler map and the fan-out of host events to every
 * connected renderer. Electron main and the browser-mode host process both
 * run exactly this.
 */
import { KassaError } from '../../shared/errors';
import type { IpcEventName, IpcEventPayload, TerminalConfig } from '../../shared/ipc';
import { createScannerService, loadNodeHid } from '../scanner/scanner-service';
import type { ScannerService } from '../scanner/scanner-service-types';
import { createIpcHandlers, handleInvoke } from './ipc-handlers';
import { enrol, loadTillConfig, saveTillConfig, type TillConfig } from './terminal-config';

export type HostEventSink = <E extends IpcEventName>(event: E, payload: IpcEventPayload<E>) => void;

export type TillHost = {
  invoke: (channel: string, payload: unknown) => Promise<unknown>;
  subscribe: (sink: HostEventSink) => () => void;
  config: () => TillConfig;
  stop: () => Promise<void>;
};

export type TillHostOptions = {
  dataDir: string;
  mode: 'electron' | 'browser';
  env?: { KASSA_SERVER_URL?: string; KASSA_ENROL_CODE?: string };
  scanner?: ScannerService;
  log?: (line: string) => void;
};

export const startTillHost = async (options: TillHostOptions): Promise<TillHost> => {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  let config = await loadTillConfig(options.dataDir, options.env);
  const hid = options.scanner ? null : await loadNodeHid();
  if (!options.scanner && !hid)
    log('node-hid could not load (is libusb installed?): USB HID scanners are off, keyboard-wedge scanners work');
  const scanner =
    options.scanner ??
    createScannerService({
      hid: hid ?? {
        devices: () => [],
        open: () => {
          throw new KassaError('SCANNER_OPEN_FAILED', 'node-hid is not available');
        },
      },
      selection: config.scanner,
      keyboardLayout: config.keyboardLayout,
      wedge: config.wedge,
      hidPosLayouts: config.hidPosLayouts,
    });

  const sinks = new Set<HostEventSink>();
  const emit: HostEventSink = (event, payload) => {
    for (const sink of sinks) sink(event, payload);
  };
  const offScan = scanner.on('scan', (scan) => emit('scan', scan));
  const offRejected = scanner.on('rejected', (rejected) => emit('scan-rejected', rejected));
  const offStatus = scanner.on('status', (status) => emit('scanner-status', status));
  scanner.start();

  // Saves run one after another: two writers must never race on the temp file.
  let saving: Promise<void> = Promise.resolve();
  const persist = (): Promise<void> => {
    saving = saving.catch(() => undefined).then(() => saveTillConfig(options.dataDir, config));
    return saving;
  };

  // Enrol in the background: the page must load even when the server is unreachable.
  let stopped = false;
  let retry: ReturnType<typeof setTimeout> | null = null;
  const tryEnrol = async (delayMs: number): Promise<void> => {
    if (stopped || config.token) return;
    try {
      const enrolled = await enrol(config);
      // Only the enrolment fields: a scanner chosen meanwhile must survive.
      config = {
        ...config,
        tillId: enrolled.tillId,
        storeId: enrolled.storeId,
        token: enrolled.token,
        enrolCode: enrolled.enrolCode,
      };
      await persist();
      log(`Till enrolled as ${config.tillId} in ${config.storeId}`);
    } catch (e) {
      if (stopped) return;
      const message = e instanceof Error ? e.message : String(e);
      log(`Enrolment failed (${message}); retrying in ${Math.round(delayMs / 1000)} s`);
      retry = setTimeout(() => void tryEnrol(Math.min(delayMs * 2, 30_000)), delayMs);
      retry.unref?.();
    }
  };
  // Not awaited: the host (and so the page) comes up at once; the till enrols when the server answers.
  void tryEnrol(1000);

  const terminalConfig = (): TerminalConfig | null =>
    config.token && config.tillId && config.storeId
      ? {
          mode: options.mode,
          serverUrl: config.serverUrl,
          tillId: config.tillId,
          storeId: config.storeId,
          token: config.token,
          scan: config.scan,
          wedge: config.wedge,
          lockAfterIdleSeconds: config.lockAfterIdleSeconds,
        }
      : null;

  // Staff pick a scanner on the settings screen: remember it in the till config.
  const persistentScanner: ScannerService = {
    ...scanner,
    selectDevice(selection) {
      const status = scanner.selectDevice(selection);
      config = { ...config, scanner: selection };
      persist().catch((e: unknown) => log(`Could not save the scanner choice: ${String(e)}`));
      return status;
    },
  };
  const handlers = createIpcHandlers({
    terminalConfig,
    scanner: persistentScanner,
    settings: {
      async setWedge(wedge) {
        config = { ...config, wedge };
        await persist();
        scanner.configure({ wedge });
        return wedge;
      },
      async setHidPosLayout({ vendorId, productId, layout }) {
        // One rule per device: the new choice replaces an earlier one for the same ids, and comes first.
        const others = config.hidPosLayouts.filter((r) => !(r.vendorId === vendorId && r.productId === productId));
        config = { ...config, hidPosLayouts: [{ vendorId, productId, layout }, ...others] };
        await persist();
        return scanner.configure({ hidPosLayouts: config.hidPosLayouts });
      },
    },
  });
  return {
    invoke: (channel, payload) => handleInvoke(handlers, channel, payload),
    subscribe(sink) {
      sinks.add(sink);
      return () => sinks.delete(sink);
    },
    config: () => config,
    async stop() {
      stopped = true;
      if (retry) clearTimeout(retry);
      offScan();
      offRejected();
      offStatus();
      await scanner.stop();
      await saving.catch(() => undefined);
    },
  };
};
