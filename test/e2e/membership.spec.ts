/**
 * A paid membership sold at the till, end to end (built renderer in Chromium, the real till host and server, the
 * test HID scanner), scanner and keyboard only: the membership is a basket line (its fee); once paid, the term and
 * its perks start at once: the very next sale to the member gets the plan's discount and points multiplier, and
 * the panel shows the membership and its priority-service perk. The server agrees on the balance.
 */
import { test, expect } from '@playwright/test';
import { withCheckDigit } from '../../shared/barcode';
import { demoProductEan } from '../../src-server/seed';
import { adminGet } from '../support/processes';
import type { TestScanner } from '../support/scanner-bridge';
import { startTillStack, type TillStack } from '../support/till-stack';
import { signIn } from '../support/till-page';

// Demo data (src-server/seed.ts): member 6 is Finn Smit; product 1 is milk, 51 the Plus membership (12 months).
const FINN = withCheckDigit('299000000006');
const MILK = demoProductEan(1);
const PLUS = demoProductEan(51);

let stack: TillStack;
let scanner: TestScanner;

test.beforeAll(async () => {
  stack = await startTillStack({ name: 'membership' });
  scanner = stack.scanner!;
});
test.afterAll(() => stack?.stop());

test('a paid membership sold as a basket line applies its perks to the very next sale', async ({ page }) => {
  await page.goto(stack.tillUrl);
  await signIn(page);
  await expect(page.getByTestId('waiting-badge')).toHaveText('All synced', { timeout: 30_000 });

  // Before: milk at the full price, no membership.
  await scanner.scan(FINN);
  await expect(page.getByTestId('member-name')).toHaveText('Finn Smit');
  await expect(page.locator('[data-badge="membership"]')).toHaveCount(0);
  await scanner.scan(MILK);
  await expect(page.getByTestId('total')).toHaveText('1.19 EUR');
  const pointsWithout = Number(await page.getByTestId('points-to-earn').getAttribute('data-points'));
  await scanner.scan(PLUS);
  await expect(page.getByTestId('basket-line')).toHaveCount(2);
  await expect(page.getByTestId('line-quantity')).toHaveText(['1', '1']);
  await page.keyboard.press('F12');
  await expect(page.getByTestId('pay-amount')).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('receipt')).toBeVisible();

  // The very next sale: the membership shows, with its perk, and milk costs 5 % less and earns double.
  await scanner.scan(FINN);
  await expect(page.getByTestId('member-name')).toHaveText('Finn Smit');
  await expect(page.locator('[data-badge="membership"]')).toContainText('Plus');
  await expect(page.locator('[data-badge="perk-plus-priority"]')).toContainText('Priority checkout');
  await scanner.scan(MILK);
  // 5 % of 1.19 is 5.95 cents: the program rounds down, so 5 cents off.
  await expect(page.getByTestId('total')).toHaveText('1.14 EUR');
  expect(Number(await page.getByTestId('points-to-earn').getAttribute('data-points'))).toBeGreaterThan(pointsWithout);
  await page.keyboard.press('F12');
  await expect(page.getByTestId('pay-amount')).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('receipt')).toBeVisible();
  const balance = Number(/(\d+)/.exec((await page.getByTestId('receipt-balance').textContent()) ?? '')![1]);

  // The server took both sales as the till priced them.
  await expect(page.getByTestId('waiting-badge')).toHaveText('All synced', { timeout: 30_000 });
  await expect
    .poll(
      async () =>
        (await adminGet<{ member: { state: { balance: number } } }>(stack.serverUrl, `/api/v1/admin/members/${FINN}`))
          .member.state.balance,
      { timeout: 30_000 },
    )
    .toBe(balance);
  const parked = await adminGet<unknown[]>(stack.serverUrl, '/api/v1/admin/parked');
  expect(parked).toEqual([]);
});
