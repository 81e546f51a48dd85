/**
 * Promotions for a customer without a card, end to end (built renderer in Chromium, the real till host and server,
 * the test HID scanner): the demo store's week (src-server/seed.ts DEMO_PROMOTIONS) prices the basket as it is
 * scanned, the till lists what the customer gets above the total, the receipt lists every discount and what was
 * saved, and the server books the sale at the till's total. Promo codes: a flyer's code scanned, a code the
 * program does not have refused as it is typed, a members' welcome code taken once per member. Single-use coupons:
 * a code of the demo mailing's batch taken once, refused when used (before the server knows it too), a mistyped one
 * refused, and the server's coupon ledger (its CSV) naming the sale's till.
 */
import { test, expect } from '@playwright/test';
import { withCheckDigit } from '../../shared/barcode';
import { demoCouponCode, demoProductEan } from '../../src-server/seed';
import { adminGet } from '../support/processes';
import type { TestScanner } from '../support/scanner-bridge';
import { startTillStack, type TillStack } from '../support/till-stack';
import { signIn } from '../support/till-page';

// Demo catalogue: 43 toothpaste 1.99 (care), 41 laundry detergent 8.99 and 42 kitchen roll 2.49 (household), 10
// coffee beans 14.99.
const TOOTHPASTE = demoProductEan(43);
const DETERGENT = demoProductEan(41);
const KITCHEN_ROLL = demoProductEan(42);
const BEANS = demoProductEan(10);
// Member 2 is Bram Jansen.
const BRAM = withCheckDigit('299000000002');

let stack: TillStack;
let scanner: TestScanner;

test.beforeAll(async () => {
  stack = await startTillStack({ name: 'promotions' });
  scanner = stack.scanner!;
});
test.afterAll(() => stack?.stop());

test('a customer without a card gets the week’s promotions; the receipt says what was saved', async ({ page }) => {
  await page.goto(stack.tillUrl);
  await signIn(page);
  await expect(page.getByTestId('waiting-badge')).toHaveText('All synced', { timeout: 30_000 });

  // Two toothpastes: no set yet. The third makes 3 for 2: one free.
  await scanner.scan(TOOTHPASTE);
  await scanner.scan(TOOTHPASTE);
  await expect(page.getByTestId('total')).toHaveText('3.98 EUR');
  await expect(page.getByTestId('promotions')).toHaveCount(0);
  await scanner.scan(TOOTHPASTE);
  await expect(page.getByTestId('line-quantity')).toHaveText(['3']);
  await expect(page.getByTestId('promotions')).toHaveText('-1.99 EUR: Care: 3 for 2');
  await expect(page.getByTestId('total')).toHaveText('3.98 EUR');

  // Household: 8.99 is under the 10.00 the promotion needs; with the kitchen roll, 11.48 gets 2.00 off.
  await scanner.scan(DETERGENT);
  await expect(page.getByTestId('total')).toHaveText('12.97 EUR');
  await scanner.scan(KITCHEN_ROLL);
  await expect(page.getByTestId('promotions').locator('li')).toHaveText([
    '-1.99 EUR: Care: 3 for 2',
    '-2.00 EUR: Household: 2.00 off 10.00',
  ]);
  await expect(page.getByTestId('total')).toHaveText('13.46 EUR');
  await expect(page.getByTestId('points-to-earn')).toHaveCount(0);

  await page.keyboard.press('F12');
  await expect(page.getByTestId('pay-amount')).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('receipt')).toBeVisible();
  await expect(page.getByTestId('receipt-total')).toHaveText('13.46 EUR');
  await expect(page.getByTestId('receipt-discounts')).toContainText('Care: 3 for 2');
  await expect(page.getByTestId('receipt-saved')).toHaveText('You saved 3.99 EUR');

  // The server booked the sale at the till's total.
  await expect(page.getByTestId('waiting-badge')).toHaveText('All synced', { timeout: 30_000 });
  const sales = await adminGet<Array<{ total_minor: string | number; member_id: string | null }>>(
    stack.serverUrl,
    '/api/v1/admin/sales?tillId=till-1',
  );
  expect(sales.map((s) => [Number(s.total_minor), s.member_id])).toEqual([[1346, null]]);
  expect(await adminGet<unknown[]>(stack.serverUrl, '/api/v1/admin/parked')).toEqual([]);
});

test('promo codes: a flyer’s code scanned, a wrong one refused, a welcome code once per member', async ({ page }) => {
  await page.goto(stack.tillUrl);
  await signIn(page);
  await expect(page.getByTestId('waiting-badge')).toHaveText('All synced', { timeout: 30_000 });

  // The flyer's barcode: 10 % of 8.99 = 0.899, rounded down: 0.89 off.
  await scanner.scan(DETERGENT);
  await scanner.scan('WEEK10');
  await expect(page.getByTestId('code')).toHaveText(['WEEK10 ×']);
  await expect(page.getByTestId('promotions')).toHaveText('-0.89 EUR: Flyer: 10 % off, at most 5.00');
  await expect(page.getByTestId('total')).toHaveText('8.10 EUR');
  await page.getByTestId('code-input').fill('nope');
  await page.getByTestId('code-input').press('Enter');
  await expect(page.getByTestId('code-error')).toHaveText('No promotion has the code NOPE');
  await expect(page.getByTestId('code')).toHaveText(['WEEK10 ×']);
  await page.keyboard.press('F12');
  await expect(page.getByTestId('pay-amount')).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('receipt-total')).toHaveText('8.10 EUR');

  // The welcome code: 2 × 14.99 = 29.98 reaches 25.00, so 5.00 off; typed in lower case.
  const welcome = async () => {
    await scanner.scan(BRAM);
    await expect(page.getByTestId('member-name')).toHaveText('Bram Jansen');
    await scanner.scan(BEANS);
    await scanner.scan(BEANS);
    await expect(page.getByTestId('line-quantity')).toHaveText(['2']);
    await page.getByTestId('code-input').fill('welcome5');
    await page.getByTestId('code-input').press('Enter');
    await expect(page.getByTestId('code')).toHaveText(['WELCOME5 ×']);
  };
  await welcome();
  await expect(page.getByTestId('promotions')).toHaveText('-5.00 EUR: Welcome: 5.00 off 25.00');
  await expect(page.getByTestId('total')).toHaveText('24.98 EUR');
  await page.keyboard.press('F12');
  await expect(page.getByTestId('pay-amount')).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('receipt-total')).toHaveText('24.98 EUR');

  // Bram again: the code is used up; taking it off leaves a sale that can be paid.
  await welcome();
  await expect(page.getByRole('alert')).toContainText('The code WELCOME5 has been used up by this member');
  await expect(page.getByTestId('total')).toHaveText('29.98 EUR');
  await page.getByTestId('code').click();
  await expect(page.getByTestId('code')).toHaveCount(0);
  await expect(page.getByRole('alert')).toHaveCount(0);

  // The server booked both sales as the till priced them, and parked nothing.
  await expect(page.getByTestId('waiting-badge')).toHaveText('All synced', { timeout: 30_000 });
  const sales = await adminGet<Array<{ total_minor: string | number }>>(
    stack.serverUrl,
    '/api/v1/admin/sales?tillId=till-1',
  );
  expect(sales.map((s) => Number(s.total_minor)).slice(0, 2)).toEqual([2498, 810]);
  expect(await adminGet<unknown[]>(stack.serverUrl, '/api/v1/admin/parked')).toEqual([]);
});

test('a single-use coupon from the mailing: taken once, refused when used, mistyped refused', async ({ page }) => {
  const coupon = demoCouponCode(0);
  await page.goto(stack.tillUrl);
  await signIn(page);
  await expect(page.getByTestId('waiting-badge')).toHaveText('All synced', { timeout: 30_000 });

  // Three bags of beans, 44.97, reach the mailing's 30.00: 5.00 off. A code one character off is no coupon.
  const beans = async () => {
    for (let i = 0; i < 3; i++) await scanner.scan(BEANS);
    await expect(page.getByTestId('line-quantity')).toHaveText(['3']);
  };
  await beans();
  const last = coupon.at(-1) === '0' ? '1' : '0';
  await page.getByTestId('code-input').fill(`${coupon.slice(0, -1)}${last}`);
  await page.getByTestId('code-input').press('Enter');
  await expect(page.getByTestId('code-error')).toContainText('No promotion has the code');
  await page.getByTestId('code-input').fill(coupon.toLowerCase());
  await page.getByTestId('code-input').press('Enter');
  await expect(page.getByTestId('code')).toHaveText([`${coupon} ×`]);
  await expect(page.getByTestId('promotions')).toHaveText('-5.00 EUR: Mailing: 5.00 off 30.00');
  await expect(page.getByTestId('total')).toHaveText('39.97 EUR');
  await page.keyboard.press('F12');
  await expect(page.getByTestId('pay-amount')).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('receipt-total')).toHaveText('39.97 EUR');

  // The same coupon scanned on the next sale: used (this till knows it before the server says so).
  await beans();
  await scanner.scan(coupon);
  await expect(page.getByTestId('code')).toHaveText([`${coupon} ×`]);
  await expect(page.getByRole('alert')).toContainText(`The coupon ${coupon} has been used already`);
  await expect(page.getByTestId('total')).toHaveText('44.97 EUR');
  await page.getByTestId('code').click();
  await expect(page.getByRole('alert')).toHaveCount(0);

  // The server's coupon ledger has it used by this till's sale, and nothing is parked.
  await expect(page.getByTestId('waiting-badge')).toHaveText('All synced', { timeout: 30_000 });
  const res = await fetch(`${stack.serverUrl}/api/v1/admin/programs/supermarket/coupon-batches/mailing`, {
    headers: { authorization: 'Bearer test-admin' },
  });
  const rows = (await res.text()).trim().split('\n');
  expect(rows).toHaveLength(51);
  expect(rows.find((r) => r.startsWith(coupon))).toMatch(new RegExp(`^${coupon},used,[^,]+,till-1,[0-9A-Z]{26}$`));
  expect(await adminGet<unknown[]>(stack.serverUrl, '/api/v1/admin/parked')).toEqual([]);
});
