/**
 * A manual points adjustment at the till, end to end (built renderer in Chromium, the real till host and server,
 * the test HID scanner), from the keyboard: a cashier opens it on the member (F7), types the points and a reason,
 * and a supervisor's PIN approves it; a bad amount or an overdraft is refused with its code and writes nothing; a
 * signed-in supervisor approves their own. The server applies each adjustment once and audits it with the
 * supervisor's name.
 */
import { test, expect, type Page } from '@playwright/test';
import { withCheckDigit } from '../../shared/barcode';
import { demoUlid } from '../../src-server/seed';
import { adminGet } from '../support/processes';
import type { TestScanner } from '../support/scanner-bridge';
import { startTillStack, type TillStack } from '../support/till-stack';
import { ALEX, enterPin, SAM, signIn } from '../support/till-page';

// Demo data (src-server/seed.ts): member 6 is Finn Smit.
const FINN = withCheckDigit('299000000006');
const FINN_ID = demoUlid(6);

let stack: TillStack;
let scanner: TestScanner;

test.beforeAll(async () => {
  stack = await startTillStack({ name: 'adjust' });
  scanner = stack.scanner!;
});
test.afterAll(() => stack?.stop());

async function balanceShown(page: Page): Promise<number> {
  return Number(await page.getByTestId('member-balance').textContent());
}

/** Opens the adjustment on the member and fills it in at a person's pace; Enter submits. */
async function adjust(page: Page, points: string, reason: string): Promise<void> {
  await page.keyboard.press('F7');
  await expect(page.getByTestId('adjust-points-amount')).toBeFocused();
  await page.keyboard.type(points, { delay: 120 });
  await page.keyboard.press('Tab');
  await expect(page.getByTestId('adjust-points-reason')).toBeFocused();
  await page.keyboard.type(reason, { delay: 60 });
  await page.keyboard.press('Enter');
}

type Audit = { entries: Array<{ actor: string; detail: { action: string; details: Record<string, unknown> } }> };
type AdminMember = { member: { state: { balance: number } } };

test('a supervisor approves a points adjustment at the till; bad ones are refused; each reaches the server once', async ({
  page,
}) => {
  await page.goto(stack.tillUrl);
  await signIn(page, SAM);
  await expect(page.getByTestId('waiting-badge')).toHaveText('All synced', { timeout: 30_000 });
  await scanner.scan(FINN);
  await expect(page.getByTestId('member-name')).toHaveText('Finn Smit');
  const before = await balanceShown(page);
  expect(before).toBeGreaterThan(0);

  // Zero points, then more than the member has to take away: refused with their codes, nothing asked or written.
  await adjust(page, '0', 'Goodwill');
  await expect(page.getByTestId('adjust-points-error')).toContainText('ADJUST_BAD_POINTS');
  await page.getByTestId('adjust-points-amount').fill(`-${before + 1}`);
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('adjust-points-error')).toContainText('NOT_ENOUGH_POINTS');
  await expect(page.getByTestId('supervisor')).toHaveCount(0);
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('adjust-points-dialog')).toHaveCount(0);
  expect(await balanceShown(page)).toBe(before);

  // +50 by the cashier: a supervisor's PIN is asked (a wrong one changes nothing), then the balance follows.
  await adjust(page, '+50', 'Points missing from a purchase');
  await expect(page.getByTestId('supervisor')).toContainText('+50');
  await expect(page.getByTestId('supervisor-who').locator('option')).toHaveText([`${ALEX.name} (supervisor)`]);
  await enterPin(page, 'supervisor', ALEX.id, '9999');
  await expect(page.getByTestId('supervisor-error')).toHaveText('Wrong PIN');
  await enterPin(page, 'supervisor', ALEX.id, ALEX.pin);
  await expect(page.getByTestId('supervisor')).toHaveCount(0);
  await expect(page.getByTestId('member-balance')).toHaveText(String(before + 50));
  await expect(page.getByTestId('message')).toContainText(`+50`);

  // A supervisor signed in approves their own: no PIN asked.
  await page.getByTestId('sign-out').click();
  await signIn(page, ALEX);
  await scanner.scan(FINN);
  await expect(page.getByTestId('member-name')).toHaveText('Finn Smit');
  await adjust(page, '-20', 'Wrong card scanned');
  await expect(page.getByTestId('adjust-points-dialog')).toHaveCount(0);
  await expect(page.getByTestId('supervisor')).toHaveCount(0);
  await expect(page.getByTestId('member-balance')).toHaveText(String(before + 30));

  // The server took both, once, and audited them with the supervisor.
  await expect(page.getByTestId('waiting-badge')).toHaveText('All synced', { timeout: 30_000 });
  const server = await adminGet<AdminMember>(stack.serverUrl, `/api/v1/admin/members/${FINN_ID}`);
  expect(server.member.state.balance).toBe(before + 30);
  const audit = await adminGet<Audit>(stack.serverUrl, '/api/v1/admin/audit?action=till-event.override');
  const adjustments = audit.entries
    .filter((e) => e.detail.action === 'points-adjust')
    .map((e) => [e.actor, e.detail.details.points, e.detail.details.memberId])
    .reverse();
  expect(adjustments).toEqual([
    ['cashier:supervisor-1', 50, FINN_ID],
    ['cashier:supervisor-1', -20, FINN_ID],
  ]);
  await expect(page.getByTestId('member-balance')).toHaveText(String(before + 30));
});
