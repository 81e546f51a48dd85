/**
 * A digital member card at the till, end to end (built renderer in Chromium, the real till host and server, the
 * test HID scanner), scanner only, through an outage: the server signs a code for Bram; the till, offline,
 * verifies it with the key from its store document and puts Bram on the sale; the same code scanned again is
 * refused as a replay, and a forged one (another member's id in a genuine code) as not genuine. Nothing is put
 * on the sale by a refused code; a fresh code pasted into the member field is taken like a scanned one.
 */
import { test, expect } from '@playwright/test';
import { demoUlid } from '../../src-server/seed';
import { adminPost } from '../support/processes';
import type { TestScanner } from '../support/scanner-bridge';
import { startTillStack, type TillStack } from '../support/till-stack';
import { signIn } from '../support/till-page';

// Demo data (src-server/seed.ts): member 2 is Bram Jansen, 6 Finn Smit.
const BRAM_ID = demoUlid(2);
const FINN_ID = demoUlid(6);

let stack: TillStack;
let scanner: TestScanner;

test.beforeAll(async () => {
  stack = await startTillStack({ name: 'digital-card' });
  scanner = stack.scanner!;
});
test.afterAll(async () => {
  await stack?.stop();
});

test('a digital card is verified offline and taken once; a replayed and a forged code are refused', async ({
  page,
}) => {
  const { code } = await adminPost<{ code: string }>(stack.serverUrl, `/api/v1/admin/members/${BRAM_ID}/digital-card`);
  await page.goto(stack.tillUrl);
  await signIn(page);
  await expect(page.getByTestId('waiting-badge')).toHaveText('All synced', { timeout: 30_000 });
  await stack.stopServer();
  await expect(page.getByTestId('online-badge')).toHaveText('Offline', { timeout: 30_000 });

  await scanner.scan(code);
  await expect(page.getByTestId('member-name')).toHaveText('Bram Jansen');
  await expect(page.getByTestId('message')).toContainText('Digital card of Bram Jansen accepted');

  await page.getByRole('button', { name: 'Clear member' }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('member-name')).toHaveCount(0);
  await scanner.scan(code);
  await expect(page.getByTestId('message')).toContainText('DIGITAL_CARD_REPLAYED');
  await expect(page.getByTestId('member-name')).toHaveCount(0);

  await scanner.scan(code.replace(BRAM_ID, FINN_ID));
  await expect(page.getByTestId('message')).toContainText('DIGITAL_CARD_FORGED');
  await expect(page.getByTestId('member-name')).toHaveCount(0);

  // A restart does not make the code new again.
  await stack.restartServer();
  await page.reload();
  await signIn(page);
  await scanner.scan(code);
  await expect(page.getByTestId('message')).toContainText('DIGITAL_CARD_REPLAYED');
  await expect(page.getByTestId('member-name')).toHaveCount(0);

  // A fresh code for Finn, pasted into the member field (F3): accepted.
  const finn = await adminPost<{ code: string }>(stack.serverUrl, `/api/v1/admin/members/${FINN_ID}/digital-card`);
  await page.keyboard.press('F3');
  await expect(page.getByTestId('lookup-input')).toBeFocused();
  await page.keyboard.insertText(finn.code);
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('member-name')).toHaveText('Finn Smit');
});
