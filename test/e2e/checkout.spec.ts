/**
 * Checkout at the till, end to end (built renderer in Chromium, the real till
 * host, a real central server process on PGlite):
 * - the central server listens on another address than the till's page
 *   (127.0.0.2, as a server on another machine would be): the page's
 *   Content-Security-Policy lets the till reach it, and it comes online;
 * - after a payment (and after "New sale") no member is attached: the next
 *   customer earns for nobody;
 * - while the pay dialog is open a scan is refused with a message and the
 *   amount due does not change; Esc goes back to the basket; Tab stays in
 *   the dialog;
 * - cash with the amount handed over gives change; a split payment (card,
 *   then cash) commits once the tenders cover the total, and the receipt
 *   lists them;
 * - a product code typed by hand in the lookup field goes in the basket (a
 *   damaged barcode), and products are found by name; one sold by weight
 *   asks for the weight;
 * - at 1024×768 with 20 lines the page does not scroll (the basket does),
 *   the status bar and Pay stay in view, every control is at least 44 px,
 *   and F3, F4 and F12 reach the member field, the product search and Pay;
 * - a till whose database was wiped goes on from the last receipt number the
 *   server holds (not from 1).
 */
import { test, expect, type Page } from '@playwright/test';
import { withCheckDigit } from '../../shared/barcode';
import type { TestScanner } from '../support/scanner-bridge';
import { startTillStack, type TillStack } from '../support/till-stack';
import { signIn } from '../support/till-page';

// Demo data (src-server/seed.ts): member 2 is Bram Jansen; products 1 and 11 are milk and ground coffee.
const CARD = withCheckDigit('299000000002');
const MILK = withCheckDigit('871000000001');
const COFFEE = withCheckDigit('871000000011');

let stack: TillStack;
let tillUrl: string;
let scanner: TestScanner;

test.beforeAll(async () => {
  // The server is not at the page's own address: the CSP must allow the configured server, whatever its host.
  stack = await startTillStack({ name: 'checkout', serverHost: '127.0.0.2' });
  tillUrl = stack.tillUrl;
  scanner = stack.scanner!;
});

test.afterAll(() => stack?.stop());

/** Minor units of a "12.34 EUR" the page shows. */
async function minorOf(page: Page, testId: string): Promise<number> {
  const text = (await page.getByTestId(testId).textContent()) ?? '';
  const m = /(\d+)\.(\d{2})/.exec(text);
  if (!m) throw new Error(`no amount in ${testId}: ${text}`);
  return Number(m[1]) * 100 + Number(m[2]);
}

function euros(minor: number): string {
  return `${Math.floor(minor / 100)}.${String(minor % 100).padStart(2, '0')} EUR`;
}

/** Types at a person's pace (a burst at machine speed is the keyboard wedge's). */
async function typeSlowly(page: Page, text: string): Promise<void> {
  await page.keyboard.type(text, { delay: 120 });
}

test('checkout: server on another address, fresh customer after paying, a locked basket while paying, change and split tenders', async ({
  page,
}) => {
  test.setTimeout(120_000);
  // The system print dialog cannot open headless: count the page's calls to it instead.
  await page.addInitScript('window.__prints = 0; window.print = () => { window.__prints += 1; };');
  await page.goto(tillUrl);
  await signIn(page);
  // The server is at 127.0.0.2: reachable under the page's CSP.
  await expect(page.getByTestId('online-badge')).toHaveText('Online', { timeout: 30_000 });
  await expect(page.getByTestId('waiting-badge')).toHaveText('All synced', { timeout: 30_000 });

  // A member's sale, paid: the next customer has no member.
  await scanner.scan(CARD);
  await expect(page.getByTestId('member-name')).toHaveText('Bram Jansen');
  await scanner.scan(COFFEE);
  await expect(page.getByTestId('basket-line')).toHaveCount(1);
  await expect(page.getByTestId('basket-line').first()).toHaveAttribute('aria-current', 'true');
  const total = await minorOf(page, 'total');
  await page.getByTestId('pay').click();
  const dialog = page.getByTestId('pay-dialog');
  await expect(dialog).toBeVisible();
  await expect(page.getByTestId('pay-amount')).toBeFocused();

  // A scan while paying: refused, said so, the amount due unchanged.
  await scanner.scan(MILK);
  await expect(page.getByTestId('pay-error')).toContainText('finish or cancel the payment first');
  await expect(page.getByTestId('pay-due')).toHaveText(euros(total));
  // Tab stays in the dialog, however often it is pressed.
  for (let i = 0; i < 8; i++) {
    await page.keyboard.press('Tab');
    await expect(dialog.locator(':focus')).toHaveCount(1);
  }
  // Esc: back to the basket, which the refused scan did not change.
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  await expect(page.getByTestId('basket-line')).toHaveCount(1);
  await expect(page.getByTestId('total')).toHaveText(euros(total));

  // Cash with 50.00 handed over: committed at once, change on the receipt.
  await page.getByTestId('pay').click();
  await expect(page.getByTestId('pay-amount')).toBeFocused();
  await typeSlowly(page, '50');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('receipt-change')).toHaveText(`Change: ${euros(5000 - total)}`);
  // The receipt: its number on this till, the store, the till and the cashier.
  await expect(page.getByTestId('receipt-number')).toHaveText('Receipt till-1-000001');
  await expect(page.getByTestId('receipt-header')).toContainText(
    'Kassa Market Centrum · Till till-1 · Cashier Sam Cashier',
  );
  // VAT per rate (food at 9 % in the demo store, prices include VAT), and the barcode a return scans.
  const vatRows = page.getByTestId('receipt-vat-row');
  await expect(vatRows).toHaveCount(1);
  await expect(vatRows.first()).toHaveAttribute('data-rate-bp', '900');
  expect(Number(await vatRows.first().getAttribute('data-vat-minor'))).toBe(Math.round((total * 900) / 10_900));
  const barcode = page.getByTestId('receipt-barcode');
  expect(await barcode.getAttribute('data-code')).toMatch(/^KR[0-9A-HJKMNP-TV-Z]{26}$/);
  expect(await barcode.locator('svg rect').count()).toBeGreaterThan(20);
  // Printed through the system dialog; on paper only the receipt shows, without its buttons.
  await page.getByTestId('print-receipt').click();
  expect(await page.evaluate<number>('window.__prints')).toBe(1);
  await page.emulateMedia({ media: 'print' });
  await expect(page.getByTestId('receipt-total')).toBeVisible();
  await expect(page.getByTestId('receipt-barcode')).toBeVisible();
  await expect(page.getByTestId('status-bar')).toBeHidden();
  await expect(page.getByTestId('print-receipt')).toBeHidden();
  await page.emulateMedia({ media: 'screen' });
  await expect(page.getByTestId('receipt-tenders')).toContainText(`Cash ${euros(total)} (handed over 50.00 EUR)`);
  // No member attached any more: the next customer earns for nobody.
  await expect(page.getByTestId('member-name')).toHaveCount(0);
  await expect(page.getByTestId('lookup-input')).toBeVisible();

  // The next customer, no card: a split payment, 1.00 on card (F2), the rest in exact cash (Enter).
  await scanner.scan(COFFEE);
  await scanner.scan(MILK);
  await expect(page.getByTestId('basket-line')).toHaveCount(2);
  await expect(page.getByTestId('points-to-earn')).toHaveCount(0);
  const second = await minorOf(page, 'total');
  await page.getByTestId('pay').click();
  await expect(page.getByTestId('pay-amount')).toBeFocused();
  await typeSlowly(page, '1');
  await page.keyboard.press('F2');
  await expect(page.getByTestId('tender')).toHaveCount(1);
  await expect(page.getByTestId('pay-paid')).toHaveText('1.00 EUR');
  await expect(page.getByTestId('pay-due')).toHaveText(euros(second - 100));
  // A card over what is due is refused, and changes nothing.
  await typeSlowly(page, '999');
  await page.keyboard.press('F2');
  await expect(page.getByTestId('pay-error')).toContainText('A card pays no more than is due');
  await expect(page.getByTestId('tender')).toHaveCount(1);
  await page.getByTestId('pay-amount').fill('');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('receipt')).toBeVisible();
  await expect(page.getByTestId('receipt-tenders')).toHaveText(`Paid with Card 1.00 EUR, Cash ${euros(second - 100)}`);
  await expect(page.getByTestId('receipt-change')).toHaveCount(0);
  await expect(page.getByTestId('receipt-number')).toHaveText('Receipt till-1-000002');

  // "New sale" after a receipt: still no member, an empty basket.
  await page.getByRole('button', { name: 'New sale' }).click();
  await expect(page.getByTestId('member-name')).toHaveCount(0);
  await expect(page.getByTestId('basket-line')).toHaveCount(0);
  // The last receipt, shown again and reprinted.
  await page.getByTestId('reprint-receipt').click();
  await expect(page.getByTestId('receipt-number')).toHaveText('Receipt till-1-000002');
  await page.getByTestId('print-receipt').click();
  expect(await page.evaluate<number>('window.__prints')).toBe(2);
  await page.getByRole('button', { name: 'New sale' }).click();
  // Both sales reach the server.
  await expect(page.getByTestId('waiting-badge')).toHaveText('All synced', { timeout: 30_000 });

  // Receipt numbers go on counting after a restart.
  await page.reload();
  await signIn(page);
  await scanner.scan(MILK);
  await expect(page.getByTestId('basket-line')).toHaveCount(1);
  await page.keyboard.press('F12');
  await expect(page.getByTestId('pay-amount')).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('receipt-number')).toHaveText('Receipt till-1-000003');
});

test('a damaged barcode: the code typed by hand, or the product found by name (by weight: the weight typed)', async ({
  page,
}) => {
  await page.goto(tillUrl);
  await signIn(page);
  await expect(page.getByTestId('waiting-badge')).toHaveText('All synced', { timeout: 30_000 });

  // The code typed into the member field: a product, not "Card not found".
  await page.getByTestId('lookup-input').focus();
  await typeSlowly(page, COFFEE);
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('basket-line')).toHaveCount(1);
  await expect(page.getByTestId('basket-line').first()).toContainText('Ground coffee');
  await expect(page.getByTestId('message')).toHaveCount(0);

  // By name: the list follows the typing; Enter takes the first.
  await page.getByTestId('product-search').focus();
  await typeSlowly(page, 'semi milk');
  await expect(page.getByTestId('product-result')).toHaveCount(1);
  await expect(page.getByTestId('product-result').first()).toContainText('Semi-skimmed milk');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('basket-line')).toHaveCount(2);
  await expect(page.getByTestId('product-search')).toHaveValue('');

  // Sold by weight: picked from the list, then its weight.
  await page.getByTestId('product-search').focus();
  await typeSlowly(page, 'banan');
  await page.getByTestId('product-result').first().click();
  await page.getByTestId('product-weight-input').focus();
  await typeSlowly(page, 'abc');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('alert').filter({ hasText: 'Type the weight in kg' })).toBeVisible();
  await page.getByTestId('product-weight-input').fill('');
  await typeSlowly(page, '1.25');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('basket-line')).toHaveCount(3);
  await expect(page.getByTestId('basket-line').nth(2)).toContainText('1.250 kg');
  await expect(page.getByTestId('basket-line').nth(2)).toContainText('2.49 EUR');

  // Nothing by that name: said so, nothing added.
  await page.getByTestId('product-search').focus();
  await typeSlowly(page, 'zzz');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('product-search-error')).toHaveText('No product matches “zzz”');
  await expect(page.getByTestId('basket-line')).toHaveCount(3);
});

/** Controls on screen smaller than a finger (44 × 44 px). */
async function smallTargets(page: Page): Promise<string[]> {
  const small: string[] = [];
  for (const el of await page.locator('button:visible, input:visible, select:visible').all()) {
    const box = await el.boundingBox();
    if (box && (box.height < 44 || box.width < 44))
      small.push(`${(await el.getAttribute('aria-label')) ?? (await el.textContent())} ${box.width}×${box.height}`);
  }
  return small;
}

test('a till screen at 1024×768: 20 lines and no page scroll, Pay in view, 44 px targets, keyboard shortcuts', async ({
  page,
}) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 1024, height: 768 });
  await page.goto(tillUrl);
  await expect(page.getByTestId('sign-in')).toBeVisible({ timeout: 30_000 });
  expect(await smallTargets(page)).toEqual([]);
  await signIn(page);
  await expect(page.getByTestId('waiting-badge')).toHaveText('All synced', { timeout: 30_000 });
  await scanner.scan(CARD);
  await expect(page.getByTestId('member-name')).toHaveText('Bram Jansen');
  for (let n = 1; n <= 20; n++) {
    await scanner.scan(withCheckDigit(`8710000000${String(n).padStart(2, '0')}`));
    await expect(page.getByTestId('basket-line')).toHaveCount(n);
  }
  // The page itself does not scroll; the basket does.
  // (Expressions as text: these tests compile without the DOM's types.)
  const pageScroll = await page.evaluate<number>('document.documentElement.scrollHeight');
  expect(pageScroll).toBeLessThanOrEqual(768);
  const basket = await page.evaluate<{ scroll: number; height: number }>(
    "(() => { const b = document.querySelector('[data-testid=basket]'); return { scroll: b.scrollHeight, height: b.clientHeight }; })()",
  );
  expect(basket.scroll).toBeGreaterThan(basket.height);
  // The status bar, Pay and the line just scanned are on screen, whole.
  await expect(page.getByTestId('basket-line').nth(19)).toHaveAttribute('aria-current', 'true');
  for (const id of ['status-bar', 'pay', 'total']) {
    const box = (await page.getByTestId(id).boundingBox())!;
    expect(box.y, id).toBeGreaterThanOrEqual(0);
    expect(box.y + box.height, id).toBeLessThanOrEqual(768);
  }
  await expect(page.locator('[data-testid="basket-line"][aria-current="true"]')).toBeInViewport({ ratio: 1 });
  expect(await smallTargets(page)).toEqual([]);
  await page.screenshot({ path: test.info().outputPath('till-1024x768.png') });

  // Keyboard: F3 the member field (after clearing the member), F4 the product search, F12 pay, Esc back.
  await page.getByTestId('product-search').focus();
  await page.keyboard.press('F12');
  await expect(page.getByTestId('pay-dialog')).toBeVisible();
  expect(await smallTargets(page)).toEqual([]);
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('pay-dialog')).toHaveCount(0);
  await page.getByRole('button', { name: 'Clear member' }).click();
  await page.keyboard.press('F4');
  await expect(page.getByTestId('product-search')).toBeFocused();
  await page.keyboard.press('F3');
  await expect(page.getByTestId('lookup-input')).toBeFocused();
});

test('a till whose database was wiped goes on numbering receipts from the server’s last one', async ({ browser }) => {
  const first = await browser.newContext();
  const page = await first.newPage();
  await page.goto(tillUrl);
  await signIn(page);
  await expect(page.getByTestId('waiting-badge')).toHaveText('All synced', { timeout: 30_000 });
  await scanner.scan(MILK);
  await expect(page.getByTestId('basket-line')).toHaveCount(1);
  await page.getByTestId('pay').click();
  await page.keyboard.press('Enter');
  const last = Number(await page.getByTestId('receipt-number').getAttribute('data-receipt-no'));
  expect(last).toBeGreaterThan(0);
  // The sale reaches the server; then the till's browser profile is gone (a new context has no IndexedDB).
  await expect(page.getByTestId('waiting-badge')).toHaveText('All synced', { timeout: 30_000 });
  await first.close();

  const wiped = await browser.newContext();
  const again = await wiped.newPage();
  await again.goto(tillUrl);
  await signIn(again);
  await expect(again.getByTestId('waiting-badge')).toHaveText('All synced', { timeout: 60_000 });
  await scanner.scan(MILK);
  await expect(again.getByTestId('basket-line')).toHaveCount(1);
  await again.getByTestId('pay').click();
  await again.keyboard.press('Enter');
  await expect(again.getByTestId('receipt-number')).toHaveAttribute('data-receipt-no', String(last + 1));
  await wiped.close();
});
