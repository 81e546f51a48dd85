/**
 * The scanner service as the till host sees it. The implementation owns the
 * node-hid handle, the reconnect loop and device selection; the host only
 * forwards its events over the IPC contract.
 */
import type {
  HidDeviceInfo,
  HidPosLayout,
  ScanEvent,
  ScannerStatus,
  ScanRejected,
  WedgeConfig,
} from '../../shared/ipc';

export type ScannerServiceEvents = {
  scan: (scan: ScanEvent) => void;
  /** A keyboard-mode burst that was not read cleanly: the page shows what was read. */
  rejected: (rejected: ScanRejected) => void;
  status: (status: ScannerStatus) => void;
};

/** The HID POS report layout for a device: by vendor id, or vendor and product id. */
export type HidPosLayoutRule = { vendorId: number; productId?: number; layout: HidPosLayout };

/** Settings that change how reports are read: applying them reopens the scanner with fresh decoders. */
export type ScannerSettings = { wedge?: WedgeConfig; hidPosLayouts?: HidPosLayoutRule[] };

export type ScannerService = {
  start: () => void;
  stop: () => Promise<void>;
  status: () => ScannerStatus;
  listDevices: () => HidDeviceInfo[];
  selectDevice: (selection: { vendorId: number; productId: number }) => ScannerStatus;
  configure: (settings: ScannerSettings) => ScannerStatus;
  on: <E extends keyof ScannerServiceEvents>(event: E, listener: ScannerServiceEvents[E]) => () => void;
};
