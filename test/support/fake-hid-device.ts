/**
 * A stand-in for one opened node-hid device, for tests and benchmarks (no USB
 * or virtual HID device can exist on the build machines). It implements
 * node-hid's `HID` class, so the compiler checks it against the real API; it
 * emits the exact reports a scanner sends and fails the way node-hid does
 * when the device is unplugged.
 */
import { EventEmitter } from 'node:events';
import type { Device, HID } from 'node-hid';

export class FakeHidDevice extends EventEmitter implements HID {
  closed = false;
  constructor(private readonly info: Device) {
    super();
  }
  close(): void {
    this.closed = true;
  }
  pause(): void {}
  resume(): void {}
  read(): void {
    throw new Error('the scanner service reads by events only');
  }
  readSync(): number[] {
    throw new Error('the scanner service reads by events only');
  }
  readTimeout(): number[] {
    throw new Error('the scanner service reads by events only');
  }
  sendFeatureReport(): number {
    return 0;
  }
  getFeatureReport(): number[] {
    return [];
  }
  write(): number {
    return 0;
  }
  setNonBlocking(): void {}
  getDeviceInfo(): Device {
    return this.info;
  }
  /** One input report, as node-hid delivers it (report id first). */
  send(report: Uint8Array): void {
    this.emit('data', Buffer.from(report));
  }
  /** What node-hid does when the device is pulled out: a read error. */
  unplug(): void {
    this.emit('error', new Error('could not read from HID device'));
  }
}
