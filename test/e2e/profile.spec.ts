/**
 * Editing a member's contact details at the till, end to end (built renderer in Chromium, the real till host and
 * server, the test HID scanner), keyboard and scanner only, through an outage: a bad e-mail address is refused with
 * its code and nothing is written; a new phone (national format) and withdrawn marketing consent are saved; the
 * member is found by the new phone at once, offline; back online, the server has the new phone and the consent.
 */
import { test, expect } from '@playwright/test';
import { withCheckDigit } from '../../shared/barcode';
import { demoUlid } from '../../src-server/seed';
import { adminGet } from '../support/processes';
import type { TestScanner } from '../support/scanner-bridge';
import { startTillStack, type TillStack } from '../support/till-stack';
import { signIn } from '../support/till-page';

// Demo data (src-server/seed.ts): member 6 is Finn Smit; the store is in the Netherlands.
const FINN = withCheckDigit('299000000006');
const FINN_ID = demoUlid(6);

let stack: TillStack;
let scanner: TestScanner;

test.beforeAll(async () => {
  stack = await startTillStack({ name: 'profile' });
  scanner = stack.scanner!;
});
test.afterAll(async () => {
  await stack?.stop();
});

test('a new phone and a withdrawn consent saved offline; found by the new phone at once; the server agrees', async ({
  page,
}) => {
  test.setTimeout(180_000);
  await page.goto(stack.tillUrl);
  await signIn(page);
  await expect(page.getByTestId('waiting-badge')).toHaveText('All synced', { timeout: 30_000 });
  await stack.stopServer();
  await expect(page.getByTestId('online-badge')).toHaveText('Offline', { timeout: 30_000 });

  await scanner.scan(FINN);
  await expect(page.getByTestId('member-name')).toHaveText('Finn Smit');
  await page.getByTestId('open-profile').focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('profile-phone')).toBeFocused();
  // Nothing typed: nothing to change.
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('profile-error')).toContainText('PROFILE_UNCHANGED');
  await page.keyboard.type('06 1234 5678', { delay: 120 });
  await page.keyboard.press('Tab');
  await page.keyboard.type('finn@', { delay: 120 });
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('profile-error')).toContainText('ENROL_FIELD_INVALID');
  await expect(page.getByTestId('profile-email')).toBeFocused();
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.press('Backspace');
  await page.keyboard.press('Tab');
  await expect(page.getByTestId('profile-marketing')).toBeFocused();
  await page.keyboard.press('End');
  await expect(page.getByTestId('profile-marketing')).toHaveValue('no');
  await page.keyboard.press('Tab');
  await expect(page.getByTestId('profile-submit')).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('profile-dialog')).toHaveCount(0);
  await expect(page.getByTestId('message')).toContainText('Finn Smit');

  // Found by the new phone, offline.
  await page.getByRole('button', { name: 'Clear member' }).focus();
  await page.keyboard.press('Enter');
  await page.keyboard.press('F3');
  await page.keyboard.type('0612345678', { delay: 120 });
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('member-name')).toHaveText('Finn Smit');

  await stack.restartServer();
  await expect(page.getByTestId('waiting-badge')).toHaveText('All synced', { timeout: 60_000 });
  const exported = await adminGet<{ member: { phone: string; consent: { marketing: boolean } | null } }>(
    stack.serverUrl,
    `/api/v1/admin/members/${FINN_ID}/export`,
  );
  expect(exported.member.phone).toBe('+31612345678');
  expect(exported.member.consent).toMatchObject({ marketing: false });
  expect(await adminGet<unknown[]>(stack.serverUrl, '/api/v1/admin/parked')).toEqual([]);
});
