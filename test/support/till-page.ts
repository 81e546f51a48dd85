/**
 * What a cashier does on the till page in the e2e tests, from the keyboard:
 * sign in with a PIN (the PIN field has the focus; the person is chosen in the
 * select list, Enter submits).
 */
import { expect, type Page } from '@playwright/test';

/** Demo staff (src-server/seed.ts DEMO_STAFF). */
export const SAM = { id: 'cashier-1', name: 'Sam Cashier', pin: '1234' } as const;
export const ALEX = { id: 'supervisor-1', name: 'Alex Supervisor', pin: '2580' } as const;

/** Types a PIN for someone in an open PIN dialog and submits it with Enter. */
export async function enterPin(page: Page, dialog: string, who: string, pin: string): Promise<void> {
  await expect(page.getByTestId(dialog)).toBeVisible({ timeout: 30_000 });
  await page.getByTestId(`${dialog}-who`).selectOption(who);
  await page.getByTestId(`${dialog}-pin`).focus();
  // A person's pace: four digits and Enter at machine speed are a scanner's burst to the keyboard wedge.
  await page.keyboard.type(pin, { delay: 120 });
  await page.keyboard.press('Enter');
}

/**
 * Signs in; `cashierLabel` is how the till's language says "Cashier" in the status bar. With no shift open the
 * till asks for the float at once: `shift: 'open'` (the default) opens one with 100.00, `'leave'` leaves the
 * dialog open for the test.
 */
export async function signIn(
  page: Page,
  who: { id: string; name: string; pin: string } = SAM,
  cashierLabel = 'Cashier',
  options: { shift?: 'open' | 'leave' } = {},
): Promise<void> {
  await enterPin(page, 'sign-in', who.id, who.pin);
  await expect(page.getByTestId('signed-in-as')).toHaveText(`${cashierLabel}: ${who.name}`);
  await expect(page.getByTestId('sign-in')).toHaveCount(0);
  const badge = page.getByTestId('shift-badge');
  await expect(badge).toHaveAttribute('data-shift', /^(none|open)$/);
  if ((await badge.getAttribute('data-shift')) === 'open' || options.shift === 'leave') return;
  await expect(page.getByTestId('shift-amount')).toBeFocused();
  await page.keyboard.type('100.00', { delay: 120 });
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('shift-dialog')).toHaveCount(0);
  await expect(badge).toHaveAttribute('data-shift', 'open');
}
