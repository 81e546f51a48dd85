/**
 * A till joining a chain, end to end: the built renderer in Chromium, served
 * by the real till host, bootstrapping 20,000 members and 2,000 products
 * from a real central server (PGlite) through the member worker.
 *
 * The snapshot pages are held back part-way (the till's requests pass
 * through the browser context's router), so the test sees the bootstrap in
 * progress whatever the machine's speed:
 * - the progress bar counts members stored of the total, and the status bar
 *   never says "All synced" while members are loading;
 * - a member not loaded yet is found on the server, and the panel says so;
 *   with the server unreachable the till says the list is still loading,
 *   never "Card not found";
 * - a page closed mid-bootstrap and opened again resumes where it stopped;
 * - once every page is in: ready, "All synced", scans answer from the store,
 *   and the page records scan → panel and scan → line measures.
 */
import { test, expect, type Page, type Route } from '@playwright/test';
import { snapshotRoutes } from '../../shared/member-snapshot';
import { chainCardNumber, chainName, chainProductEan } from '../../shared/demo-chain';
import type { TestScanner } from '../support/scanner-bridge';
import { startTillStack, type TillStack } from '../support/till-stack';
import { signIn } from '../support/till-page';

const MEMBERS = 20_000;
const PRODUCTS = 2_000;
/** The demo's 20 members are there too. */
const TOTAL = MEMBERS + 20;

let stack: TillStack;
let tillUrl: string;
let scanner: TestScanner;

test.beforeAll(async () => {
  stack = await startTillStack({
    name: 'chain',
    serverEnv: { KASSA_DEMO_MEMBERS: String(MEMBERS), KASSA_DEMO_PRODUCTS: String(PRODUCTS) },
  });
  tillUrl = stack.tillUrl;
  scanner = stack.scanner!;
});

test.afterAll(() => stack?.stop());

const memberData = (page: Page) => page.getByTestId('member-data');

test('bootstraps a chain: progress, online lookups while loading, resume after a close, then ready', async ({
  context,
}) => {
  // Snapshot pages are in card order, 5,000 a page (`after` is the last card of the page before): the pages of the
  // first 10,000 members pass however often the till asks for them; the rest wait until `released`.
  const HOLD_FROM = chainCardNumber(9_000);
  const pageUrls: string[] = [];
  const held: Route[] = [];
  let released = false;
  let lookupsFail = false;
  await context.route(`**${snapshotRoutes.page}?*`, async (route) => {
    const url = route.request().url();
    pageUrls.push(url);
    const after = new URL(url).searchParams.get('after') ?? '';
    if (released || after < HOLD_FROM) return route.continue();
    held.push(route);
  });
  await context.route(`**${snapshotRoutes.lookup}?*`, (route) => (lookupsFail ? route.abort() : route.continue()));

  let page = await context.newPage();
  await page.goto(tillUrl);
  await signIn(page);
  // Two pages are in and the third held: the count shows what is stored, even while the next page is slow to come.
  await expect(memberData(page)).toHaveAttribute('data-loaded', '10000', { timeout: 60_000 });
  await expect(memberData(page)).toHaveAttribute('data-state', 'loading');
  await expect(memberData(page)).toHaveAttribute('data-total', String(TOTAL));
  // The bootstrap runs in the member worker, off the page's thread.
  await expect(memberData(page)).toHaveAttribute('data-runs-in', 'worker');
  await expect(memberData(page)).toContainText('Loading members: 10,000 of 20,020');
  await expect(page.getByTestId('waiting-badge')).toHaveText('Members still loading');

  // A member in a page not stored yet: found on the central server.
  const late = chainCardNumber(19_000);
  await scanner.scan(late);
  await expect(page.getByTestId('member-name')).toHaveText(chainName(19_000));
  await expect(page.getByTestId('message')).toContainText('Found on the central server');
  await page.getByRole('button', { name: 'Clear member' }).click();
  // And with the server out of reach: still loading, never "Card not found".
  lookupsFail = true;
  await scanner.scan(chainCardNumber(18_000));
  await expect(page.getByTestId('message')).toContainText('Member list still loading');
  await expect(page.getByTestId('member-name')).toHaveCount(0);
  lookupsFail = false;

  // Closed mid-bootstrap and opened again: it goes on from the last page it stored.
  await page.close();
  for (const route of held.splice(0)) await route.abort().catch(() => undefined);
  const before = pageUrls.length;
  released = true;
  page = await context.newPage();
  await page.goto(tillUrl);
  await signIn(page);
  await expect(memberData(page)).toHaveAttribute('data-state', 'ready', { timeout: 120_000 });
  await expect(memberData(page)).toHaveAttribute('data-loaded', String(TOTAL));
  const resumed = pageUrls.slice(before).map((u) => new URL(u).searchParams.get('after'));
  expect(resumed.length).toBeGreaterThan(0);
  expect(resumed).not.toContain('');
  await expect(page.getByTestId('waiting-badge')).toHaveText('All synced', { timeout: 30_000 });

  // Ready: members and products answer from the till, and the page measures scan → screen.
  await scanner.scan(chainCardNumber(MEMBERS - 1));
  await expect(page.getByTestId('member-name')).toHaveText(chainName(MEMBERS - 1));
  await expect(page.getByTestId('message')).toHaveCount(0);
  await scanner.scan(chainProductEan(PRODUCTS - 1));
  await expect(page.getByTestId('basket-line')).toHaveCount(1);
  const measures = await page.evaluate(() => performance.getEntriesByType('measure').map((m) => m.name));
  expect(measures).toContain('kassa:scan-to-panel');
  expect(measures).toContain('kassa:scan-to-line');
});
