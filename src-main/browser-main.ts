/**
 * Browser-mode till host process: the same till host as Electron's main
 * process, serving the built renderer to a browser on loopback.
 * Env: KASSA_TILL_PORT (7071), KASSA_TILL_DATA_DIR (./data/till),
 * KASSA_RENDERER_DIR (out/renderer), KASSA_SERVER_URL, KASSA_ENROL_CODE.
 * Any startup failure (broken config, port taken) is one clear line and exit 1.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startBrowserHost } from './host/browser-host';
import { startTillHost, type TillHost } from './host/till-host';

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

let host: TillHost;
try {
  host = await startTillHost({
    dataDir: env.KASSA_TILL_DATA_DIR ?? './data/till',
    mode: 'browser',
    env: { KASSA_SERVER_URL: env.KASSA_SERVER_URL, KASSA_ENROL_CODE: env.KASSA_ENROL_CODE },
  });
} catch (e) {
  fail(`Kassa till cannot start: ${e instanceof Error ? e.message : String(e)}`);
}
const web = await startBrowserHost(host, { rendererDir, port }).catch(async (e: unknown) => {
  await host.stop();
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
  process.exit(0);
};
process.on('SIGTERM', () => void shutdown());
process.on('SIGINT', () => void shutdown());
