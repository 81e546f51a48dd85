/**
 * Browser-mode till host process: the same till host as Electron's main
 * process, serving the built renderer to a browser on loopback.
 * Env: KASSA_TILL_PORT (7071), KASSA_TILL_DATA_DIR (./data/till),
 * KASSA_RENDERER_DIR (out/renderer), KASSA_SERVER_URL, KASSA_ENROL_CODE.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startBrowserHost } from './host/browser-host';
import { startTillHost } from './host/till-host';

const env = process.env;
const rendererDir = resolve(env.KASSA_RENDERER_DIR ?? join(import.meta.dirname, '..', 'out', 'renderer'));
if (!existsSync(join(rendererDir, 'index.html'))) {
  process.stderr.write(`The till is not built (${rendererDir}/index.html missing): run "npm run build" first\n`);
  process.exit(1);
}

const host = await startTillHost({
  dataDir: env.KASSA_TILL_DATA_DIR ?? './data/till',
  mode: 'browser',
  env: { KASSA_SERVER_URL: env.KASSA_SERVER_URL, KASSA_ENROL_CODE: env.KASSA_ENROL_CODE },
});
const web = await startBrowserHost(host, { rendererDir, port: Number(env.KASSA_TILL_PORT ?? 7071) });
process.stdout.write(`Kassa till (browser mode — no Electron binary found): open ${web.url}\n`);

const shutdown = async () => {
  await web.close();
  await host.stop();
  process.exit(0);
};
process.on('SIGTERM', () => void shutdown());
process.on('SIGINT', () => void shutdown());
