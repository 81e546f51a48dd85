/**
 * A household join at the till, end to end (built renderer in Chromium, the real till host and server, the test
 * HID scanner), keyboard and scanner only, through an outage: the cashier opens the join on the member (F11),
 * types a household member's card, reads what will happen and confirms; a supervisor's PIN approves it. The
 * member panel shows the shared account at once, with both balances in it; a card the till does not know and a
 * second join are refused with their codes. The member's next purchase earns into the shared balance, which the
 * account holder's card shows too. Back online, the server agrees: the member shares the account, their own
 * balance is zero, the holder's is the receipt's, and nothing is parked.
 */
import { test, expect, type Page } from '@playwright/test';
import { withCheckDigit } from '../../shared/barcode';
import { demoProductEan, demoUlid } from '../../src-server/seed';
import { adminGet } from '../support/processes';
import type { TestScanner } from '../support/scanner-bridge';
import { startTillStack, type TillStack } from '../support/till-stack';
import { ALEX, enterPin, signIn } from '../support/till-page';

// Demo data (src-server/seed.ts): member 2 is Bram Jansen, 6 Finn Smit; product 11 is ground coffee.
const BRAM = withCheckDigit('299000000002');
const FINN = withCheckDigit('299000000006');
const BRAM_ID = demoUlid(2);
const FINN_ID = demoUlid(6);
const COFFEE = demoProductEan(11);

type AdminMember = { member: { state: { balance: number; householdId: string | null } } };

let stack: TillStack;
let scanner: TestScanner;

test.beforeAll(async () => {
  stack = await startTillStack({ name: 'household' });
  scanner = stack.scanner!;
});
test.afterAll(async () => {
  await stack?.stop();
});

async function balanceShown(page: Page): Promise<number> {
  return Number(await page.getByTestId('member-balance').textContent());
}

/** Opens the join on the member on the sale and looks up a household member by what is typed. */
async function findHousehold(page: Page, text: string): Promise<void> {
  await page.keyboard.press('F11');
  await expect(page.getByTestId('household-find')).toBeFocused();
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.type(text, { delay: 80 });
  await page.keyboard.press('Enter');
}

test('a household join at the till, offline: the next purchase earns into the shared balance and the server agrees', async ({
  page,
}) => {
  test.setTimeout(180_000);
  const bramBefore = (await adminGet<AdminMember>(stack.serverUrl, `/api/v1/admin/members/${BRAM_ID}`)).member.state
    .balance;
  await page.goto(stack.tillUrl);
  await signIn(page);
  await expect(page.getByTestId('waiting-badge')).toHaveText('All synced', { timeout: 30_000 });
  await stack.stopServer();
  await expect(page.getByTestId('online-badge')).toHaveText('Offline', { timeout: 30_000 });

  await scanner.scan(FINN);
  await expect(page.getByTestId('member-name')).toHaveText('Finn Smit');
  const finnBefore = await balanceShown(page);
  expect(finnBefore).toBeGreaterThan(0);
  await expect(page.getByTestId('open-household')).toContainText('F11');

  // A card no member has: refused, nothing asked.
  await findHousehold(page, withCheckDigit('299000999999'));
  await expect(page.getByTestId('household-error')).toContainText('299000999999');
  await expect(page.getByTestId('household-preview')).toHaveCount(0);

  // Bram's card: what will happen, then Enter, then the supervisor's PIN.
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.type(BRAM, { delay: 80 });
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('household-preview')).toContainText('Bram Jansen');
  await expect(page.getByTestId('household-preview')).toContainText(String(finnBefore + bramBefore));
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('supervisor')).toContainText('Bram Jansen');
  await enterPin(page, 'supervisor', ALEX.id, ALEX.pin);
  await expect(page.getByTestId('household-dialog')).toHaveCount(0);
  await expect(page.getByTestId('member-balance')).toHaveText(String(finnBefore + bramBefore));
  await expect(page.locator('[data-badge="shared"]')).toContainText('Bram Jansen');
  await expect(page.getByTestId('message')).toContainText('Bram Jansen');

  // A second join: refused with its code.
  await findHousehold(page, BRAM);
  await expect(page.getByTestId('household-error')).toContainText('HOUSEHOLD_ALREADY');
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('household-dialog')).toHaveCount(0);

  // Finn buys coffee: the points go to the shared account.
  await scanner.scan(COFFEE);
  await expect(page.getByTestId('basket-line')).toHaveCount(1);
  const earned = Number(await page.getByTestId('points-to-earn').getAttribute('data-points'));
  expect(earned).toBeGreaterThan(0);
  await page.keyboard.press('F12');
  await expect(page.getByTestId('pay-amount')).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('receipt')).toBeVisible();
  const shared = finnBefore + bramBefore + earned;
  await expect(page.getByTestId('receipt-balance')).toContainText(String(shared));

  // Bram's card shows the same shared balance.
  await scanner.scan(BRAM);
  await expect(page.getByTestId('member-name')).toHaveText('Bram Jansen');
  await expect(page.getByTestId('member-balance')).toHaveText(String(shared));

  // Back online: the server took the join, the move and the sale as the till did.
  await stack.restartServer();
  await expect(page.getByTestId('waiting-badge')).toHaveText('All synced', { timeout: 60_000 });
  const finn = await adminGet<AdminMember>(stack.serverUrl, `/api/v1/admin/members/${FINN_ID}`);
  expect(finn.member.state).toMatchObject({ householdId: BRAM_ID, balance: 0 });
  const bram = await adminGet<AdminMember>(stack.serverUrl, `/api/v1/admin/members/${BRAM_ID}`);
  expect(bram.member.state.balance).toBe(shared);
  expect(await adminGet<unknown[]>(stack.serverUrl, '/api/v1/admin/parked')).toEqual([]);
  await expect(page.getByTestId('member-balance')).toHaveText(String(shared));
});
