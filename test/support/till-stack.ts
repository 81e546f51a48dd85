/**
 * The stack an end-to-end test of the till runs against: a central server
 * process (PGlite in a data folder of its own, demo data), the browser-mode
 * till host enrolled with it, and (unless asked not to) the test HID scanner
 * plugged into the host. `stop` takes it all down and removes the folder.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startServer, startTillHost, type Proc } from './processes';
import { plugTestScanner, type TestScanner } from './scanner-bridge';

export type TillStack = {
  dir: string;
  server: Proc;
  host: Proc;
  serverUrl: string;
  tillUrl: string;
  /** The test HID scanner; null when started with `scanner: false`. */
  scanner: TestScanner | null;
  /** Takes the central server down (SIGTERM), as an outage does: the till host and the page keep running. */
  stopServer: () => Promise<void>;
  /** Starts the central server again, on the same port and the same data. */
  restartServer: () => Promise<void>;
  stop: () => Promise<void>;
};

export async function startTillStack(opts: {
  name: string;
  /** The address the server listens on (default 127.0.0.1, the till page's own). */
  serverHost?: string;
  serverEnv?: Record<string, string>;
  scanner?: boolean;
  /** Settings written to the till's config.json before its host starts (e.g. `lockAfterIdleSeconds`). */
  tillConfig?: Record<string, unknown>;
}): Promise<TillStack> {
  const dir = await mkdtemp(join(tmpdir(), `kassa-e2e-${opts.name}-`));
  const serverHost = opts.serverHost ?? '127.0.0.1';
  const serverPort = await freePort();
  const serverUrl = `http://${serverHost}:${serverPort}`;
  function serve(): Promise<Proc> {
    return startServer({
      port: serverPort,
      dataDir: join(dir, 'server'),
      env: { ...(serverHost === '127.0.0.1' ? {} : { HOST: serverHost }), ...opts.serverEnv },
    });
  }
  const server = await serve();
  let running: Proc | null = server;
  const tillPort = await freePort();
  const socket = join(dir, 'scanner.sock');
  if (opts.tillConfig) {
    await mkdir(join(dir, 'till'), { recursive: true });
    await writeFile(join(dir, 'till', 'config.json'), JSON.stringify(opts.tillConfig));
  }
  const host = await startTillHost({
    port: tillPort,
    dataDir: join(dir, 'till'),
    serverUrl,
    env: opts.scanner === false ? {} : { KASSA_TEST_SCANNER_SOCKET: socket },
  });
  const scanner = opts.scanner === false ? null : await plugTestScanner(socket);
  return {
    dir,
    server,
    host,
    serverUrl,
    tillUrl: `http://127.0.0.1:${tillPort}`,
    scanner,
    async stopServer() {
      await running?.stop('SIGTERM');
      running = null;
    },
    async restartServer() {
      await running?.stop('SIGTERM');
      running = await serve();
    },
    async stop() {
      await scanner?.unplug();
      await host.stop();
      await running?.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
