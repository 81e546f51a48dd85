/**
 * The till in three languages, and its screens checked by axe-core, end to end (built renderer in Chromium, the
 * real till host and central server):
 * - the cashier switches the till to Russian: the status bar, the basket, the engine's explanation of points
 *   and money read in Russian, and `<html lang>` follows; after a reload the till is still in Russian; then
 *   Bulgarian, then back to English;
 * - every screen (sign-in, sale with the member panel, points adjustment, household, edit details, lost card,
 *   history, enrolment, product search, discount, supervisor PIN, pay, receipt, return, name search results, a
 *   refused digital card, the shift's dialogs and reports, scanner settings, locked) in each of the three languages has no serious or critical axe
 *   violations (WCAG 2.1 A and AA rules).
 */
import { test, expect, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { withCheckDigit } from '../../shared/barcode';
import type { TestScanner } from '../support/scanner-bridge';
import { startTillStack, type TillStack } from '../support/till-stack';
import { ALEX, enterPin, signIn } from '../support/till-page';

// Demo data (src-server/seed.ts): member 2 is Bram Jansen; product 1 is milk.
const CARD = withCheckDigit('299000000002');
const MILK = withCheckDigit('871000000001');

let stack: TillStack;
let scanner: TestScanner;

test.beforeAll(async () => {
  stack = await startTillStack({ name: 'language' });
  scanner = stack.scanner!;
});

test.afterAll(() => stack?.stop());

/** Serious and critical axe findings on the page as it stands, one line each. */
async function axeProblems(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

test('Russian, then Bulgarian, kept across a reload; engine explanations translated', async ({ page }) => {
  await page.goto(stack.tillUrl);
  // The language is chosen before anyone signs in: the sign-in dialog itself changes.
  await expect(page.getByTestId('sign-in')).toContainText('Sign in', { timeout: 30_000 });
  await page.getByTestId('sign-in-language').selectOption('bg');
  await expect(page.locator('html')).toHaveAttribute('lang', 'bg');
  await expect(page.getByTestId('sign-in')).toContainText('Вход');
  await expect(page.getByTestId('sign-in-submit')).toHaveText('Потвърди');
  await page.getByTestId('sign-in-language').selectOption('en');
  await expect(page.getByTestId('sign-in')).toContainText('Sign in');
  await signIn(page);
  await expect(page.getByTestId('waiting-badge')).toHaveText('All synced', { timeout: 30_000 });
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');

  await page.getByTestId('language').selectOption('ru');
  await expect(page.locator('html')).toHaveAttribute('lang', 'ru');
  await expect(page.getByTestId('waiting-badge')).toHaveText('Всё синхронизировано');
  await expect(page.getByTestId('online-badge')).toHaveText('В сети');
  await scanner.scan(CARD);
  await expect(page.getByTestId('member-name')).toHaveText('Bram Jansen');
  await scanner.scan(MILK);
  await expect(page.getByTestId('basket-line')).toHaveCount(1);
  await expect(page.getByRole('heading', { name: 'Корзина' })).toBeVisible();
  // Money the Russian way (a decimal comma), the engine's explanation from its codes.
  await expect(page.getByTestId('total')).toHaveText(/^\d+,\d{2} EUR$/);
  await expect(page.getByTestId('pay')).toContainText('Оплата');
  await page.getByRole('button', { name: 'Как начислены баллы' }).click();
  const steps = page.getByTestId('explanation').locator('li');
  await expect(steps.first()).toBeVisible();
  for (const text of await steps.allTextContents()) expect(text).toMatch(/[а-яё]/i);

  await page.reload();
  await expect(page.locator('html')).toHaveAttribute('lang', 'ru');
  await expect(page.getByTestId('sign-in')).toContainText('Вход');
  await signIn(page, undefined, 'Кассир');
  await page.getByTestId('language').selectOption('bg');
  await expect(page.getByTestId('waiting-badge')).toHaveText('Всичко е синхронизирано', { timeout: 30_000 });
  await expect(page.getByTestId('signed-in-as')).toHaveText('Касиер: Sam Cashier');
  await page.getByTestId('language').selectOption('en');
  await expect(page.getByTestId('waiting-badge')).toHaveText('All synced');
});

/** How each language says "Cashier" in the status bar (signIn checks it). */
const CASHIER_LABEL = { en: 'Cashier', ru: 'Кассир', bg: 'Касиер' } as const;
/** The scanner's status, sent by the host as a code: the till says it in its own language. */
const SCANNER_READY = {
  en: 'Scanner ready: Test scanner',
  ru: 'Сканер готов: Test scanner',
  bg: 'Скенерът е готов: Test scanner',
} as const;

for (const lang of ['en', 'ru', 'bg'] as const) {
  test(`every screen in ${lang}: no serious or critical axe violations, and a screenshot of each`, async ({ page }) => {
    test.setTimeout(120_000);
    await page.setViewportSize({ width: 1024, height: 768 });
    const problems: Record<string, string[]> = {};
    /** Checks the screen as it stands with axe and keeps a screenshot of it. */
    async function screen(name: string): Promise<void> {
      problems[name] = await axeProblems(page);
      await page.screenshot({ path: test.info().outputPath(`${lang}-${name}.png`) });
    }
    async function typeSlowly(text: string): Promise<void> {
      await page.keyboard.type(text, { delay: 120 });
    }

    await page.goto(stack.tillUrl);
    await expect(page.getByTestId('sign-in')).toBeVisible({ timeout: 30_000 });
    await page.getByTestId('sign-in-language').selectOption(lang);
    await expect(page.locator('html')).toHaveAttribute('lang', lang);
    await screen('sign-in');
    await signIn(page, undefined, CASHIER_LABEL[lang]);
    await expect(page.getByTestId('scanner-state')).toHaveText(SCANNER_READY[lang], { timeout: 30_000 });
    await scanner.scan(CARD);
    await expect(page.getByTestId('member-name')).toHaveText('Bram Jansen');
    await scanner.scan(MILK);
    await expect(page.getByTestId('basket-line')).toHaveCount(1);
    await screen('sale');

    await page.keyboard.press('F7');
    await expect(page.getByTestId('adjust-points-dialog')).toBeVisible();
    await typeSlowly('x');
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('adjust-points-error')).toContainText('ADJUST_BAD_POINTS');
    await screen('points-adjust');
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('adjust-points-dialog')).toHaveCount(0);

    // The household join (F11): Bram with himself, refused with its code; nothing written.
    await page.keyboard.press('F11');
    await expect(page.getByTestId('household-find')).toBeFocused();
    await typeSlowly(CARD);
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('household-error')).toContainText('HOUSEHOLD_SELF');
    await screen('household');
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('household-dialog')).toHaveCount(0);

    // Edit details: nothing changed is refused with its code; nothing written.
    await page.getByTestId('open-profile').focus();
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('profile-phone')).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('profile-error')).toContainText('PROFILE_UNCHANGED');
    await screen('profile');
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('profile-dialog')).toHaveCount(0);

    // Lost card: the replacement form as the cashier sees it, closed unasked; the card stays.
    await page.getByTestId('open-card-replace').focus();
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('card-replace-card-new')).toBeFocused();
    await screen('card-replace');
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('card-replace-dialog')).toHaveCount(0);
    await expect(page.getByTestId('member-card')).toHaveText(CARD);

    await page.keyboard.press('F10');
    await expect(page.getByTestId('history-source')).toHaveAttribute('data-source', 'server');
    await screen('history');
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('history-dialog')).toHaveCount(0);

    // Enrolment (F6): a bad e-mail refused, the form as the cashier sees it; nothing written.
    await page.keyboard.press('F6');
    await expect(page.getByTestId('enrol-name')).toBeFocused();
    await typeSlowly('Ivo');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await typeSlowly('ivo@');
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('enrol-error')).toContainText('ENROL_FIELD_INVALID');
    await screen('enrol');
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('enrol-dialog')).toHaveCount(0);
    await expect(page.getByTestId('member-name')).toHaveText('Bram Jansen');

    await page.keyboard.press('F4');
    await typeSlowly('milk');
    await expect(page.getByTestId('product-result').first()).toBeVisible();
    await screen('product-search');
    await page.keyboard.press('Escape');

    await page.keyboard.press('F2');
    await typeSlowly('10-');
    await expect(page.getByTestId('price-change')).toBeVisible();
    await screen('discount');
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('price-change')).toHaveCount(0);
    await page.keyboard.press('F2');
    await typeSlowly('2+');
    await expect(page.getByTestId('supervisor')).toBeVisible();
    await screen('supervisor');
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('supervisor')).toHaveCount(0);

    await page.keyboard.press('F12');
    await expect(page.getByTestId('pay-dialog')).toBeVisible();
    await screen('pay');
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('receipt-barcode')).toBeVisible();
    await screen('receipt');

    await page.keyboard.press('F9');
    await expect(page.getByTestId('return-dialog')).toBeVisible();
    await screen('return');
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('return-dialog')).toHaveCount(0);

    // After the sale no member is attached: a name two members share gives the list; a garbled digital card
    // is refused with its code.
    await page.keyboard.press('F3');
    await expect(page.getByTestId('lookup-input')).toBeFocused();
    await typeSlowly('пет');
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('member-result')).toHaveCount(2);
    await screen('member-search');
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('member-search')).toHaveCount(0);
    await page.keyboard.press('F3');
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.press('Delete');
    await typeSlowly('KC1.x');
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('message')).toContainText('DIGITAL_CARD_GARBLED');
    await screen('digital-card-refused');
    await expect(page.getByTestId('member-name')).toHaveCount(0);

    // The shift: its menu, cash in, the X report, the blind close with a supervisor, the Z report, and the
    // dialog that opens the next one.
    await page.keyboard.press('F8');
    await expect(page.getByTestId('shift-cash-in')).toBeFocused();
    await screen('shift');
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('shift-reason')).toBeVisible();
    await screen('shift-cash-in');
    await page.keyboard.press('Escape');
    await page.getByTestId('shift-x-report').click();
    await expect(page.getByTestId('shift-report')).toHaveAttribute('data-kind', 'x');
    await screen('shift-x-report');
    await page.keyboard.press('Escape');
    await page.getByTestId('shift-close').click();
    await expect(page.getByTestId('shift-amount')).toBeFocused();
    await screen('shift-close');
    await typeSlowly('1');
    await page.keyboard.press('Tab');
    await typeSlowly('Count');
    await page.keyboard.press('Enter');
    await enterPin(page, 'supervisor', ALEX.id, ALEX.pin);
    await expect(page.getByTestId('shift-report')).toHaveAttribute('data-kind', 'z');
    await screen('shift-z-report');
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('shift-dialog')).toHaveCount(0);
    await page.keyboard.press('F8');
    await expect(page.getByTestId('shift-amount')).toBeFocused();
    await screen('shift-open');
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('shift-dialog')).toHaveCount(0);

    await page.getByTestId('open-scanner-settings').click();
    await expect(page.getByTestId('scanner-settings')).toBeVisible();
    await screen('scanner-settings');
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('scanner-settings')).toHaveCount(0);

    await page.getByTestId('sign-out').click();
    await expect(page.getByTestId('sign-in')).toBeVisible();
    await screen('locked');
    expect(problems).toEqual(Object.fromEntries(Object.keys(problems).map((k) => [k, []])));
  });
}
