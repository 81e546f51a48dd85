/**
 * The keypad and the basket kept across a restart, end to end (built renderer in Chromium, the real till host and
 * server, the test HID scanner), from the keyboard as a cashier works:
 * - a number then `*` sets the highlighted line's quantity; a bad one is refused with its code and changes nothing;
 * - a quick key rings up unbarcoded goods (the number typed first is the weight for goods sold by weight), `/`
 *   re-weighs the line, arrow keys move the keypad's line;
 * - `-` gives a discount with a reason (within a cashier's 10 %); `+` a new price, which asks a supervisor's PIN
 *   and is audited at the server with the old and new price;
 * - a reload mid-sale puts the basket back (member, lines, prices) and says so; it is paid once, and a reload after
 *   the sale restores nothing;
 * - the receipt shows each changed price with its reason, and the member's points expiring soon.
 */
import { test, expect, type Page } from '@playwright/test';
import { withCheckDigit } from '../../shared/barcode';
import { adminGet } from '../support/processes';
import type { TestScanner } from '../support/scanner-bridge';
import { startTillStack, type TillStack } from '../support/till-stack';
import { ALEX, enterPin, signIn } from '../support/till-page';

// Demo data (src-server/seed.ts): member 4 (Daan Bakker) has 150 points expiring in ten days; product 11 is ground
// coffee at 6.99; bananas (1.99/kg) and croissants are quick keys.
const DAAN = withCheckDigit('299000000004');
const COFFEE = withCheckDigit('871000000011');

let stack: TillStack;
let scanner: TestScanner;

test.beforeAll(async () => {
  stack = await startTillStack({ name: 'keypad' });
  scanner = stack.scanner!;
});
test.afterAll(() => stack?.stop());

/** Types into the keypad at a person's pace (a burst at machine speed is the keyboard wedge's). */
async function keypad(page: Page, text: string): Promise<void> {
  await page.keyboard.press('F2');
  await expect(page.getByTestId('keypad-input')).toBeFocused();
  await page.keyboard.type(text, { delay: 120 });
}

type Audit = { entries: Array<{ action: string; detail: Record<string, unknown> }> };

test('keypad quantities, weights, a discount and a supervisor’s price; the basket survives a reload', async ({
  page,
}) => {
  test.setTimeout(180_000);
  await page.goto(stack.tillUrl);
  await signIn(page);
  await expect(page.getByTestId('waiting-badge')).toHaveText('All synced', { timeout: 30_000 });
  await scanner.scan(DAAN);
  await expect(page.getByTestId('member-name')).toHaveText('Daan Bakker');
  // The panel says what the engine reads from his state: 411 points in the window, Silver at 500; 150 expire soon.
  const badges = page.getByTestId('member-badges');
  await expect(badges.locator('[data-badge="next-tier"]')).toHaveText('89 pts to Silver');
  await expect(badges.locator('[data-badge^="expiring-"]')).toContainText('150 pts expire');
  await scanner.scan(COFFEE);
  await expect(page.getByTestId('basket-line')).toHaveCount(1);
  const coffee = page.getByTestId('basket-line').first();

  // Quantity: 3 then *; a quantity of 0 is refused with its code, and the line keeps 3.
  await keypad(page, '3*');
  await expect(coffee.getByTestId('line-quantity')).toHaveText('3');
  await keypad(page, '0*');
  await expect(page.getByTestId('message')).toContainText('KEYPAD_BAD_QUANTITY');
  await expect(coffee.getByTestId('line-quantity')).toHaveText('3');

  // A discount within the cashier's limit: the reason only.
  await keypad(page, '10-');
  await expect(page.getByTestId('price-change')).toBeVisible();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('price-change-error')).toBeVisible();
  await page.keyboard.type('Damaged packaging', { delay: 120 });
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('price-change')).toHaveCount(0);
  await expect(coffee.getByTestId('line-price-change')).toHaveText('was 6.99 EUR · Damaged packaging');

  // Bananas from their quick key, 1.25 kg typed first; then re-weighed to 0.8 kg.
  await keypad(page, '1.25');
  const bananasKey = page.getByTestId('quick-key').filter({ hasText: 'Bananas' });
  await bananasKey.focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('basket-line')).toHaveCount(2);
  const bananas = page.getByTestId('basket-line').nth(1);
  await expect(bananas).toContainText('1.250 kg');
  await keypad(page, '0.8/');
  await expect(bananas).toContainText('0.800 kg');
  await expect(bananas).toHaveAttribute('aria-current', 'true');

  // A new price for the coffee (arrow up picks it): a supervisor's, with a reason.
  await page.keyboard.press('ArrowUp');
  await expect(coffee).toHaveAttribute('aria-current', 'true');
  await page.keyboard.type('5.49+', { delay: 120 });
  await expect(page.getByTestId('supervisor')).toBeVisible();
  await page.getByTestId('supervisor-reason').fill('Shelf price differs');
  await enterPin(page, 'supervisor', ALEX.id, ALEX.pin);
  await expect(page.getByTestId('supervisor')).toHaveCount(0);
  await expect(coffee.getByTestId('line-price-change')).toHaveText('was 6.99 EUR · Shelf price differs');
  const total = await page.getByTestId('total').textContent();

  // The till restarts mid-sale: the basket comes back as it was.
  await page.reload();
  await signIn(page);
  await expect(page.getByTestId('message')).toContainText('The basket from before the restart is back (lines: 2)');
  await expect(page.getByTestId('member-name')).toHaveText('Daan Bakker');
  await expect(page.getByTestId('basket-line')).toHaveCount(2);
  await expect(page.getByTestId('basket-line').first().getByTestId('line-quantity')).toHaveText('3');
  await expect(page.getByTestId('total')).toHaveText(total!);

  // Paid once, cash exactly: the receipt prints the changed price, and Daan's points expiring soon.
  await page.keyboard.press('F12');
  await expect(page.getByTestId('pay-dialog')).toBeVisible();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('receipt')).toBeVisible();
  await expect(page.getByTestId('receipt-price-change')).toHaveText(['was 6.99 EUR · Shelf price differs']);
  await expect(page.getByTestId('receipt-expiring')).toHaveAttribute('data-points', '150');
  await expect(page.getByTestId('receipt-expiring')).toContainText('Points expiring on');

  // After the sale nothing is kept: a reload shows an empty basket.
  await page.reload();
  await signIn(page);
  await expect(page.getByTestId('basket-line')).toHaveCount(0);
  await expect(page.getByTestId('message')).toHaveCount(0);

  // The server has one sale with the prices as changed, and the supervisor's override in its audit log.
  await expect
    .poll(
      async () => (await adminGet<Audit>(stack.serverUrl, '/api/v1/admin/audit?action=till-event.override')).entries,
    )
    .toHaveLength(1);
  const audit = await adminGet<Audit>(stack.serverUrl, '/api/v1/admin/audit?action=till-event.override');
  expect(audit.entries[0]!.detail).toMatchObject({
    action: 'price-override',
    supervisorId: 'supervisor-1',
    reason: 'Shelf price differs',
    details: { fromMinor: 699, toMinor: 549 },
  });
});
