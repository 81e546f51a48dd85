/**
 * A lost card replaced at the till, end to end (built renderer in Chromium, the real till host and server, the
 * test HID scanner), keyboard and scanner only, through an outage: Finn's card is replaced with the next number of
 * the till's ranges, approved by a supervisor's PIN; the member keeps their points; the old card, scanned, is
 * refused as blocked; the new number typed into the member field finds Finn. Back online, the server has Finn on
 * the new card with the same balance, and the old card still finds no one.
 */
import { test, expect } from '@playwright/test';
import { withCheckDigit } from '../../shared/barcode';
import { demoUlid } from '../../src-server/seed';
import { adminGet } from '../support/processes';
import type { TestScanner } from '../support/scanner-bridge';
import { startTillStack, type TillStack } from '../support/till-stack';
import { ALEX, enterPin, signIn } from '../support/till-page';

// Demo data (src-server/seed.ts): member 6 is Finn Smit.
const FINN = withCheckDigit('299000000006');
const FINN_ID = demoUlid(6);

let stack: TillStack;
let scanner: TestScanner;

test.beforeAll(async () => {
  stack = await startTillStack({ name: 'card-replace' });
  scanner = stack.scanner!;
});
test.afterAll(async () => {
  await stack?.stop();
});

test('a lost card replaced offline keeps the points and blocks the old card; the server agrees', async ({ page }) => {
  test.setTimeout(180_000);
  await page.goto(stack.tillUrl);
  await signIn(page);
  await expect(page.getByTestId('waiting-badge')).toHaveText('All synced', { timeout: 30_000 });
  await stack.stopServer();
  await expect(page.getByTestId('online-badge')).toHaveText('Offline', { timeout: 30_000 });

  await scanner.scan(FINN);
  await expect(page.getByTestId('member-name')).toHaveText('Finn Smit');
  const balance = await page.getByTestId('member-balance').textContent();
  await page.getByTestId('open-card-replace').focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('card-replace-card-new')).toBeFocused();
  await expect(page.getByTestId('card-replace-card-new')).toBeChecked();
  // The number offered from the till's ranges is read after the dialog opens: wait for it before taking it.
  await expect(page.getByTestId('card-replace-dialog')).toContainText(/2998\d{9}/);
  const offered = /2998\d{9}/.exec((await page.getByTestId('card-replace-dialog').textContent()) ?? '')![0];
  await page.keyboard.press('Enter');
  await enterPin(page, 'supervisor', ALEX.id, ALEX.pin);
  await expect(page.getByTestId('card-replace-dialog')).toHaveCount(0);
  await expect(page.getByTestId('member-card')).toHaveText(offered);
  await expect(page.getByTestId('member-balance')).toHaveText(balance!);
  await expect(page.getByTestId('message')).toContainText(offered);

  // The old card finds no one; the new number does.
  await page.getByRole('button', { name: 'Clear member' }).focus();
  await page.keyboard.press('Enter');
  await scanner.scan(FINN);
  await expect(page.getByTestId('message')).toContainText('CARD_BLOCKED');
  await expect(page.getByTestId('member-name')).toHaveCount(0);
  await page.keyboard.press('F3');
  await page.keyboard.type(offered, { delay: 60 });
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('member-name')).toHaveText('Finn Smit');
  await expect(page.getByTestId('member-card')).toHaveText(offered);

  // Back online: the server moved Finn to the new card, with the same balance.
  await stack.restartServer();
  await expect(page.getByTestId('waiting-badge')).toHaveText('All synced', { timeout: 60_000 });
  const server = await adminGet<{ member: { cardNumber: string; state: { balance: number } } }>(
    stack.serverUrl,
    `/api/v1/admin/members/${FINN_ID}`,
  );
  expect(server.member.cardNumber).toBe(offered);
  expect(String(server.member.state.balance)).toBe(balance);
  expect(await adminGet<unknown[]>(stack.serverUrl, '/api/v1/admin/parked')).toEqual([]);
  await page.getByRole('button', { name: 'Clear member' }).focus();
  await page.keyboard.press('Enter');
  await scanner.scan(FINN);
  await expect(page.getByTestId('message')).toContainText('CARD_BLOCKED');
});
