/**
 * The till screen at a store's size: MEMBERS members (default 10,000) and
 * PRODUCTS products (default 5,000) local. The real till (server, till host,
 * built till page in Chromium, test HID scanner) bootstraps them and signs
 * in (`signIn` of the e2e tests); after one warm-up sale, in the same run
 * and on the same page:
 *
 *   panel     SCANS different member cards (default 200) scanned through the
 *             HID scanner, each waited for: `kassa:scan-to-panel` (scan
 *             received by the page → the member's panel rendered). Baseline:
 *             the same cards read with raw IndexedDB from the till's member
 *             database, one transaction each: the store has no index by card
 *             (member-store.ts keeps members in blocks keyed by their first
 *             card), so its floor is the one reverse cursor step on `rows` to
 *             the covering block and a search of the block's sorted cards.
 *   line      SCANS different products scanned into the basket, BASKET a
 *             basket (default 20; each basket then paid cash, so it never
 *             grows past that): `kassa:scan-to-line` (scan → the line
 *             rendered). Baseline: the same EANs read with a raw IndexedDB
 *             index get (`products` by `ean`) from the till's catalogue.
 *   checkout  SALES pairs of sales (default 10), alternating so the machine's
 *             load falls on both alike: a member card, then 1 product, Pay,
 *             Cash (the baseline); a member card, then LINES different
 *             products (default 50), Pay, Cash. `kassa:sale-commit` (Pay's
 *             last tender → the sale and its ledger entries committed).
 *   enrol     ENROLS members enrolled (default 20), each between two 1-line
 *             sales: F6, a name, Enter, a new card from the till's range.
 *             `kassa:enrol-commit` (the member and its sign-up bonus in one
 *             bulk write to the journal, then the card marked as given).
 *             Baseline: the 1-line sales' commits around them.
 *
 * The baselines run after the scans on the same cards and codes, so they
 * read blocks the scans already brought into the cache: a floor, not a
 * cold read. Printed: median and p99 of each, and the ratio to its
 * baseline; also scan → line by the line's place in the 50-line baskets.
 * Nothing is asserted on times.
 *   npm run bench till-screen   (MEMBERS=…, PRODUCTS=…, SCANS=…, BASKET=…, SALES=…, LINES=…, ENROLS=…;
 *                               TEST_DATABASE_URL=… for PostgreSQL, else PGlite in this process)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { chainCardNumber, chainProductEan } from '../shared/demo-chain';
import { freePort, startTillHost, type Proc } from '../test/support/processes';
import { plugTestScanner, type TestScanner } from '../test/support/scanner-bridge';
import { signIn } from '../test/support/till-page';
import { lookupCards } from './browser/lookups';
import { bundle, repoRoot } from './support/bundle';
import { newProfileDir, openProfile } from './support/chromium';
import type { LookupTimes, RawLookupResult } from './support/page-types';
import { fmt, percentile, ratio, say } from './support/stats';
import {
  buildTillPage,
  measures,
  openChainDatabase,
  openUntilReady,
  startChainServer,
  timedScans,
  waitForMeasure,
  type ChainServer,
} from './support/till';

const MEMBERS = Number(process.env.MEMBERS ?? 10_000);
const PRODUCTS = Number(process.env.PRODUCTS ?? 5_000);
const SCANS = Number(process.env.SCANS ?? 200);
const BASKET = Number(process.env.BASKET ?? 20);
const SALES = Number(process.env.SALES ?? 10);
const LINES = Number(process.env.LINES ?? 50);
const ENROLS = Number(process.env.ENROLS ?? 20);
const databaseUrl = process.env.TEST_DATABASE_URL ?? null;
/** How long one step of a sale may take before the run gives up. */
const STEP_LIMIT_MS = 60_000;

/** Product k of a run: a stride co-prime with the chain's sizes, so neighbours in a run are far apart. */
function productEan(k: number): string {
  return chainProductEan((k * 613 + 5) % PRODUCTS);
}

/** The k-th sale's member: clear of the panel phase's cards (`lookupCards` starts at 13). */
function saleCard(k: number): string {
  return chainCardNumber((k * 4_999 + 101) % MEMBERS);
}

/** The in-page raw reads (bench/browser/raw-lookups.ts), installed on the till page before it opens. */
async function rawLookups(page: Page, kind: 'Member' | 'Product', keys: readonly string[]): Promise<RawLookupResult> {
  return page.evaluate(
    ({ fn, k }) => (globalThis as unknown as Record<string, (keys: string[]) => Promise<RawLookupResult>>)[fn]!(k),
    { fn: `benchRaw${kind}Lookups`, k: [...keys] },
  );
}

/** Pay, Cash; resolves once the sale is committed and the basket is empty again. */
async function payCash(page: Page): Promise<void> {
  const commits = (await measures(page, 'kassa:sale-commit')).length;
  await page.locator('[data-testid="pay"]').click({ timeout: STEP_LIMIT_MS });
  await page.locator('[data-testid="pay-cash"]').click({ timeout: STEP_LIMIT_MS });
  await waitForMeasure(page, 'kassa:sale-commit', commits, STEP_LIMIT_MS);
  await page.locator('[data-testid="basket-line"]').first().waitFor({ state: 'detached', timeout: STEP_LIMIT_MS });
}

/** One sale: a member card, `eans` scanned in turn, Pay, Cash. Returns its commit and its scans → line. */
async function sell(page: Page, scanner: TestScanner, card: string, eans: readonly string[]) {
  const panels = (await measures(page, 'kassa:scan-to-panel')).length;
  await scanner.scan(card);
  await waitForMeasure(page, 'kassa:scan-to-panel', panels, STEP_LIMIT_MS);
  const lines = (await measures(page, 'kassa:scan-to-line')).length;
  const line = (await timedScans(page, scanner, eans, 'kassa:scan-to-line')).slice(lines);
  const commits = (await measures(page, 'kassa:sale-commit')).length;
  await payCash(page);
  return { commit: (await measures(page, 'kassa:sale-commit'))[commits]!, line };
}

/** One enrolment from the keyboard: F6, a name, Enter, a new card from the till's range. Returns its commit. */
async function enrol(page: Page, name: string): Promise<number> {
  const commits = (await measures(page, 'kassa:enrol-commit')).length;
  await page.keyboard.press('F6');
  await page.locator('[data-testid="enrol-name"]').waitFor({ timeout: STEP_LIMIT_MS });
  await page.keyboard.insertText(name);
  await page.keyboard.press('Enter');
  await waitForMeasure(page, 'kassa:enrol-commit', commits, STEP_LIMIT_MS);
  await page.locator('[data-testid="enrol-dialog"]').waitFor({ state: 'detached', timeout: STEP_LIMIT_MS });
  return (await measures(page, 'kassa:enrol-commit'))[commits]!;
}

/** A sample as the in-page reads report theirs. */
function summary(values: readonly number[]): LookupTimes {
  return { count: values.length, medianMs: percentile(values, 50), p99Ms: percentile(values, 99), missing: 0 };
}

function row(label: string, t: LookupTimes): string {
  return `  ${label.padEnd(52)}${fmt(t.count).padStart(6)}${fmt(t.medianMs, 1).padStart(10)}${fmt(t.p99Ms, 1).padStart(10)}`;
}

function ratioRow(label: string, t: LookupTimes, baseline: LookupTimes): string {
  return `  ${label.padEnd(52)}${''.padStart(6)}${ratio(t.medianMs, baseline.medianMs).padStart(10)}${ratio(t.p99Ms, baseline.p99Ms).padStart(10)}`;
}

function report(rows: ReadonlyArray<[string, LookupTimes, string, LookupTimes, string]>): void {
  say('');
  say(`  ${''.padEnd(52)}${'n'.padStart(6)}${'p50 ms'.padStart(10)}${'p99 ms'.padStart(10)}`);
  for (const [label, t, baseLabel, baseline, ratioLabel] of rows) {
    say(row(label, t));
    say(row(`  baseline: ${baseLabel}`, baseline));
    say(ratioRow(`  ${ratioLabel}`, t, baseline));
  }
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'kassa-bench-screen-'));
  say(
    `till screen: ${fmt(MEMBERS)} members, ${fmt(PRODUCTS)} products, ${SCANS} scans a kind, ${SALES} sales of 1 and of ${LINES} lines, server on ${databaseUrl ? 'PostgreSQL' : 'PGlite (in this process)'}`,
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
  const profile = await newProfileDir('screen');
  try {
    server = await startChainServer(db, databaseUrl);
    buildTillPage();
    const scannerSocket = join(dir, 'scanner.sock');
    const tillPort = await freePort();
    host = await startTillHost({
      port: tillPort,
      dataDir: join(dir, 'till'),
      serverUrl: server.url,
      env: { KASSA_TEST_SCANNER_SOCKET: scannerSocket },
    });
    const rawScript = await bundle({ path: join(repoRoot, 'bench', 'browser', 'raw-lookups.ts') });
    context = await openProfile(profile);
    await context.addInitScript({ content: rawScript });
    const opened = await openUntilReady(context, `http://127.0.0.1:${tillPort}`);
    if (!opened) throw new Error('the till page has no [data-testid="member-data"]');
    const { page } = opened;
    const members = Number(await page.locator('[data-testid="member-data"]').getAttribute('data-total'));
    say(`till ready with ${fmt(members)} members in ${fmt(opened.ms / 1000, 1)} s`);
    await signIn(page);
    scanner = await plugTestScanner(scannerSocket);
    // One sale before measuring: the first one compiles and caches what every later one uses.
    await sell(page, scanner, saleCard(2 * SALES), [productEan(SCANS + 2 * SALES * LINES)]);

    const cards = lookupCards(MEMBERS, SCANS);
    const panelFrom = (await measures(page, 'kassa:scan-to-panel')).length;
    const panel = (await timedScans(page, scanner, cards, 'kassa:scan-to-panel')).slice(panelFrom);
    const rawMembers = await rawLookups(page, 'Member', cards);

    const eans = Array.from({ length: SCANS }, (_, k) => productEan(k));
    const line: number[] = [];
    for (let from = 0; from < SCANS; from += BASKET) {
      const before = (await measures(page, 'kassa:scan-to-line')).length;
      line.push(
        ...(await timedScans(page, scanner, eans.slice(from, from + BASKET), 'kassa:scan-to-line')).slice(before),
      );
      await payCash(page);
    }
    const rawProducts = await rawLookups(page, 'Product', eans);

    const one: number[] = [];
    const full: number[] = [];
    const byPlace: number[][] = [];
    for (let s = 0; s < SALES; s++) {
      one.push((await sell(page, scanner, saleCard(2 * s), [productEan(SCANS + s)])).commit);
      const basket = Array.from({ length: LINES }, (_, j) => productEan(SCANS + SALES + s * LINES + j));
      const sale = await sell(page, scanner, saleCard(2 * s + 1), basket);
      full.push(sale.commit);
      sale.line.forEach((ms, j) => (byPlace[j] ??= []).push(ms));
    }
    const enrolled: number[] = [];
    const around: number[] = [];
    for (let e = 0; e < ENROLS; e++) {
      around.push((await sell(page, scanner, saleCard(2 * SALES + 1 + e), [productEan(SCANS + e)])).commit);
      enrolled.push(await enrol(page, `Bench Enrolment ${e}`));
    }
    around.push((await sell(page, scanner, saleCard(2 * SALES + 1 + ENROLS), [productEan(SCANS)])).commit);
    const firstTen = byPlace.slice(0, 10).flat();
    const lastTen = byPlace.slice(-10).flat();

    report([
      [
        'scan → member panel (HID scan → panel rendered)',
        summary(panel),
        'raw IndexedDB covering row block by card',
        rawMembers.lookups,
        'panel ÷ baseline',
      ],
      [
        `scan → basket line (baskets of up to ${BASKET})`,
        summary(line),
        'raw IndexedDB products.ean index get',
        rawProducts.lookups,
        'line ÷ baseline',
      ],
      [
        `sale commit, ${LINES} lines, member, cash`,
        summary(full),
        'sale commit, 1 line, member, cash',
        summary(one),
        `${LINES} lines ÷ 1 line`,
      ],
      [
        'enrolment commit (member, card, sign-up bonus)',
        summary(enrolled),
        'sale commit, 1 line, member, cash, around them',
        summary(around),
        'enrolment ÷ 1-line sale',
      ],
      [
        `scan → line, lines ${LINES - 9}–${LINES} of the ${LINES}-line baskets`,
        summary(lastTen),
        'lines 1–10 of the same baskets',
        summary(firstTen),
        `lines ${LINES - 9}–${LINES} ÷ lines 1–10`,
      ],
    ]);
    say('');
    say(`  raw reads on ${rawMembers.database} and ${rawProducts.database}`);
    if (rawMembers.lookups.missing + rawProducts.lookups.missing > 0)
      say(
        `  note: the raw reads missed ${rawMembers.lookups.missing} cards and ${rawProducts.lookups.missing} products`,
      );
  } catch (e) {
    // What the till showed when a step gave up: the reason is usually on the screen.
    const shot = join(tmpdir(), 'kassa-till-screen-bench-failure.png');
    const at = context?.pages()[0];
    if (at)
      say(`page at the failure: ${at.url()}, ${(await measures(at, 'kassa:scan-to-panel')).length} panel measures`);
    await context
      ?.pages()[0]
      ?.screenshot({ path: shot, fullPage: true })
      .then(
        () => say(`screen at the failure: ${shot}`),
        () => undefined,
      );
    throw e;
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
