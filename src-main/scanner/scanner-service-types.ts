/**
 * The scanner service as the till host sees it. The implementation owns the
 * node-hid handle, the reconnect loop and device selection; the host only
 * forwards its events over the IPC contract.
 */
import type { HidDeviceInfo, ScanEvent, ScannerStatus } from '../../shared/ipc';

export type ScannerServiceEvents = {
  scan: (scan: ScanEvent) => void;
  status: (status: ScannerStatus) => void;
};

export type ScannerService = {
  start: () => void;
  stop: () => Promise<void>;
  status: () => ScannerStatus;
  listDevices: () => HidDeviceInfo[];
  selectDevice: (selection: { vendorId: number; productId: number }) => ScannerStatus;
  on: <E extends keyof ScannerServiceEvents>(event: E, listener: ScannerServiceEvents[E]) => () => void;
};
