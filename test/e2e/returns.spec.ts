/**
 * Returns at the till, end to end (built renderer in Chromium, the real till
 * host, a real central server process on PGlite), from the keyboard and the
 * scanner as a cashier works:
 * - a member's sale, paid in cash; its receipt barcode scanned: the return
 *   dialog opens on it, one line is returned, the refund goes back in cash,
 *   the member's earned points are taken back (on the till and, once
 *   synced, on the server);
 * - the receipt number typed (F9): what is left of each line, a quantity
 *   over it refused with a coded message;
 * - a refund over the threshold asks a supervisor's PIN;
 * - offline, a return of this till's own sale is recorded (and syncs
 *   later); a receipt of another till is refused with a coded message.
 */
import { test, expect, type Page } from '@playwright/test';
import { withCheckDigit } from '../../shared/barcode';
import { adminGet } from '../support/processes';
import type { TestScanner } from '../support/scanner-bridge';
import { startTillStack, type TillStack } from '../support/till-stack';
import { ALEX, enterPin, signIn } from '../support/till-page';

// Demo data (src-server/seed.ts): member 2 is Bram Jansen; products 1 and 11 are milk and ground coffee (6.99).
const CARD = withCheckDigit('299000000002');
const MILK = withCheckDigit('871000000001');
const COFFEE = withCheckDigit('871000000011');

let stack: TillStack;
let scanner: TestScanner;

test.beforeAll(async () => {
  stack = await startTillStack({ name: 'returns' });
  scanner = stack.scanner!;
});

test.afterAll(async () => {
  await stack?.stop();
});

async function typeSlowly(page: Page, text: string): Promise<void> {
  await page.keyboard.type(text, { delay: 120 });
}

/** Bram's card scanned: the panel shows `balance` (the view is recomputed from the journal), then cleared. */
async function expectBalance(page: Page, balance: number): Promise<void> {
  await scanner.scan(CARD);
  await expect(page.getByTestId('member-name')).toHaveText('Bram Jansen');
  await expect(page.getByTestId('member-balance')).toHaveText(String(balance));
  await page.getByRole('button', { name: 'Clear member' }).click();
}

async function serverBalance(): Promise<number> {
  const m = await adminGet<{ member: { state: { balance: number } } }>(
    stack.serverUrl,
    `/api/v1/admin/members/${CARD}`,
  );
  return m.member.state.balance;
}

/** Sells the scanned codes to Bram, paid in exact cash (Enter); returns the receipt's label and his new balance. */
async function sell(page: Page, codes: string[]): Promise<{ label: string; balance: number }> {
  await scanner.scan(CARD);
  await expect(page.getByTestId('member-name')).toHaveText('Bram Jansen');
  for (const code of codes) await scanner.scan(code);
  // Every scan on screen (one line per product, its quantity counted) before Pay.
  const counts = new Map<string, number>();
  for (const code of codes) counts.set(code, (counts.get(code) ?? 0) + 1);
  await expect(page.getByTestId('line-quantity')).toHaveText([...counts.values()].map(String));
  await page.keyboard.press('F12');
  await expect(page.getByTestId('pay-amount')).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('receipt')).toBeVisible();
  const text = (await page.getByTestId('receipt-number').textContent()) ?? '';
  const balance = /(\d+)/.exec((await page.getByTestId('receipt-balance').textContent()) ?? '')![1];
  return { label: text.replace(/^Receipt /, ''), balance: Number(balance) };
}

test('a return by receipt barcode and by number, a supervisor over the threshold, offline for own sales only', async ({
  page,
}) => {
  test.setTimeout(180_000);
  await page.addInitScript('window.__prints = 0; window.print = () => { window.__prints += 1; };');
  await page.goto(stack.tillUrl);
  await signIn(page);
  await expect(page.getByTestId('waiting-badge')).toHaveText('All synced', { timeout: 30_000 });

  // A sale of 2 coffee and 1 milk to Bram, paid in cash.
  const { label, balance: earnedBalance } = await sell(page, [COFFEE, COFFEE, MILK]);
  expect(label).toBe('till-1-000001');
  await expect(page.getByTestId('waiting-badge')).toHaveText('All synced', { timeout: 30_000 });
  const [sale] = await adminGet<Array<{ id: string }>>(stack.serverUrl, '/api/v1/admin/sales?tillId=till-1');

  // Its receipt barcode scanned: the return dialog opens on the sale; one coffee back.
  await scanner.scan(`KR${sale!.id}`);
  await expect(page.getByTestId('return-dialog')).toBeVisible();
  await expect(page.getByTestId('return-sale')).toContainText('till-1-000001');
  await expect(page.getByTestId('return-line')).toHaveCount(2);
  await expect(page.getByTestId('return-left').first()).toHaveText('2');
  await expect(page.getByTestId('return-qty').first()).toBeFocused();
  // A product scanned meanwhile is refused, not added to the basket behind the dialog.
  await scanner.scan(MILK);
  await expect(page.getByTestId('message')).toHaveText('Scan not added: finish or close the return first (Esc)');
  await expect(page.getByTestId('basket-line')).toHaveCount(0);
  await page.getByTestId('return-qty').first().focus();
  await typeSlowly(page, '1');
  await expect(page.getByTestId('return-preview-refund')).toHaveText('6.99 EUR');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('return-receipt-number')).toHaveText('Return receipt till-1-000002');
  await expect(page.getByTestId('return-refund')).toHaveText('6.99 EUR');
  await expect(page.getByTestId('return-tenders')).toHaveText('Refunded to Cash 6.99 EUR');
  const reversed = Number(/(\d+)/.exec((await page.getByTestId('return-points-reversed').textContent()) ?? '')![1]);
  expect(reversed).toBeGreaterThan(0);
  await page.getByTestId('print-return').click();
  expect(await page.evaluate<number>('window.__prints')).toBe(1);
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('return-dialog')).toHaveCount(0);
  await expect(page.getByTestId('message')).toHaveText('Return recorded: refund 6.99 EUR');
  // The member's earned points for that coffee are taken back, on the till and on the server.
  await expectBalance(page, earnedBalance - reversed);
  await expect(page.getByTestId('waiting-badge')).toHaveText('All synced', { timeout: 30_000 });
  await expect.poll(serverBalance, { timeout: 30_000 }).toBe(earnedBalance - reversed);

  // The receipt number typed (F9): one coffee left; two are refused, and nothing is written.
  await page.keyboard.press('F9');
  await expect(page.getByTestId('return-receipt-input')).toBeFocused();
  await typeSlowly(page, label);
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('return-left').first()).toHaveText('1');
  await expect(page.getByTestId('return-qty').first()).toBeFocused();
  await typeSlowly(page, '2');
  await expect(page.getByTestId('return-pick-error')).toContainText('1 left to return');
  await expect(page.getByTestId('return-pick-error')).toContainText('RETURN_NOT_ALLOWED');
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('return-dialog')).toHaveCount(0);
  await expect(page.getByTestId('waiting-badge')).toHaveText('All synced');

  // Three coffee (20.97 EUR) back: over the threshold, a supervisor approves with a reason.
  const big = (await sell(page, [COFFEE, COFFEE, COFFEE])).label;
  await page.getByTestId('open-return').click();
  await page.getByTestId('return-receipt-input').focus();
  await typeSlowly(page, big.replace(/^till-1-0*/, ''));
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('return-qty').first()).toBeFocused();
  await typeSlowly(page, '3');
  await page.keyboard.press('Enter');
  await page.getByTestId('return-supervisor-reason').fill('damaged');
  await enterPin(page, 'return-supervisor', ALEX.id, ALEX.pin);
  await expect(page.getByTestId('return-refund')).toHaveText('20.97 EUR');
  await page.keyboard.press('Escape');

  // Head office sees the override: who approved which return, and why.
  await expect(page.getByTestId('waiting-badge')).toHaveText('All synced', { timeout: 30_000 });
  const audit = await adminGet<{ entries: Array<{ action: string; detail: Record<string, unknown> }> }>(
    stack.serverUrl,
    '/api/v1/admin/audit?action=till-event.override',
  );
  expect(audit.entries.map((e) => e.detail)).toEqual([
    expect.objectContaining({
      action: 'return',
      cashierId: 'cashier-1',
      supervisorId: 'supervisor-1',
      reason: 'damaged',
      details: expect.objectContaining({ refundMinor: 2097 }),
    }),
  ]);
  // Both returns so far reached the server (negative totals: money out).
  const returns = await adminGet<Array<{ id: string; total_minor: number | string }>>(
    stack.serverUrl,
    '/api/v1/admin/sales?tillId=till-1',
  );
  expect(returns.filter((r) => Number(r.total_minor) < 0)).toHaveLength(2);

  // Offline: the server stops. This till's own sale is returned; another till's receipt is refused.
  await expect(page.getByTestId('waiting-badge')).toHaveText('All synced', { timeout: 30_000 });
  await stack.stopServer();
  await expect(page.getByTestId('online-badge')).toHaveText('Offline', { timeout: 30_000 });
  const own = await sell(page, [MILK, MILK]);
  await page.keyboard.press('F9');
  await typeSlowly(page, own.label);
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('return-sale')).toContainText('(from this till)');
  await typeSlowly(page, '1');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('return-tenders')).toHaveText(/^Refunded to Cash /);
  const milkBack = Number(/(\d+)/.exec((await page.getByTestId('return-points-reversed').textContent()) ?? '')![1]);
  await page.keyboard.press('Escape');
  const offlineBalance = own.balance - milkBack;
  await expectBalance(page, offlineBalance);
  await page.keyboard.press('F9');
  await typeSlowly(page, 'till-2-000001');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('return-error')).toContainText('RETURN_NEEDS_SERVER');
  await page.keyboard.press('Escape');

  // The server back: the offline sale and its return sync; the server's balance is the till's.
  await stack.restartServer();
  await expect(page.getByTestId('waiting-badge')).toHaveText('All synced', { timeout: 60_000 });
  await expect.poll(serverBalance, { timeout: 30_000 }).toBe(offlineBalance);
  const flags = await adminGet<Array<{ kind: string }>>(stack.serverUrl, '/api/v1/admin/review-flags');
  expect(flags.filter((f) => f.kind === 'return-parked')).toEqual([]);
});
