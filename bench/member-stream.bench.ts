/**
 * Steady state: a day's member changes for a chain stream to a till while
 * it sells. MEMBERS members (default 100,000) are seeded, the real till
 * (server, till host, built till page, test HID scanner) bootstraps them
 * and signs in; then, in the same run:
 *
 *   idle    SALES sales (default 40): scan a member card, scan a product,
 *           Pay cash, until the basket is empty. The baseline.
 *   stream  CHANGES member changes (default 50,000) written on the server
 *           by this process, BATCH a transaction (default 1,000: new names,
 *           `stampSeq` in the same transaction, as the server's own writers
 *           do), as fast as the database takes them, while the till makes
 *           another SALES sales. The till hears of them on its live stream
 *           and its worker pulls them by checkpoint. The phase ends when the
 *           till holds every change, or at ABSORB_LIMIT_S (default 150 s:
 *           no new sale starts after it, and the changes absorbed are
 *           counted from the till's checkpoint).
 *
 * Printed: sale commit (`kassa:sale-commit`, Pay → sale and entries
 * committed) and scan → member panel (`kassa:scan-to-panel`) median and p99
 * in both phases and their ratio stream ÷ idle; main-thread long tasks in
 * each phase; how fast the server took the changes and how fast the till
 * absorbed them (stream start → the till's member store holds the last
 * change, read through the till's own store on a page at its origin); peak
 * renderer RSS in each phase. Nothing is asserted on times.
 *   npm run bench member-stream   (MEMBERS=…, CHANGES=…, SALES=…, BATCH=…, PRODUCTS=…, ABSORB_LIMIT_S=…;
 *                                 TEST_DATABASE_URL=… for PostgreSQL, else PGlite in this process)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import type { Db } from '../src-server/db';
import { safeSeq, stampSeq } from '../src-server/seq';
import { chainCardNumber, chainMemberId, chainProductEan } from '../shared/demo-chain';
import { freePort, startTillHost, type Proc } from '../test/support/processes';
import { plugTestScanner, type TestScanner } from '../test/support/scanner-bridge';
import { signIn } from '../test/support/till-page';
import { repoRoot, routeBenchPage } from './support/bundle';
import { longTasks, newProfileDir, openProfile, sampleRss, type LongTasks, type RssPeak } from './support/chromium';
import type { KassaMemberWatch } from './support/page-types';
import { fmt, percentile, ratio, say } from './support/stats';
import {
  buildTillPage,
  bundleWithMemberStore,
  measures,
  openChainDatabase,
  openUntilReady,
  startChainServer,
  waitForMeasure,
  type ChainServer,
} from './support/till';

const MEMBERS = Number(process.env.MEMBERS ?? 100_000);
const PRODUCTS = Number(process.env.PRODUCTS ?? 5_000);
const CHANGES = Number(process.env.CHANGES ?? 50_000);
const SALES = Number(process.env.SALES ?? 40);
const BATCH = Number(process.env.BATCH ?? 1_000);
const databaseUrl = process.env.TEST_DATABASE_URL ?? null;
/** Changed members whose names are checked in the till's store once it reports the last seq. */
const CHECKED = 20;
/** How long one step of a sale may take before the run gives up: a stalled till is what this bench looks for, so it is waited out. */
const STEP_LIMIT_MS = 300_000;
/** How long the stream phase waits for the till to hold every change (ABSORB_LIMIT_S); after it, no new sale starts. */
const ABSORB_LIMIT_MS = Number(process.env.ABSORB_LIMIT_S ?? 150) * 1000;

type Phase = {
  commit: number[];
  panel: number[];
  tasks: LongTasks;
  rss: RssPeak;
  ms: number;
  /** Sales finished before `work` did. */
  overlapped: number;
};

type Stream = {
  /** Stream start → the last batch committed on the server. */
  writeMs: number;
  /** Stream start → the till's store at the last change's seq with the checked names. */
  absorbMs: number;
  finalSeq: number;
  /** Changes the till holds at the end: every one, or (at the limit) its checkpoint's distance from the stream's first seq. */
  absorbed: number;
  complete: boolean;
  lastWatch: KassaMemberWatch;
};

/** The member changed by the k-th change: an odd multiplier spreads changes over the whole chain, every member once per round. */
function changedIndex(k: number): number {
  return (k * 104_729 + 11) % MEMBERS;
}

function changedName(k: number): string {
  return `Streamed change ${k}`;
}

/** Writes the changes BATCH a transaction, as fast as the database takes them; returns the last seq drawn. */
async function writeChanges(db: Db): Promise<number> {
  for (let from = 0; from < CHANGES; from += BATCH) {
    const ks = Array.from({ length: Math.min(BATCH, CHANGES - from) }, (_, j) => from + j);
    const ids = ks.map((k) => chainMemberId(changedIndex(k)));
    await db.tx(async (q) => {
      await q(
        `UPDATE members AS m SET name = u.name
           FROM unnest($1::text[], $2::text[]) AS u(id, name) WHERE m.id = u.id`,
        [ids, ks.map(changedName)],
      );
      await stampSeq(q, 'members', ids);
    });
  }
  return db.tx((q) => safeSeq(q, 'members'));
}

async function watch(page: Page, ids: readonly string[]): Promise<KassaMemberWatch> {
  return page.evaluate(
    (i) =>
      (
        globalThis as unknown as { benchKassaMemberWatch: (ids: string[]) => Promise<KassaMemberWatch> }
      ).benchKassaMemberWatch(i),
    [...ids],
  );
}

/**
 * Polls the till's store until it is at `seq` and holds the last changes' names (the last `CHECKED`), or
 * until `deadline` (a performance.now() time); says which.
 */
async function untilAbsorbed(
  page: Page,
  seq: number,
  deadline: number,
): Promise<{ watch: KassaMemberWatch; complete: boolean }> {
  const ks = Array.from({ length: Math.min(CHECKED, CHANGES) }, (_, j) => CHANGES - 1 - j);
  const ids = ks.map((k) => chainMemberId(changedIndex(k)));
  for (;;) {
    const w = await watch(page, ids);
    if (w.checkpoint >= seq && w.names.every((n, j) => n === changedName(ks[j]!))) return { watch: w, complete: true };
    if (performance.now() >= deadline) return { watch: w, complete: false };
    await page.waitForTimeout(100);
  }
}

/** One sale at the till: member card, one product, Pay cash; resolves when the basket is empty again. */
async function sell(page: Page, scanner: TestScanner, n: number): Promise<void> {
  // Cards the stream also changes, spread over the chain: each sale looks up a different member.
  const panels = (await measures(page, 'kassa:scan-to-panel')).length;
  await scanner.scan(chainCardNumber((n * 7_919 + 3) % MEMBERS));
  await waitForMeasure(page, 'kassa:scan-to-panel', panels, STEP_LIMIT_MS);
  const lines = (await measures(page, 'kassa:scan-to-line')).length;
  await scanner.scan(chainProductEan((n * 613 + 5) % PRODUCTS));
  await waitForMeasure(page, 'kassa:scan-to-line', lines, STEP_LIMIT_MS);
  const commits = (await measures(page, 'kassa:sale-commit')).length;
  await page.locator('[data-testid="pay"]').click({ timeout: STEP_LIMIT_MS });
  await page.locator('[data-testid="pay-cash"]').click({ timeout: STEP_LIMIT_MS });
  await waitForMeasure(page, 'kassa:sale-commit', commits, STEP_LIMIT_MS);
  await page.locator('[data-testid="basket-line"]').first().waitFor({ state: 'detached', timeout: STEP_LIMIT_MS });
}

/** Runs `work` alongside SALES sales numbered from `first`; what the page measured over both. */
async function phase(
  page: Page,
  scanner: TestScanner,
  profile: string,
  first: number,
  work: () => Promise<void>,
  stopped: () => boolean,
): Promise<Phase> {
  const commits = (await measures(page, 'kassa:sale-commit')).length;
  const panels = (await measures(page, 'kassa:scan-to-panel')).length;
  const tasksFrom = (await longTasks(page)).count;
  const rss = sampleRss(profile);
  const t0 = performance.now();
  const ends: number[] = [];
  const sales = (async () => {
    for (let n = first; n < first + SALES && !stopped(); n++) {
      await sell(page, scanner, n);
      ends.push(performance.now());
    }
  })();
  let workEnd = 0;
  await Promise.all([sales, work().then(() => (workEnd = performance.now()))]);
  const ms = performance.now() - t0;
  return {
    commit: (await measures(page, 'kassa:sale-commit')).slice(commits),
    panel: (await measures(page, 'kassa:scan-to-panel')).slice(panels),
    tasks: await longTasks(page, tasksFrom),
    rss: rss.stop(),
    ms,
    overlapped: ends.filter((t) => t <= workEnd).length,
  };
}

function row(label: string, idle: readonly number[], stream: readonly number[], p: number): string {
  const a = percentile(idle, p);
  const b = percentile(stream, p);
  return `  ${label.padEnd(28)}${fmt(a, 1).padStart(10)}${fmt(b, 1).padStart(10)}${ratio(b, a).padStart(10)}`;
}

function report(idle: Phase, during: Phase, stream: Stream, members: number): void {
  say('');
  say(`  ${''.padEnd(28)}${'idle'.padStart(10)}${'stream'.padStart(10)}${'÷ idle'.padStart(10)}`);
  say(row('sale commit p50 ms', idle.commit, during.commit, 50));
  say(row('sale commit p99 ms', idle.commit, during.commit, 99));
  say(row('scan → member panel p50 ms', idle.panel, during.panel, 50));
  say(row('scan → member panel p99 ms', idle.panel, during.panel, 99));
  const cell = (v: number, digits = 0) => fmt(v, digits).padStart(10);
  say(`  ${'long tasks'.padEnd(28)}${cell(idle.tasks.count)}${cell(during.tasks.count)}`);
  say(`  ${'long tasks total ms'.padEnd(28)}${cell(idle.tasks.totalMs)}${cell(during.tasks.totalMs)}`);
  say(`  ${'longest task ms'.padEnd(28)}${cell(idle.tasks.maxMs)}${cell(during.tasks.maxMs)}`);
  say(`  ${'long tasks > 100 ms'.padEnd(28)}${cell(idle.tasks.over100)}${cell(during.tasks.over100)}`);
  say(
    `  ${'peak renderer RSS MB'.padEnd(28)}${cell(idle.rss.rendererMb)}${cell(during.rss.rendererMb)}${ratio(during.rss.rendererMb, idle.rss.rendererMb).padStart(10)}`,
  );
  say(`  ${'sales'.padEnd(28)}${cell(idle.commit.length)}${cell(during.commit.length)}`);
  say('');
  const written = (CHANGES / stream.writeMs) * 1000;
  const absorbed = (stream.absorbed / stream.absorbMs) * 1000;
  say(`  server took the changes      : ${fmt(written)} changes/s (${fmt(stream.writeMs / 1000, 1)} s)`);
  say(
    stream.complete
      ? `  till absorbed them           : ${fmt(absorbed)} changes/s (${fmt(stream.absorbMs / 1000, 1)} s from stream start to the last change in the till's store)`
      : `  till absorbed them           : ${fmt(absorbed)} changes/s (about ${fmt(stream.absorbed)} of ${fmt(CHANGES)} by its checkpoint when the ${fmt(ABSORB_LIMIT_MS / 1000)} s limit ran out)`,
  );
  say(`  absorbed ÷ written           : ${ratio(absorbed, written)}`);
  say(
    `  till behind the server       : ${stream.complete ? '' : 'still, '}${fmt((stream.absorbMs - stream.writeMs) / 1000, 1)} s after the last batch committed`,
  );
  say(
    `  till store at the end        : checkpoint ${fmt(stream.lastWatch.checkpoint)} (server ${fmt(stream.finalSeq)}), ${fmt(stream.lastWatch.count)} members (snapshot ${fmt(members)})`,
  );
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'kassa-bench-stream-'));
  say(
    `member stream: ${fmt(MEMBERS)} members, ${fmt(CHANGES)} changes ${fmt(BATCH)} a transaction, ${SALES} sales a phase, server on ${databaseUrl ? 'PostgreSQL' : 'PGlite (in this process)'}`,
  );
  const db = await openChainDatabase({
    databaseUrl,
    pgliteDir: join(dir, 'server'),
    members: MEMBERS,
    products: PRODUCTS,
  });
  let server: ChainServer | null = null;
  let host: Proc | null = null;
  let scanner: TestScanner | null = null;
  let context: BrowserContext | null = null;
  const profile = await newProfileDir('stream');
  try {
    server = await startChainServer(db, databaseUrl);
    buildTillPage();
    const watchScript = await bundleWithMemberStore(
      'kassa-member-watch-entry',
      join(repoRoot, 'bench', 'browser', 'kassa-member-watch.ts'),
      'installKassaMemberWatch',
    );
    const scannerSocket = join(dir, 'scanner.sock');
    const tillPort = await freePort();
    host = await startTillHost({
      port: tillPort,
      dataDir: join(dir, 'till'),
      serverUrl: server.url,
      env: { KASSA_TEST_SCANNER_SOCKET: scannerSocket },
    });
    const tillUrl = `http://127.0.0.1:${tillPort}`;
    context = await openProfile(profile);
    const t0 = performance.now();
    const opened = await openUntilReady(context, tillUrl);
    if (!opened) throw new Error('the till page has no [data-testid="member-data"]');
    const { page } = opened;
    const members = Number(await page.locator('[data-testid="member-data"]').getAttribute('data-total'));
    say(`till ready with ${fmt(members)} members in ${fmt((performance.now() - t0) / 1000, 1)} s`);
    await signIn(page);
    scanner = await plugTestScanner(scannerSocket);
    await routeBenchPage(context, tillUrl, watchScript, 'Kassa member watch');
    const watchPage = await context.newPage();
    await watchPage.goto(`${tillUrl}/__bench/bench.html`);
    await watch(watchPage, []);
    // The new tab hid the till's: a hidden page gets no animation frames, and every click waited for them.
    await page.bringToFront();
    // One sale before measuring: the first one compiles and caches what every later one uses.
    await sell(page, scanner, SALES * 2);

    const idle = await phase(
      page,
      scanner,
      profile,
      0,
      () => Promise.resolve(),
      () => false,
    );
    say(`idle: ${idle.commit.length} sales in ${fmt(idle.ms / 1000, 1)} s`);

    let stream: Stream | null = null;
    const during = await phase(
      page,
      scanner,
      profile,
      SALES,
      async () => {
        const firstSeq = await db.tx((q) => safeSeq(q, 'members'));
        const s0 = performance.now();
        const finalSeq = await writeChanges(db);
        const writeMs = performance.now() - s0;
        const end = await untilAbsorbed(watchPage, finalSeq, s0 + ABSORB_LIMIT_MS);
        const absorbed = end.complete ? CHANGES : Math.max(0, Math.min(CHANGES, end.watch.checkpoint - firstSeq));
        stream = {
          writeMs,
          absorbMs: performance.now() - s0,
          finalSeq,
          lastWatch: end.watch,
          absorbed,
          complete: end.complete,
        };
      },
      () => stream !== null,
    );
    say(
      `stream: ${during.commit.length} sales in ${fmt(during.ms / 1000, 1)} s, ${during.overlapped} of them before the till held every change or the limit ran out`,
    );
    report(idle, during, stream!, members);
  } finally {
    await scanner?.unplug();
    // Closed before its folder is removed: a running browser keeps writing into it.
    await context?.close().catch(() => undefined);
    await host?.stop();
    await server?.stop();
    await db.close();
    await rm(profile, { recursive: true, force: true });
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
