/**
 * Browser-mode till host process: the same till host as Electron's main
 * process, serving the built renderer to a browser on loopback.
 * Env: KASSA_TILL_PORT (7071), KASSA_TILL_DATA_DIR (./data/till),
 * KASSA_RENDERER_DIR (out/renderer), KASSA_SERVER_URL, KASSA_ENROL_CODE.
 * Any startup failure (broken config, port taken) is one clear line and exit 1.
 *
 * Tests only: KASSA_TEST_SCANNER_SOCKET=<path> replaces node-hid with the test
 * scanner bridge (scanner/test-scanner-bridge.ts), a HID POS scanner fed
 * through that socket, because no HID device can exist on CI machines. Unset
 * (or empty), the host reads real USB scanners and the bridge is never loaded.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startBrowserHost } from './host/browser-host';
import { startTillHost, type TillHost } from './host/till-host';
import type { ScannerService } from './scanner/scanner-service-types';

const env = process.env;
function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

const rendererDir = resolve(env.KASSA_RENDERER_DIR ?? join(import.meta.dirname, '..', 'out', 'renderer'));
if (!existsSync(join(rendererDir, 'index.html'))) {
  fail(`The till is not built (${rendererDir}/index.html missing): run "npm run build" first`);
}
const port = Number(env.KASSA_TILL_PORT ?? 7071);
if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`KASSA_TILL_PORT is not a port: ${env.KASSA_TILL_PORT}`);

/** The test scanner bridge, when a test asked for it; otherwise the till host opens real node-hid. */
async function testScanner(): Promise<{ scanner: ScannerService; close: () => Promise<void> } | null> {
  const socketPath = env.KASSA_TEST_SCANNER_SOCKET;
  if (!socketPath) return null;
  const [{ startTestScannerBridge }, { createScannerService }] = await Promise.all([
    import('./scanner/test-scanner-bridge'),
    import('./scanner/scanner-service'),
  ]);
  const log = (line: string) => process.stdout.write(`${line}\n`);
  const bridge = await startTestScannerBridge({ socketPath, log });
  log(`Test scanner bridge on ${socketPath} (KASSA_TEST_SCANNER_SOCKET): USB scanners are not read`);
  return { scanner: createScannerService({ hid: bridge.hid }), close: bridge.close };
}

const bridge = await testScanner().catch((e: unknown) =>
  fail(`Kassa till cannot start the test scanner bridge: ${e instanceof Error ? e.message : String(e)}`),
);
let host: TillHost;
try {
  host = await startTillHost({
    dataDir: env.KASSA_TILL_DATA_DIR ?? './data/till',
    mode: 'browser',
    env: { KASSA_SERVER_URL: env.KASSA_SERVER_URL, KASSA_ENROL_CODE: env.KASSA_ENROL_CODE },
    ...(bridge ? { scanner: bridge.scanner } : {}),
  });
} catch (e) {
  await bridge?.close();
  fail(`Kassa till cannot start: ${e instanceof Error ? e.message : String(e)}`);
}
const web = await startBrowserHost(host, { rendererDir, port }).catch(async (e: unknown) => {
  await host.stop();
  await bridge?.close();
  const code = (e as NodeJS.ErrnoException).code;
  return fail(
    code === 'EADDRINUSE'
      ? `Port ${port} is in use (another till running?): set KASSA_TILL_PORT to a free port`
      : `Kassa till cannot listen on 127.0.0.1:${port}: ${String(e)}`,
  );
});
process.stdout.write(`Kassa till (browser mode — no Electron binary found): open ${web.url}\n`);

const shutdown = async () => {
  await web.close();
  await host.stop();
  await bridge?.close();
  process.exit(0);
};
process.on('SIGTERM', () => void shutdown());
process.on('SIGINT', () => void shutdown());
