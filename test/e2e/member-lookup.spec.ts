/**
 * Finding a member without their card, end to end and from the keyboard only
 * (built renderer in Chromium, the real till host and central server, the
 * demo chain): F3, a phone number in the store's national format (NL) finds
 * the member through its keyed hash; a Cyrillic name prefix shared by two
 * members opens the list, ↓ and Enter take the second; Esc closes the list;
 * a name nobody has says so with its code. The list has no serious or
 * critical axe findings.
 */
import { test, expect, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { withCheckDigit } from '../../shared/barcode';
import { startTillStack, type TillStack } from '../support/till-stack';
import { signIn } from '../support/till-page';

// Demo data (src-server/seed.ts): member n has phone +316 1000000(n-1); member 2 is Bram Jansen, member 10
// Иван Петров, member 11 Ирина Петрова.
const BRAM_NATIONAL = '06 10000001';

let stack: TillStack;

test.beforeAll(async () => {
  stack = await startTillStack({ name: 'member-lookup', scanner: false });
});

test.afterAll(() => stack?.stop());

/** Types into the focused field at a person's pace (machine-speed typing is a scanner burst to the wedge). */
async function typeSlowly(page: Page, text: string): Promise<void> {
  await page.keyboard.type(text, { delay: 120 });
}

/** F3 to the member field, the text, Enter. */
async function lookUp(page: Page, text: string): Promise<void> {
  await page.keyboard.press('F3');
  await expect(page.getByTestId('lookup-input')).toBeFocused();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Delete');
  await typeSlowly(page, text);
  await page.keyboard.press('Enter');
}

/** Clears the member from the keyboard: Tab from the adjust button to "Clear member", Enter. */
async function clearMember(page: Page): Promise<void> {
  const focused = page.locator('[data-testid="member-panel"] button:focus', { hasText: 'Clear member' });
  for (let i = 0; i < 60 && (await focused.count()) === 0; i++) await page.keyboard.press('Tab');
  await expect(focused).toHaveCount(1);
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('member-name')).toHaveCount(0);
}

test('lookup by national phone and by a Cyrillic name, keyboard only', async ({ page }, info) => {
  await page.goto(stack.tillUrl);
  await expect(page.getByTestId('online-badge')).toHaveText('Online', { timeout: 30_000 });
  await expect(page.getByTestId('bootstrap')).toHaveCount(0, { timeout: 30_000 });
  await signIn(page);

  // A phone number as the cashier hears it, in the store's national format.
  await lookUp(page, BRAM_NATIONAL);
  await expect(page.getByTestId('member-name')).toHaveText('Bram Jansen');
  await clearMember(page);

  // A Cyrillic prefix two members' surnames start with: the list, sorted by name, first one chosen.
  await lookUp(page, 'пет');
  const results = page.getByTestId('member-result');
  await expect(results).toHaveText([/^Иван Петров/, /^Ирина Петрова/]);
  await expect(page.getByTestId('member-results')).toBeFocused();
  await expect(results.nth(0)).toHaveAttribute('aria-selected', 'true');
  await expect(results.nth(1)).toContainText(`…${withCheckDigit('299000000011').slice(-4)}`);
  const axe = await new AxeBuilder({ page })
    .include('[data-testid="member-search"]')
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  expect(axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual([]);
  await page.screenshot({ path: info.outputPath('member-search.png') });
  await page.keyboard.press('ArrowDown');
  await expect(results.nth(1)).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('member-name')).toHaveText('Ирина Петрова');
  await expect(page.getByTestId('member-search')).toHaveCount(0);
  await clearMember(page);

  // Esc closes the list without a member, back in the member field; a whole name is one member at once.
  await lookUp(page, 'ПЕТ');
  await expect(results).toHaveCount(2);
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('member-search')).toHaveCount(0);
  await expect(page.getByTestId('lookup-input')).toBeFocused();
  await expect(page.getByTestId('member-name')).toHaveCount(0);
  await lookUp(page, 'ирина пет');
  await expect(page.getByTestId('member-name')).toHaveText('Ирина Петрова');
  await clearMember(page);

  // Diacritics folded: "zoe cel" finds Zoë Çelik.
  await lookUp(page, 'zoe cel');
  await expect(page.getByTestId('member-name')).toHaveText('Zoë Çelik');
  await clearMember(page);

  await lookUp(page, 'Щукин');
  await expect(page.getByTestId('message')).toHaveText('No member named “Щукин” (MEMBER_NAME_NOT_FOUND)');
});
