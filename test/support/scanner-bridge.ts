/**
 * The test's end of the till host's test scanner bridge
 * (src-main/scanner/test-scanner-bridge.ts, on when the host runs with
 * KASSA_TEST_SCANNER_SOCKET). Connecting plugs the bridge's HID POS scanner
 * in; `scan` sends a code as the HID POS reports a real scanner sends, which
 * the host decodes and hands the page as one IPC `scan` event; closing the
 * connection unplugs it.
 *
 * Invariant: `plugTestScanner` resolves only once the host's scanner service
 * has opened the device, so no report sent afterwards can be lost to a
 * device nobody reads yet. Nothing here waits a fixed time.
 */
import { connect } from 'node:net';
import { DEVICE_CLOSED, DEVICE_OPENED, encodeFrame } from '../../src-main/scanner/test-scanner-bridge';
import { scannerReports } from './fake-hid-device';

export type TestScanner = {
  /** One code, as a HID POS scanner sends it (AIM id from the code's shape unless given). */
  scan: (code: string, aim?: string) => Promise<void>;
  /** Raw input reports (report id first), e.g. garbage a broken scanner sends. */
  sendReports: (reports: Uint8Array[]) => Promise<void>;
  /** Pull the cable out. */
  unplug: () => Promise<void>;
};

export async function plugTestScanner(socketPath: string, timeoutMs = 30_000): Promise<TestScanner> {
  const socket = connect(socketPath);
  // What the host last said about the device, byte by byte in order.
  let opened = false;
  let onOpened: (() => void) | null = null;
  socket.on('data', (chunk: Buffer) => {
    for (const byte of chunk) {
      if (byte === DEVICE_OPENED) opened = true;
      if (byte === DEVICE_CLOSED) opened = false;
    }
    if (opened) onOpened?.();
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the till host did not open the test scanner on ${socketPath} within ${timeoutMs} ms`));
    }, timeoutMs);
    const settle = (e?: Error) => {
      clearTimeout(timer);
      onOpened = null;
      socket.off('error', settle);
      socket.off('close', closed);
      if (e) reject(e);
      else resolve();
    };
    const closed = () => settle(new Error(`the test scanner bridge on ${socketPath} closed the connection`));
    onOpened = () => settle();
    socket.once('error', settle);
    socket.once('close', closed);
  });
  socket.on('error', () => undefined);

  const sendReports = (reports: Uint8Array[]) =>
    new Promise<void>((resolve, reject) => {
      if (!opened) return reject(new Error('the till host has not opened the test scanner'));
      if (socket.destroyed) return reject(new Error('the test scanner is unplugged'));
      // One write: the host receives the code's reports back to back, like a scanner's USB transfers.
      socket.write(Buffer.concat(reports.map(encodeFrame)), (e) => (e ? reject(e) : resolve()));
    });

  return {
    scan: (code, aim) => sendReports(scannerReports(code, aim)),
    sendReports,
    unplug: () =>
      new Promise<void>((resolve) => {
        if (socket.destroyed) return resolve();
        socket.once('close', () => resolve());
        socket.end();
      }),
  };
}
