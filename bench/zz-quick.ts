import { chromium } from 'playwright-core';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startServer, startTillHost } from '../test/support/processes';

const MEMBERS = Number(process.env.MEMBERS ?? 100000);
const PRODUCTS = Number(process.env.PRODUCTS ?? 50000);
async function main() {
  const dir = await mkdtemp(join(tmpdir(), 'kassa-qb-'));
  const port = await freePort();
  const t0 = Date.now();
  const server = await startServer({ port, ...(process.env.PGURL ? { databaseUrl: process.env.PGURL } : { dataDir: join(dir, 'server') }), env: { KASSA_DEMO_MEMBERS: String(MEMBERS), KASSA_DEMO_PRODUCTS: String(PRODUCTS), KASSA_LOG_LEVEL: 'warn' } });
  console.log('server up + seeded', Date.now() - t0, 'ms');
  const tillPort = await freePort();
  const host = await startTillHost({ port: tillPort, dataDir: join(dir, 'till'), serverUrl: `http://127.0.0.1:${port}` });
  const ctx = await chromium.launchPersistentContext(join(dir, 'profile'), { executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  await ctx.addInitScript(() => {
    (window as any).__long = [];
    new PerformanceObserver((l) => { for (const e of l.getEntries()) (window as any).__long.push([Math.round(e.startTime), Math.round(e.duration)]); }).observe({ type: 'longtask', buffered: true });
  });
  const page = await ctx.newPage();
  const cdp = await ctx.newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 1000 });
  await cdp.send('Profiler.start');
  const t1 = Date.now();
  await page.goto(`http://127.0.0.1:${tillPort}`);
  await page.waitForSelector('[data-testid="member-data"][data-state="ready"]', { timeout: 900_000 });
  const ms = Date.now() - t1;
  const { profile } = (await cdp.send('Profiler.stop')) as any;
  const self = new Map<string, number>();
  const byId = new Map<number, any>(profile.nodes.map((n: any) => [n.id, n]));
  const dt = profile.timeDeltas as number[];
  profile.samples.forEach((id: number, i: number) => {
    const n = byId.get(id); const f = n.callFrame; const k = `${f.functionName || '(anon)'} ${f.url.split('/').pop()}:${f.lineNumber}`;
    self.set(k, (self.get(k) ?? 0) + (dt[i] ?? 0) / 1000);
  });
  console.log([...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 25).map(([k, v]) => `${v.toFixed(0)}ms ${k}`).join('\n'));
  const products = await page.waitForSelector('[data-testid="bootstrap"]', { state: 'detached', timeout: 900_000 }).then(() => Date.now() - t1);
  const longs = await page.evaluate(() => (window as any).__long as Array<[number, number]>);
  console.log(JSON.stringify(longs.filter(([, d]) => d > 80)));
  const long = longs.map(([, d]) => d);
  console.log(`members ready ${ms} ms (${Math.round((MEMBERS + 20) / (ms / 1000))}/s), products ready ${products} ms; long tasks ${long.length}, max ${Math.max(0, ...long).toFixed(0)} ms, >100ms: ${long.filter((d) => d > 100).length}, total ${long.reduce((a, b) => a + b, 0).toFixed(0)}`);
  await ctx.close();
  await host.stop();
  await server.stop();
}
void main();
