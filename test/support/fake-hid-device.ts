/**
 * node-hid devices for tests and benchmarks (no USB or virtual HID device can
 * exist on the build machines). `FakeHidDevice` is one opened device: it
 * implements node-hid's `HID` class, so the compiler checks it against the
 * real API; it emits the exact reports a scanner sends and fails the way
 * node-hid does when the device is unplugged. `scannerReports` builds the HID
 * POS reports a scanner sends for one code, for this stand-in and for the
 * till host's test scanner bridge (test/support/scanner-bridge.ts) alike.
 */
import type { Device } from 'node-hid';
import { HidDeviceStandIn } from '../../src-main/scanner/test-scanner-bridge';
import { encodeHidPosReports } from '../../shared/scanner/hid-pos';

/** The AIM symbology identifier a scanner puts before a code of this shape (EAN/UPC by length, else Code 128). */
export function aimFor(code: string): string {
  if (/^\d{8}$/.test(code)) return ']E4';
  if (/^\d{12,13}$/.test(code)) return ']E0';
  return ']C0';
}

/**
 * The reports a HID POS scanner sends for one code (usage page 0x8C, report
 * id 2: byte count, AIM id, data, continued flag), several for a long code.
 */
export function scannerReports(code: string, aim = aimFor(code)): Uint8Array[] {
  return encodeHidPosReports(aim, code);
}

/**
 * One opened node-hid device. The class itself lives beside the till host's
 * test scanner bridge, which feeds the same stand-in to the real host.
 */
export class FakeHidDevice extends HidDeviceStandIn {
  constructor(info: Device) {
    super(info);
  }
  /** The reports for one code, back to back, as the scanner sends them. */
  sendCode(code: string, aim = aimFor(code)): void {
    for (const report of scannerReports(code, aim)) this.send(report);
  }
}
