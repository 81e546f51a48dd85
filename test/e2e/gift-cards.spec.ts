/**
 * Gift cards at the till, end to end (built renderer in Chromium, the real till host and server, the test HID
 * scanner), keyboard and scanner only, under the demo store's gift cards (src-server/seed.ts DEMO_GIFT_CARDS: 5.00
 * to 300.00 on a card; demo card 0 sold with 50.00 on it):
 * - F5 opens the gift card dialog; a mistyped number is refused with its code and nothing is added;
 * - "New card" draws a number; amounts the program refuses are refused with their codes; 25.00 put on it is a
 *   line of a sale with no member and no goods, which another gift card may not pay (it pays for goods only), paid
 *   in cash; the receipt prints the card's number and what it holds;
 * - the next sale is paid from that card (F5 in the pay dialog, the card scanned), the receipt says what is left,
 *   and the balance check (F5, the card scanned) shows the same;
 * - demo card 0 pays part of a sale, cash the rest;
 * - the server books the same balances, nothing parked; a return of the sale paid from the new card gives the money
 *   back to that card, on the till at once and on the server once synced.
 */
import { test, expect, type Page } from '@playwright/test';
import { demoGiftCardNumber, demoProductEan } from '../../src-server/seed';
import { adminGet } from '../support/processes';
import type { TestScanner } from '../support/scanner-bridge';
import { startTillStack, type TillStack } from '../support/till-stack';
import { signIn } from '../support/till-page';

// Demo data: the program is examples/supermarket.json's; product 11 is ground coffee, 6.99; gift card 0 holds 50.00.
const PROGRAM = 'supermarket';
const COFFEE = demoProductEan(11);
const DEMO_CARD = demoGiftCardNumber(0);

/** The number with one character of its body changed: its check character no longer agrees. */
function mistyped(number: string): string {
  const i = number.length - 3;
  return `${number.slice(0, i)}${number[i] === '7' ? '8' : '7'}${number.slice(i + 1)}`;
}

let stack: TillStack;
let scanner: TestScanner;

test.beforeAll(async () => {
  stack = await startTillStack({ name: 'gift-cards' });
  scanner = stack.scanner!;
});
test.afterAll(() => stack?.stop());

async function serverBalance(number: string): Promise<number | null> {
  try {
    const r = await adminGet<{ card: { balanceMinor: number } }>(
      stack.serverUrl,
      `/api/v1/admin/programs/${PROGRAM}/gift-cards/${number}`,
    );
    return r.card.balanceMinor;
  } catch {
    return null;
  }
}

/** A person typing (the keyboard wedge takes machine-speed bursts for a scanner). */
async function type(page: Page, text: string): Promise<void> {
  await page.keyboard.type(text, { delay: 60 });
}

test('a gift card sold, paid with, checked and refunded to; a demo card paying part of a sale', async ({ page }) => {
  test.setTimeout(170_000);
  await page.goto(stack.tillUrl);
  await signIn(page);
  await expect(page.getByTestId('waiting-badge')).toHaveText('All synced', { timeout: 30_000 });

  // F5: a mistyped number is refused with its code; nothing goes on the sale.
  await page.keyboard.press('F5');
  await expect(page.getByTestId('gift-card-number-input')).toBeFocused();
  await type(page, mistyped(DEMO_CARD));
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('gift-card-error')).toContainText('(GIFT_CARD_BAD_NUMBER)');
  await expect(page.getByTestId('gift-card-info')).toHaveCount(0);

  // "New card" (Tab to it): a number nobody holds, with its check character; 25.00 on it.
  await expect(page.getByTestId('gift-card-number-input')).toBeFocused();
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  await expect(page.getByTestId('gift-card-new')).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('gift-card-valid-until')).toHaveText('Not sold yet: a new card');
  await expect(page.getByTestId('gift-card-balance')).toHaveText('Balance 0.00 EUR');
  const card = (await page.getByTestId('gift-card-number').textContent()) ?? '';
  expect(card).toMatch(/^GIFT-[0-9A-HJKMNP-TV-Z]{8}$/);
  await expect(page.getByTestId('gift-card-amount')).toBeFocused();
  await expect(page.getByTestId('gift-card-limits')).toHaveText('At least 5.00 EUR · room for 300.00 EUR more');
  await page.screenshot({ path: test.info().outputPath('gift-card-dialog.png') });
  await type(page, '3');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('gift-card-error')).toContainText('at least 5.00 EUR (GIFT_CARD_BAD_AMOUNT)');
  await page.getByTestId('gift-card-amount').fill('');
  await type(page, '301');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('gift-card-error')).toContainText('300.00 EUR more (GIFT_CARD_OVER_LIMIT)');
  await page.getByTestId('gift-card-amount').fill('');
  await type(page, 'ten');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('gift-card-error')).toContainText('(MONEY_BAD_INPUT)');
  await expect(page.getByTestId('gift-card-line')).toHaveCount(0);
  await page.getByTestId('gift-card-amount').fill('');
  await type(page, '25');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('gift-card-dialog')).toHaveCount(0);
  await expect(page.getByTestId('gift-card-line')).toContainText(`Gift card ${card}`);
  await expect(page.getByTestId('gift-card-line')).toContainText('25.00 EUR');
  await expect(page.getByTestId('total')).toHaveText('25.00 EUR');
  await expect(page.getByTestId('member-name')).toHaveCount(0);
  await page.screenshot({ path: test.info().outputPath('sale-gift-card.png') });

  // A gift card pays for goods, not for another gift card: refused with its code. Paid in cash instead: the receipt
  // prints the card sold in full, and what it holds.
  await page.keyboard.press('F12');
  await expect(page.getByTestId('pay-total')).toHaveText('25.00 EUR');
  await page.keyboard.press('F5');
  await expect(page.getByTestId('pay-gift-card-input')).toBeFocused();
  await scanner.scan(DEMO_CARD);
  await expect(page.getByTestId('pay-error')).toContainText('(GIFT_CARD_BAD_AMOUNT)');
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('pay-amount')).toBeFocused();
  await expect(page.getByTestId('tender')).toHaveCount(0);
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('receipt')).toBeVisible();
  await expect(page.getByTestId('receipt-gift-card')).toContainText(`Gift card ${card}`);
  await expect(page.getByTestId('receipt-total')).toHaveText('25.00 EUR');
  await expect(page.getByTestId('receipt-gift-card-balance')).toContainText(
    `Gift card …${card.slice(-4)}: 25.00 EUR left, valid until`,
  );
  // A gift card is outside VAT.
  await expect(page.getByTestId('receipt-vat-row')).toHaveCount(0);

  // The coffee paid from the new card: F5 in the pay dialog, the card scanned; it offers what is due.
  await scanner.scan(COFFEE);
  await expect(page.getByTestId('total')).toHaveText('6.99 EUR');
  await page.keyboard.press('F12');
  await expect(page.getByTestId('pay-amount')).toBeFocused();
  await page.keyboard.press('F5');
  await expect(page.getByTestId('pay-gift-card-input')).toBeFocused();
  await scanner.scan(card);
  await expect(page.getByTestId('pay-gift-card-may')).toHaveText('May pay 25.00 EUR now (balance 25.00 EUR)');
  await expect(page.getByTestId('pay-gift-card-amount')).toHaveValue('6.99');
  await page.screenshot({ path: test.info().outputPath('pay-gift-card.png') });
  await expect(page.getByTestId('pay-gift-card-amount')).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('receipt')).toBeVisible();
  await expect(page.getByTestId('receipt-tenders')).toHaveText(`Paid with Gift card …${card.slice(-4)} 6.99 EUR`);
  await expect(page.getByTestId('receipt-gift-card-balance')).toContainText('18.01 EUR left');
  const label = ((await page.getByTestId('receipt-number').textContent()) ?? '').replace(/^Receipt /, '');

  // The balance check: F5, the card scanned.
  await page.keyboard.press('F5');
  await expect(page.getByTestId('gift-card-dialog')).toBeVisible();
  await scanner.scan(card);
  await expect(page.getByTestId('gift-card-number')).toHaveText(card);
  await expect(page.getByTestId('gift-card-balance')).toHaveText('Balance 18.01 EUR');
  await expect(page.getByTestId('gift-card-valid-until')).toContainText('Valid until');
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('gift-card-dialog')).toHaveCount(0);

  // Demo card 0 pays 4.00 of the coffee; cash the rest.
  await scanner.scan(COFFEE);
  await expect(page.getByTestId('total')).toHaveText('6.99 EUR');
  await page.keyboard.press('F12');
  await page.keyboard.press('F5');
  await expect(page.getByTestId('pay-gift-card-input')).toBeFocused();
  await scanner.scan(DEMO_CARD);
  await expect(page.getByTestId('pay-gift-card-may')).toHaveText('May pay 50.00 EUR now (balance 50.00 EUR)');
  await expect(page.getByTestId('pay-gift-card-amount')).toBeFocused();
  await type(page, '4');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('tender')).toContainText(`Gift card …${DEMO_CARD.slice(-4)} 4.00 EUR`);
  await expect(page.getByTestId('pay-due')).toHaveText('2.99 EUR');
  await expect(page.getByTestId('pay-amount')).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('receipt')).toBeVisible();
  await expect(page.getByTestId('receipt-tenders')).toHaveText(
    `Paid with Gift card …${DEMO_CARD.slice(-4)} 4.00 EUR, Cash 2.99 EUR`,
  );
  await expect(page.getByTestId('receipt-gift-card-balance')).toContainText('46.00 EUR left');
  await page.getByTestId('receipt').screenshot({ path: test.info().outputPath('receipt-gift-card.png') });

  // The server books the same balances, and nothing is parked.
  await expect(page.getByTestId('waiting-badge')).toHaveText('All synced', { timeout: 30_000 });
  await expect.poll(() => serverBalance(card), { timeout: 30_000 }).toBe(1_801);
  await expect.poll(() => serverBalance(DEMO_CARD), { timeout: 30_000 }).toBe(4_600);
  expect(await adminGet<unknown[]>(stack.serverUrl, '/api/v1/admin/parked')).toEqual([]);

  // The coffee paid from the new card returned: the 6.99 goes back to the card.
  await page.keyboard.press('F9');
  await expect(page.getByTestId('return-receipt-input')).toBeFocused();
  await type(page, label);
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('return-qty').first()).toBeFocused();
  await type(page, '1');
  await expect(page.getByTestId('return-preview-refund')).toHaveText('6.99 EUR');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('return-tenders')).toHaveText(`Refunded to Gift card …${card.slice(-4)} 6.99 EUR`);
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('return-dialog')).toHaveCount(0);
  await page.keyboard.press('F5');
  await scanner.scan(card);
  await expect(page.getByTestId('gift-card-balance')).toHaveText('Balance 25.00 EUR');
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('waiting-badge')).toHaveText('All synced', { timeout: 30_000 });
  await expect.poll(() => serverBalance(card), { timeout: 30_000 }).toBe(2_500);
  expect(await adminGet<unknown[]>(stack.serverUrl, '/api/v1/admin/parked')).toEqual([]);
});
