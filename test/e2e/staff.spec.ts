/**
 * Staff at the till, end to end with every layer real (built renderer in
 * Chromium, the browser-mode till host, a central server process): nothing is
 * sold before a PIN sign-in; five wrong PINs lock a cashier out, and a reload
 * does not lift it; voiding a large basket needs a supervisor's PIN and a
 * reason; every one of these reaches the server's audit log with who, what and
 * from which till. Driven from the keyboard and the (test) HID scanner.
 */
import { test, expect, type Page } from '@playwright/test';
import { withCheckDigit } from '../../shared/barcode';
import { adminGet } from '../support/processes';
import type { TestScanner } from '../support/scanner-bridge';
import { startTillStack, type TillStack } from '../support/till-stack';
import { ALEX, enterPin, SAM, signIn } from '../support/till-page';

const COFFEE = withCheckDigit('871000000011'); // 6.99 EUR

let stack: TillStack;
let serverUrl: string;
let tillUrl: string;
let scanner: TestScanner;

test.beforeAll(async () => {
  stack = await startTillStack({ name: 'staff' });
  ({ serverUrl, tillUrl } = stack);
  scanner = stack.scanner!;
});

test.afterAll(() => stack?.stop());

async function openTill(page: Page) {
  await page.goto(tillUrl);
  await expect(page.getByTestId('online-badge')).toHaveText('Online', { timeout: 30_000 });
  await expect(page.getByTestId('bootstrap')).toHaveCount(0, { timeout: 30_000 });
}

type Audit = { entries: Array<{ action: string; actor: string; source: string; detail: Record<string, unknown> }> };

test('sign-in by PIN, lock-out that survives a reload, and a supervisor-approved void, all audited', async ({
  page,
}) => {
  await openTill(page);
  // Locked till: a scan is refused with a message and nothing is added.
  await expect(page.getByTestId('sign-in')).toBeVisible();
  await scanner.scan(COFFEE);
  await expect(page.getByTestId('message')).toContainText('Sign in first');
  await signIn(page, SAM);
  await expect(page.getByTestId('basket-line')).toHaveCount(0);

  // Three coffees (20.97 EUR) are over the void threshold: the cashier needs a supervisor.
  for (let i = 1; i <= 3; i++) {
    await scanner.scan(COFFEE);
    await expect(page.getByTestId('line-quantity')).toHaveText(String(i));
  }
  await page.getByTestId('void-sale').focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('supervisor')).toBeVisible();
  // The cashier's own name is not offered: only supervisors approve.
  await expect(page.getByTestId('supervisor-who').locator('option')).toHaveText([`${ALEX.name} (supervisor)`]);
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('supervisor')).toHaveCount(0);
  await expect(page.getByTestId('basket-line')).toHaveCount(1);

  await page.getByTestId('void-sale').focus();
  await page.keyboard.press('Enter');
  // No reason: refused before any PIN is checked (no attempt is used up).
  await enterPin(page, 'supervisor', ALEX.id, ALEX.pin);
  await expect(page.getByTestId('supervisor-error')).toContainText('reason');
  await page.getByTestId('supervisor-reason').fill('customer changed their mind');
  await enterPin(page, 'supervisor', ALEX.id, '9999');
  await expect(page.getByTestId('supervisor-error')).toHaveText('Wrong PIN');
  await expect(page.getByTestId('basket-line')).toHaveCount(1);
  await enterPin(page, 'supervisor', ALEX.id, ALEX.pin);
  await expect(page.getByTestId('supervisor')).toHaveCount(0);
  await expect(page.getByTestId('basket-line')).toHaveCount(0);
  await expect(page.getByTestId('message')).toHaveText('Sale voided');

  // Sign out; five wrong PINs lock Sam out.
  await page.getByTestId('sign-out').click();
  for (let i = 1; i <= 4; i++) {
    await enterPin(page, 'sign-in', SAM.id, '0000');
    await expect(page.getByTestId('sign-in-error')).toHaveText('Wrong PIN');
  }
  await enterPin(page, 'sign-in', SAM.id, '0000');
  await expect(page.getByTestId('sign-in-error')).toContainText('Sam Cashier is locked out');
  // A reload does not lift the lock: the right PIN is not even checked.
  await openTill(page);
  await enterPin(page, 'sign-in', SAM.id, SAM.pin);
  await expect(page.getByTestId('sign-in-error')).toContainText('Sam Cashier is locked out');
  // Another person can still sign in at this till.
  await signIn(page, ALEX);
  await expect(page.getByTestId('waiting-badge')).toHaveText('All synced', { timeout: 30_000 });

  // Head office sees all of it, attributed and with the till it came from.
  const audit = await adminGet<Audit>(serverUrl, '/api/v1/admin/audit?action=till-event.');
  const seen = audit.entries.map((e) => [e.action, e.actor, e.source]).reverse();
  expect(seen).toEqual([
    ['till-event.sign-in', 'cashier:cashier-1', 'till:till-1'],
    ['till-event.shift-open', 'cashier:cashier-1', 'till:till-1'],
    ['till-event.override', 'cashier:supervisor-1', 'till:till-1'],
    ['till-event.sign-out', 'cashier:cashier-1', 'till:till-1'],
    ['till-event.pin-locked', 'cashier:cashier-1', 'till:till-1'],
    ['till-event.sign-in', 'cashier:supervisor-1', 'till:till-1'],
  ]);
  const override = audit.entries.find((e) => e.action === 'till-event.override')!;
  expect(override.detail).toMatchObject({
    action: 'void-basket',
    cashierId: 'cashier-1',
    supervisorId: 'supervisor-1',
    reason: 'customer changed their mind',
    details: { totalMinor: 2097, lines: 1 },
  });
});

test('a till left alone locks itself, keeps the basket, and not while a sale is being paid', async ({ page }) => {
  const idle = await startTillStack({ name: 'idle', tillConfig: { lockAfterIdleSeconds: 2 } });
  try {
    await page.goto(idle.tillUrl);
    await expect(page.getByTestId('online-badge')).toHaveText('Online', { timeout: 30_000 });
    await signIn(page, SAM);
    await idle.scanner!.scan(COFFEE);
    await expect(page.getByTestId('basket-line')).toHaveCount(1);

    // Nobody touches the till: it locks under the last cashier's name, and a scan is refused.
    await expect(page.getByTestId('sign-in')).toBeVisible({ timeout: 10_000 });
    await expect(page.getByTestId('sign-in')).toContainText('Till locked');
    await expect(page.getByTestId('sign-in-who')).toHaveValue(SAM.id);
    await idle.scanner!.scan(COFFEE);
    await expect(page.getByTestId('message')).toContainText('Sign in first');
    await signIn(page, SAM);
    await expect(page.getByTestId('line-quantity')).toHaveText('1');

    // While the pay dialog is open the customer is there: twice the idle time passes and the till stays open.
    await page.getByTestId('pay').click();
    await expect(page.getByTestId('pay-amount')).toBeFocused();
    await page.waitForTimeout(4_500);
    await expect(page.getByTestId('sign-in')).toHaveCount(0);
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('pay-dialog')).toHaveCount(0);
    await expect(page.getByTestId('sign-in')).toBeVisible({ timeout: 10_000 });
    await signIn(page, SAM);
    await expect(page.getByTestId('waiting-badge')).toHaveText('All synced', { timeout: 30_000 });

    const audit = await adminGet<Audit>(idle.serverUrl, '/api/v1/admin/audit?action=till-event.sign-out');
    expect(audit.entries.map((e) => e.detail.action)).toEqual(['idle', 'idle']);
  } finally {
    await idle.stop();
  }
});
