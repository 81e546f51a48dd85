/**
 * A donation of points to a cause from the reward catalog, end to end (built renderer in Chromium, the real till
 * host and server, the test HID scanner), keyboard and scanner only: the member's 200 points go to the food bank
 * (the demo supermarket's "Donate 2.00 EUR to the food bank" reward); the basket's total does not change, the
 * explanation and the receipt say where the money goes, and the server books the same points.
 */
import { test, expect } from '@playwright/test';
import { withCheckDigit } from '../../shared/barcode';
import { demoProductEan, demoUlid } from '../../src-server/seed';
import { adminGet } from '../support/processes';
import type { TestScanner } from '../support/scanner-bridge';
import { startTillStack, type TillStack } from '../support/till-stack';
import { signIn } from '../support/till-page';

// Demo data (src-server/seed.ts): member 7 opens with 822 points; product 1 is milk, 1.19.
const CARD = withCheckDigit('299000000007');
const MEMBER_ID = demoUlid(7);
const MILK = demoProductEan(1);

type AdminMember = { member: { state: { balance: number } } };

let stack: TillStack;
let scanner: TestScanner;

test.beforeAll(async () => {
  stack = await startTillStack({ name: 'donation' });
  scanner = stack.scanner!;
});
test.afterAll(() => stack?.stop());

test('points donated to a cause from the reward catalog: the receipt says so and the server books them', async ({
  page,
}) => {
  await page.goto(stack.tillUrl);
  await signIn(page);
  await expect(page.getByTestId('waiting-badge')).toHaveText('All synced', { timeout: 30_000 });
  await scanner.scan(CARD);
  await expect(page.getByTestId('member-name')).not.toBeEmpty();
  const before = Number(await page.getByTestId('member-balance').textContent());
  expect(before).toBeGreaterThanOrEqual(200);
  await scanner.scan(MILK);
  await expect(page.getByTestId('total')).toHaveText('1.19 EUR');

  const donate = page.getByRole('button', { name: /Donate 2\.00 EUR to the food bank \(200\)/ });
  await donate.focus();
  await page.keyboard.press('Enter');
  await expect(donate).toHaveAttribute('aria-pressed', 'true');
  await page.getByRole('button', { name: 'Explain points' }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('explanation')).toContainText('donated to the local food bank');
  // A donation is the store's money, not the customer's: the total stays.
  await expect(page.getByTestId('total')).toHaveText('1.19 EUR');
  const earned = Number(await page.getByTestId('points-to-earn').getAttribute('data-points'));

  await page.keyboard.press('F12');
  await expect(page.getByTestId('pay-amount')).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('receipt')).toBeVisible();
  await expect(page.getByTestId('receipt-donation')).toHaveText(
    'Your points gave 2.00 EUR to the local food bank. Thank you!',
  );
  await expect(page.getByTestId('receipt')).toContainText('Points redeemed: 200');
  const after = before - 200 + earned;
  await expect(page.getByTestId('receipt-balance')).toContainText(String(after));

  await expect(page.getByTestId('waiting-badge')).toHaveText('All synced', { timeout: 30_000 });
  await expect
    .poll(
      async () =>
        (await adminGet<AdminMember>(stack.serverUrl, `/api/v1/admin/members/${MEMBER_ID}`)).member.state.balance,
      { timeout: 30_000 },
    )
    .toBe(after);
  expect(await adminGet<unknown[]>(stack.serverUrl, '/api/v1/admin/parked')).toEqual([]);
});
