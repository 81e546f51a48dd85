/**
 * The eWallet at the till, end to end (built renderer in Chromium, the real till host and server, the test HID
 * scanner), keyboard and scanner only, under the demo store's eWallet (src-server/seed.ts DEMO_WALLET: top-ups
 * from 5.00, at most 500.00 held):
 * - Shift+F12 tops the member's wallet up as a line of the sale; amounts the program refuses are refused in the
 *   dialog with their code, and nothing is added;
 * - the top-up is paid with the goods, earns no points, and the receipt shows it and the wallet's new balance;
 * - the next sale pays from the wallet (F3 in the pay dialog), the server books the same balance, and a return of
 *   that sale gives the money back to the wallet.
 */
import { test, expect, type Page } from '@playwright/test';
import { withCheckDigit } from '../../shared/barcode';
import { demoProductEan } from '../../src-server/seed';
import { adminGet } from '../support/processes';
import type { TestScanner } from '../support/scanner-bridge';
import { startTillStack, type TillStack } from '../support/till-stack';
import { signIn } from '../support/till-page';

// Demo data: member 3; product 11 is ground coffee, 6.99.
const CARD = withCheckDigit('299000000003');
const COFFEE = demoProductEan(11);

let stack: TillStack;
let scanner: TestScanner;

test.beforeAll(async () => {
  stack = await startTillStack({ name: 'wallet' });
  scanner = stack.scanner!;
});
test.afterAll(() => stack?.stop());

async function serverWallet(): Promise<number> {
  const m = await adminGet<{ member: { state: { wallet: { balanceMinor: number } } } }>(
    stack.serverUrl,
    `/api/v1/admin/members/${CARD}`,
  );
  return m.member.state.wallet.balanceMinor;
}

async function topUpRefused(page: Page, amount: string, error: RegExp): Promise<void> {
  await page.getByTestId('top-up-amount').fill(amount);
  await page.getByTestId('top-up-amount').press('Enter');
  await expect(page.getByTestId('top-up-error')).toHaveText(error);
  await expect(page.getByTestId('top-up-dialog')).toBeVisible();
}

test('a top-up paid with the goods, a sale paid from the wallet, its return given back to the wallet', async ({
  page,
}) => {
  test.setTimeout(150_000);
  await page.goto(stack.tillUrl);
  await signIn(page);
  await expect(page.getByTestId('waiting-badge')).toHaveText('All synced', { timeout: 30_000 });
  await scanner.scan(CARD);
  await expect(page.getByTestId('member-wallet')).toHaveText('eWallet 0.00 EUR');

  // Shift+F12: the dialog says the limits; what the program refuses stays out of the sale.
  await page.keyboard.press('Shift+F12');
  await expect(page.getByTestId('top-up-amount')).toBeFocused();
  await expect(page.getByTestId('top-up-limits')).toHaveText(
    'Balance 0.00 EUR · at least 5.00 EUR · room for 500.00 EUR more',
  );
  await topUpRefused(page, '3', /at least 5\.00 EUR \(WALLET_BAD_AMOUNT\)/);
  await topUpRefused(page, '600', /room for 500\.00 EUR more \(WALLET_OVER_LIMIT\)/);
  await topUpRefused(page, 'ten', /\(MONEY_BAD_INPUT\)/);
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('top-up-dialog')).toHaveCount(0);
  await expect(page.getByTestId('top-up-line')).toHaveCount(0);

  await page.keyboard.press('Shift+F12');
  await page.getByTestId('top-up-amount').fill('20');
  await page.getByTestId('top-up-amount').press('Enter');
  await expect(page.getByTestId('top-up-dialog')).toHaveCount(0);
  await expect(page.getByTestId('top-up-line')).toContainText('20.00 EUR');
  await expect(page.getByTestId('total')).toHaveText('20.00 EUR');
  await expect(page.getByTestId('points-to-earn')).toHaveAttribute('data-points', '0');

  // With the coffee: 26.99 to pay. The wallet holds nothing yet, so it pays nothing; cash pays it all.
  await scanner.scan(COFFEE);
  await expect(page.getByTestId('total')).toHaveText('26.99 EUR');
  const coffeePoints = await page.getByTestId('points-to-earn').getAttribute('data-points');
  await page.keyboard.press('F12');
  await expect(page.getByTestId('pay-total')).toHaveText('26.99 EUR');
  await page.keyboard.press('F3');
  await expect(page.getByTestId('pay-error')).toContainText('The eWallet cannot pay that much');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('receipt')).toBeVisible();
  await expect(page.getByTestId('receipt-top-up')).toContainText('eWallet top-up');
  await expect(page.getByTestId('receipt-top-up')).toContainText('20.00 EUR');
  await expect(page.getByTestId('receipt-total')).toHaveText('26.99 EUR');
  await expect(page.getByTestId('receipt-wallet')).toHaveText('eWallet balance: 20.00 EUR');
  // The top-up is outside VAT: the receipt's VAT is the coffee's alone.
  await expect(page.getByTestId('receipt-vat-row')).toHaveCount(1);
  await expect(page.getByTestId('receipt')).toContainText(`Points earned: ${coffeePoints}`);

  // The next sale: the panel shows 20.00, and F3 pays the coffee from the wallet.
  await scanner.scan(CARD);
  await expect(page.getByTestId('member-wallet')).toHaveText('eWallet 20.00 EUR');
  await scanner.scan(COFFEE);
  await expect(page.getByTestId('total')).toHaveText('6.99 EUR');
  await page.keyboard.press('F12');
  await expect(page.getByTestId('pay-total')).toHaveText('6.99 EUR');
  await page.keyboard.press('F3');
  await expect(page.getByTestId('receipt')).toBeVisible();
  await expect(page.getByTestId('receipt-tenders')).toHaveText('Paid with eWallet 6.99 EUR');
  await expect(page.getByTestId('receipt-wallet')).toHaveText('eWallet balance: 13.01 EUR');
  const label = ((await page.getByTestId('receipt-number').textContent()) ?? '').replace(/^Receipt /, '');

  // The server books the same balance, and nothing is parked.
  await expect(page.getByTestId('waiting-badge')).toHaveText('All synced', { timeout: 30_000 });
  await expect.poll(serverWallet, { timeout: 30_000 }).toBe(1_301);
  expect(await adminGet<unknown[]>(stack.serverUrl, '/api/v1/admin/parked')).toEqual([]);

  // The coffee returned: the 6.99 goes back to the wallet it came from.
  await page.keyboard.press('F9');
  await expect(page.getByTestId('return-receipt-input')).toBeFocused();
  await page.keyboard.type(label, { delay: 60 });
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('return-qty').first()).toBeFocused();
  await page.keyboard.type('1', { delay: 60 });
  await expect(page.getByTestId('return-preview-refund')).toHaveText('6.99 EUR');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('return-tenders')).toHaveText('Refunded to eWallet 6.99 EUR');
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('return-dialog')).toHaveCount(0);
  await scanner.scan(CARD);
  await expect(page.getByTestId('member-wallet')).toHaveText('eWallet 20.00 EUR');
  await expect(page.getByTestId('waiting-badge')).toHaveText('All synced', { timeout: 30_000 });
  await expect.poll(serverWallet, { timeout: 30_000 }).toBe(2_000);
  expect(await adminGet<unknown[]>(stack.serverUrl, '/api/v1/admin/parked')).toEqual([]);
});
