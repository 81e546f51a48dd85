/**
 * Where the till host finds an opened HID device's report descriptor.
 * node-hid 3.4 does not expose hidapi's `hid_get_report_descriptor`; on
 * Linux the kernel publishes every hidraw device's descriptor in sysfs
 * (readable without the udev rule the device node itself needs). Anywhere
 * else, or when the file cannot be read, the answer is null and the decoder
 * falls back to the boot keyboard layout.
 */
import { readFileSync } from 'node:fs';

export function readReportDescriptor(devicePath: string): Uint8Array | null {
  const hidraw = /^\/dev\/(hidraw\d+)$/.exec(devicePath);
  if (!hidraw) return null;
  try {
    return new Uint8Array(readFileSync(`/sys/class/hidraw/${hidraw[1]}/device/report_descriptor`));
  } catch {
    return null;
  }
}
