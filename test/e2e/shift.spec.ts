/**
 * A shift at the till, end to end (built renderer in Chromium, the real till host and server, the test HID
 * scanner), from the keyboard: F8 opens a shift with a float (a bad amount refused with its code), a cash sale is
 * counted in it, a cashier's large cash-out asks a supervisor's PIN and one over what the drawer holds is refused,
 * the X report shows the totals so far, and the close counts the cash blind: a difference over 5.00 asks a
 * supervisor, and the Z report shows expected, counted and the difference, printable and reprinted after a reload.
 * The server audits every shift event once; the shift dialog has no serious or critical axe finding.
 */
import AxeBuilder from '@axe-core/playwright';
import { test, expect, type Page } from '@playwright/test';
import { withCheckDigit } from '../../shared/barcode';
import { adminGet } from '../support/processes';
import type { TestScanner } from '../support/scanner-bridge';
import { startTillStack, type TillStack } from '../support/till-stack';
import { ALEX, SAM, enterPin, signIn } from '../support/till-page';

// Demo data (src-server/seed.ts): product 1 is milk.
const MILK = withCheckDigit('871000000001');

let stack: TillStack;
let scanner: TestScanner;

test.beforeAll(async () => {
  stack = await startTillStack({ name: 'shift' });
  scanner = stack.scanner!;
});
test.afterAll(() => stack?.stop());

async function typeSlowly(page: Page, text: string): Promise<void> {
  await page.keyboard.type(text, { delay: 120 });
}

/** The value of a report row, as shown. */
function row(page: Page, key: string) {
  return page.getByTestId(`shift-row-${key}`).locator('td');
}

async function axeProblems(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** From the shift menu: cash in or out, the amount and a reason at a person's pace. */
async function moveCash(page: Page, kind: 'cash-in' | 'cash-out', amount: string, reason: string): Promise<void> {
  await page.getByTestId(`shift-${kind}`).click();
  await expect(page.getByTestId('shift-amount')).toBeFocused();
  await typeSlowly(page, amount);
  await page.keyboard.press('Tab');
  await page.keyboard.type(reason, { delay: 40 });
  await page.keyboard.press('Enter');
}

type Audit = {
  entries: Array<{ actor: string; action: string; detail: { action: string; details: Record<string, unknown> } }>;
};

test('a shift: float, a sale, cash out with a supervisor, X report, a blind close and the Z report', async ({
  page,
}) => {
  await page.addInitScript('window.__prints = 0; window.print = () => { window.__prints += 1; };');
  await page.goto(stack.tillUrl);
  await signIn(page, SAM, 'Cashier', { shift: 'leave' });
  await expect(page.getByTestId('shift-badge')).toContainText('No shift open');

  // The first sign-in of the day asks for the float; Esc puts it off, and then nothing is sold until a shift
  // is open: a product scan, Pay and a return are refused with the reason.
  const dialog = page.getByTestId('shift-dialog');
  await expect(page.getByTestId('shift-amount')).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  await scanner.scan(MILK);
  await expect(page.getByTestId('message')).toContainText('No shift is open on this till');
  await expect(page.getByTestId('basket-line')).toHaveCount(0);
  await page.keyboard.press('F9');
  await expect(page.getByTestId('return-dialog')).toHaveCount(0);
  await expect(page.getByTestId('message')).toContainText('No shift is open on this till');

  // F8: open with a float; a bad amount is refused with its code and opens nothing.
  await expect(page.getByTestId('waiting-badge')).toHaveText('All synced', { timeout: 30_000 });
  await page.keyboard.press('F8');
  await expect(page.getByTestId('shift-amount')).toBeFocused();
  expect(await axeProblems(page)).toEqual([]);
  await typeSlowly(page, '1x');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('shift-error')).toContainText('SHIFT_BAD_AMOUNT');
  await page.getByTestId('shift-amount').fill('');
  await typeSlowly(page, '150.00');
  await page.keyboard.press('Enter');
  await expect(dialog).toHaveCount(0);
  await expect(page.getByTestId('shift-badge')).toContainText('Shift 1');

  // A cash sale in the shift: milk, paid with 20.00 handed over.
  await scanner.scan(MILK);
  await expect(page.getByTestId('basket-line')).toHaveCount(1);
  await page.keyboard.press('F12');
  await expect(page.getByTestId('pay-amount')).toBeFocused();
  await typeSlowly(page, '20');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('receipt-change')).toBeVisible();

  // A cashier takes 120.00 out: a supervisor's PIN first. Then 500.00: more than the drawer holds, refused.
  await page.keyboard.press('F8');
  await expect(page.getByTestId('shift-cash-in')).toBeFocused();
  expect(await axeProblems(page)).toEqual([]);
  await moveCash(page, 'cash-out', '120.00', 'To the safe');
  await expect(page.getByTestId('supervisor')).toContainText('120.00 EUR');
  await enterPin(page, 'supervisor', ALEX.id, ALEX.pin);
  await expect(page.getByTestId('shift-notice')).toContainText('Cash out of 120.00 EUR recorded');
  await moveCash(page, 'cash-out', '500.00', 'To the safe');
  await enterPin(page, 'supervisor', ALEX.id, ALEX.pin);
  await expect(page.getByTestId('shift-error')).toContainText('SHIFT_CASH_SHORT');
  await expect(page.getByTestId('shift-amount')).toBeFocused();
  await page.keyboard.press('Escape');
  await moveCash(page, 'cash-in', '10.00', 'Change from the office');
  await expect(page.getByTestId('supervisor')).toHaveCount(0);
  await expect(page.getByTestId('shift-notice')).toContainText('Cash in of 10.00 EUR recorded');

  // The X report: the totals so far; the shift stays open.
  await page.getByTestId('shift-x-report').click();
  const report = page.getByTestId('shift-report');
  await expect(report).toHaveAttribute('data-kind', 'x');
  await expect(row(page, 'floatMinor')).toHaveText('150.00 EUR');
  await expect(row(page, 'salesCount')).toHaveText('1');
  await expect(row(page, 'cashOutMinor')).toHaveText('120.00 EUR');
  await expect(row(page, 'cashInMinor')).toHaveText('10.00 EUR');
  await expect(page.getByTestId('shift-report-movements').locator('li')).toHaveCount(2);
  expect(await axeProblems(page)).toEqual([]);
  const expectedText = (await row(page, 'expectedCashMinor').textContent()) ?? '';
  const m = /(\d+)\.(\d{2})/.exec(expectedText)!;
  const expected = Number(m[1]) * 100 + Number(m[2]);
  const milkPaid = expected - 15_000 + 12_000 - 1_000;
  expect(milkPaid).toBeGreaterThan(0);
  await expect(row(page, 'byCash')).toHaveText(`${(milkPaid / 100).toFixed(2)} EUR`);
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('shift-close')).toBeVisible();

  // The close: counted blind, 10.00 short, so a supervisor approves; the Z report shows the difference.
  await page.getByTestId('shift-close').click();
  await expect(page.getByTestId('shift-amount')).toBeFocused();
  await expect(dialog).not.toContainText(expectedText);
  await typeSlowly(page, ((expected - 1_000) / 100).toFixed(2));
  await page.keyboard.press('Tab');
  await page.keyboard.type('Miscount', { delay: 40 });
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('supervisor')).toContainText('10.00 EUR');
  await enterPin(page, 'supervisor', ALEX.id, ALEX.pin);
  await expect(report).toHaveAttribute('data-kind', 'z');
  await expect(row(page, 'expectedCashMinor')).toHaveText(expectedText);
  await expect(row(page, 'countedCashMinor')).toHaveText(`${((expected - 1_000) / 100).toFixed(2)} EUR`);
  await expect(row(page, 'differenceMinor')).toHaveText('-10.00 EUR');
  // The print button has the focus: Enter prints.
  await expect(page.getByTestId('shift-report-print')).toBeFocused();
  await page.keyboard.press('Enter');
  expect(await page.evaluate<number>('window.__prints')).toBe(1);
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  await expect(page.getByTestId('shift-badge')).toContainText('No shift open');

  // After a reload the shift is still closed, and its Z report can be printed again.
  await page.reload();
  await signIn(page, SAM, 'Cashier', { shift: 'leave' });
  await expect(page.getByTestId('shift-badge')).toContainText('No shift open');
  await page.getByTestId('shift-last-z').click();
  await expect(row(page, 'differenceMinor')).toHaveText('-10.00 EUR');
  await page.keyboard.press('Escape');

  // The server audited each shift event once, the supervisor named on the cash-out and the close.
  await expect(page.getByTestId('waiting-badge')).toHaveText('All synced', { timeout: 30_000 });
  const audit = await adminGet<Audit>(stack.serverUrl, '/api/v1/admin/audit?action=till-event.');
  const shiftActions = audit.entries
    .map((e) => e.detail.action)
    .filter((a) => ['open', 'cash-in', 'cash-out', 'x-report', 'close'].includes(a))
    .reverse();
  expect(shiftActions).toEqual(['open', 'cash-out', 'cash-in', 'x-report', 'close']);
  const close = audit.entries.find((e) => e.detail.action === 'close')!;
  expect(close.detail.details.differenceMinor).toBe(-1_000);
});
