/**
 * The real till in a bench: the chain seeded into the server's database,
 * the till page built, opened until its member data is ready, and timed
 * through the measures the page records (`kassa:scan-to-panel`,
 * `kassa:scan-to-line`, `kassa:sale-commit`) while the test HID scanner
 * scans. Also in-page scripts that use the till's own member store
 * (src-renderer/src/db/member-store.ts) on a page at the till's origin.
 *
 * Invariant: nothing here waits a fixed time; every wait is for a measure
 * or an attribute the page sets.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { buildServer } from '../../src-server/app';
import { openPglite, type Db } from '../../src-server/db';
import { migrate } from '../../src-server/migrate';
import { preparePhoneLookup } from '../../src-server/privacy/phone-keys';
import { seedDemo } from '../../src-server/seed';
import { seedChain } from '../../src-server/seed-chain';
import { freePort, startServer } from '../../test/support/processes';
import type { TestScanner } from '../../test/support/scanner-bridge';
import { HARNESS_LIMITS, openTestDb } from '../../test/support/server-harness';
import { bundle, repoRoot } from './bundle';
import type { UnattachedBrowser } from './chromium';
import { fmt, say } from './stats';

export const MEMBER_STORE = join(repoRoot, 'src-renderer', 'src', 'db', 'member-store.ts');

/**
 * The server's database with the demo data and a chain of `members` and `products`: PostgreSQL at
 * `databaseUrl` (its public schema reset), else PGlite in `pgliteDir`. `prepare` runs after the demo data,
 * before the chain. The database is returned open; the caller closes it.
 */
export async function openChainDatabase(options: {
  databaseUrl: string | null;
  pgliteDir: string;
  members: number;
  products: number;
  prepare?: (db: Db) => Promise<void>;
}): Promise<Db> {
  const pglite = options.databaseUrl ? null : await openPglite(options.pgliteDir);
  const db: Db = pglite ?? (await openTestDb('postgres'));
  try {
    await migrate(db);
    pglite?.markMigrated();
    await seedDemo(db);
    await options.prepare?.(db);
    const t0 = performance.now();
    await seedChain(db, { members: options.members, products: options.products, batch: 50_000 });
    say(
      `seeded ${fmt(options.members)} members and ${fmt(options.products)} products in ${fmt((performance.now() - t0) / 1000, 1)} s`,
    );
    return db;
  } catch (e) {
    await db.close();
    throw e;
  }
}

export type ChainServer = { url: string; stop: () => Promise<void> };

/**
 * The server over the seeded database (`openChainDatabase`): on PostgreSQL (`databaseUrl`) its own process, the
 * bench keeping `db` for its own writes; on PGlite, whose folder one process holds, in this process on the same `db`.
 */
export async function startChainServer(db: Db, databaseUrl: string | null): Promise<ChainServer> {
  const port = await freePort();
  if (databaseUrl) {
    const proc = await startServer({ port, databaseUrl, env: { KASSA_LOG_LEVEL: 'warn' } });
    return { url: `http://127.0.0.1:${port}`, stop: () => proc.stop() };
  }
  await preparePhoneLookup(db);
  const app = await buildServer({ db, adminToken: 'test-admin', logger: false, limits: HARNESS_LIMITS });
  await app.listen({ port, host: '127.0.0.1' });
  return { url: `http://127.0.0.1:${port}`, stop: () => app.close() };
}

/** Builds the till page (`electron-vite build`), so the bench runs the current sources. */
export function buildTillPage(): void {
  execFileSync(
    process.execPath,
    [join(repoRoot, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'],
    { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] },
  );
}

/** One browser script that calls `install` (exported by `module`) with the till's `openMemberStore`. */
export async function bundleWithMemberStore(name: string, module: string, install: string): Promise<string> {
  return bundle({
    name,
    source: [
      `import { openMemberStore } from ${JSON.stringify(MEMBER_STORE)};`,
      `import { ${install} } from ${JSON.stringify(module)};`,
      `${install}(openMemberStore);`,
    ].join('\n'),
  });
}

export type MemberData = { state: string | null; loaded: number; total: number };

export async function memberData(page: Page): Promise<MemberData | null> {
  const el = page.locator('[data-testid="member-data"]');
  if ((await el.count()) === 0) return null;
  return {
    state: await el.getAttribute('data-state'),
    loaded: Number(await el.getAttribute('data-loaded')),
    total: Number(await el.getAttribute('data-total')),
  };
}

/** Opens the till page and waits until it is scan-ready (members and products); null without the contract. */
export async function openUntilReady(
  context: BrowserContext,
  tillUrl: string,
): Promise<{ page: Page; ms: number; membersMs: number; productsMs: number } | null> {
  const page = context.pages()[0] ?? (await context.newPage());
  const t0 = performance.now();
  await page.goto(tillUrl);
  try {
    await page.waitForSelector('[data-testid="member-data"]', { state: 'attached', timeout: 60_000 });
  } catch {
    return null;
  }
  const members = page
    .locator('[data-testid="member-data"][data-state="ready"]')
    .waitFor({ state: 'attached', timeout: 0 })
    .then(() => performance.now() - t0);
  // Scan-ready: the products too (the store-data progress line is gone once the catalogue is complete).
  const products = page
    .getByTestId('bootstrap')
    .waitFor({ state: 'detached', timeout: 0 })
    .then(() => performance.now() - t0);
  const [membersMs, productsMs] = await Promise.all([members, products]);
  return { page, ms: Math.max(membersMs, productsMs), membersMs, productsMs };
}

/**
 * `openUntilReady` on a browser with no Playwright attached (`openUnattached`): the same two moments, read by
 * polling the page every 50 ms over DevTools. Null without the contract.
 */
export async function openUnattachedUntilReady(
  browser: UnattachedBrowser,
  tillUrl: string,
): Promise<{ ms: number; membersMs: number; productsMs: number } | null> {
  const t0 = performance.now();
  await browser.navigate(tillUrl);
  const probe = `(() => {
    const data = document.querySelector('[data-testid="member-data"]');
    return { data: data !== null, members: data?.getAttribute('data-state') === 'ready',
      products: data !== null && document.querySelector('[data-testid="bootstrap"]') === null };
  })()`;
  let membersMs: number | null = null;
  let productsMs: number | null = null;
  let seen = false;
  while (membersMs === null || productsMs === null) {
    const now = await browser
      .evaluate<{ data: boolean; members: boolean; products: boolean }>(probe)
      .catch(() => ({ data: false, members: false, products: false }));
    const at = performance.now() - t0;
    seen ||= now.data;
    if (!seen && at > 60_000) return null;
    if (now.members) membersMs ??= at;
    if (now.products) productsMs ??= at;
    await new Promise((r) => setTimeout(r, 50));
  }
  return { ms: Math.max(membersMs, productsMs), membersMs, productsMs };
}

/** Durations of the page's performance measures named `name`, in the order recorded. */
export async function measures(page: Page, name: string): Promise<number[]> {
  return page.evaluate(
    (n) =>
      performance
        .getEntriesByType('measure')
        .filter((e) => e.name === n)
        .map((e) => e.duration),
    name,
  );
}

/** Waits until the page has recorded more than `before` measures named `name`. */
export async function waitForMeasure(page: Page, name: string, before: number, timeoutMs = 30_000): Promise<void> {
  await page.waitForFunction(
    ([n, count]) => performance.getEntriesByType('measure').filter((e) => e.name === n).length > count,
    [name, before] as const,
    { polling: 20, timeout: timeoutMs },
  );
}

/** Scans each code and waits for the page's measure of it; returns the measured durations. */
export async function timedScans(
  page: Page,
  scanner: TestScanner,
  codes: readonly string[],
  measure: string,
): Promise<number[]> {
  for (const code of codes) {
    const before = (await measures(page, measure)).length;
    await scanner.scan(code);
    await waitForMeasure(page, measure, before);
  }
  return measures(page, measure);
}
