/**
 * The member's history and a return without a receipt (a service card), end to end (built renderer in Chromium,
 * the real till host and server, the test HID scanner), keyboard and scanner only: after a sale, F10 shows the
 * purchase and its points in words, from the server; offline, the kept copy is shown with this till's sales on
 * top, and the purchase is picked with the arrow keys and returned with Enter (the demo program takes returns from
 * the history); back online, the return reaches the server once.
 */
import { test, expect, type Page } from '@playwright/test';
import { withCheckDigit } from '../../shared/barcode';
import { adminGet } from '../support/processes';
import type { TestScanner } from '../support/scanner-bridge';
import { startTillStack, type TillStack } from '../support/till-stack';
import { signIn } from '../support/till-page';

// Demo data (src-server/seed.ts): member 2 is Bram Jansen; products 1 and 11 are milk and ground coffee.
const BRAM = withCheckDigit('299000000002');
const MILK = withCheckDigit('871000000001');
const COFFEE = withCheckDigit('871000000011');

let stack: TillStack;
let scanner: TestScanner;

test.beforeAll(async () => {
  stack = await startTillStack({ name: 'history' });
  scanner = stack.scanner!;
});

test.afterAll(async () => {
  await stack?.stop();
});

async function bram(page: Page): Promise<void> {
  await scanner.scan(BRAM);
  await expect(page.getByTestId('member-name')).toHaveText('Bram Jansen');
}

test('history from the server, kept for offline, and a purchase returned from it without a receipt', async ({
  page,
}) => {
  test.setTimeout(180_000);
  await page.goto(stack.tillUrl);
  await signIn(page);
  await expect(page.getByTestId('waiting-badge')).toHaveText('All synced', { timeout: 30_000 });

  // A sale to Bram: coffee and milk, cash.
  await bram(page);
  await scanner.scan(COFFEE);
  await scanner.scan(MILK);
  await expect(page.getByTestId('basket-line')).toHaveCount(2);
  await page.keyboard.press('F12');
  await expect(page.getByTestId('pay-amount')).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('receipt')).toBeVisible();
  await expect(page.getByTestId('waiting-badge')).toHaveText('All synced', { timeout: 30_000 });

  // Online: the server's history, the sale first, its points in words.
  await bram(page);
  await page.keyboard.press('F10');
  await expect(page.getByTestId('history-source')).toHaveAttribute('data-source', 'server');
  const newest = page.getByTestId('history-sale').first();
  await expect(newest).toContainText('till-1-000001');
  await expect(newest).toContainText('Ground coffee');
  await expect(page.getByTestId('history-entry').first()).toHaveAttribute('data-reason', 'earn');
  await expect(page.getByTestId('history-entry').first()).toContainText('Earned on a purchase');
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('history-dialog')).toHaveCount(0);

  // Offline: the kept copy; the purchase picked (the newest is picked first) and returned with Enter.
  await stack.stopServer();
  await expect(page.getByTestId('online-badge')).toHaveText('Offline', { timeout: 30_000 });
  await page.keyboard.press('F10');
  await expect(page.getByTestId('history-source')).toHaveAttribute('data-source', 'cache');
  await expect(page.getByTestId('history-source')).toContainText('offline');
  await expect(newest).toHaveAttribute('aria-current', 'true');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('history-dialog')).toHaveCount(0);
  await expect(page.getByTestId('return-dialog')).toBeVisible();
  await expect(page.getByTestId('return-sale')).toContainText('till-1-000001');
  await expect(page.getByTestId('return-qty').first()).toBeFocused();
  await page.keyboard.type('1', { delay: 120 });
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('return-tenders')).toHaveText(/^Refunded to Cash /);
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('return-dialog')).toHaveCount(0);

  // The return is in the history at once (this till's own document), marked as one.
  await page.keyboard.press('F10');
  await expect(page.getByTestId('history-sale').first()).toContainText('(return)');
  await expect(page.getByTestId('history-entry').first()).toHaveAttribute('data-reason', 'refundEarn');
  await page.keyboard.press('Escape');

  // Back online: the return reaches the server once.
  await stack.restartServer();
  await expect(page.getByTestId('waiting-badge')).toHaveText('All synced', { timeout: 60_000 });
  const sales = await adminGet<Array<{ total_minor: string | number }>>(
    stack.serverUrl,
    '/api/v1/admin/sales?tillId=till-1',
  );
  expect(sales.filter((s) => Number(s.total_minor) < 0)).toHaveLength(1);
});
