/**
 * Enrolling members at the till, end to end (built renderer in Chromium, two real till hosts, the real server,
 * the test HID scanner on till 1), from the keyboard and the scanner:
 * - a bad field is refused with its code and the cursor in it; a printed card scanned into the form becomes the
 *   member's card, and a card another member holds is refused (CARD_IN_USE); the new member is on the sale with
 *   the sign-up bonus at once;
 * - offline, two tills enrol 100 members each from their own card ranges; one phone number is given at both; a
 *   member enrolled offline is found by phone and buys, earning on top of the bonus;
 * - back online, the server holds all 201 new members, every card number unique and valid, the new member's
 *   balance as the till showed it, and exactly one duplicate-phone flag for review.
 */
import { test, expect, type Browser, type Page } from '@playwright/test';
import { join } from 'node:path';
import { hasValidGs1CheckDigit, withCheckDigit } from '../../shared/barcode';
import { adminGet, freePort, startTillHost, type Proc } from '../support/processes';
import type { TestScanner } from '../support/scanner-bridge';
import { startTillStack, type TillStack } from '../support/till-stack';
import { signIn } from '../support/till-page';

// Demo data (src-server/seed.ts): member 2 is Bram Jansen; product 1 is milk.
const BRAM = withCheckDigit('299000000002');
const MILK = withCheckDigit('871000000001');
const PRINTED = withCheckDigit('299700000001');
const TWIN_PHONE = '06 5555 0101';
const PER_TILL = 100;

let stack: TillStack;
let scanner: TestScanner;
let till2: Proc | null = null;

test.beforeAll(async () => {
  stack = await startTillStack({ name: 'enrol' });
  scanner = stack.scanner!;
});

test.afterAll(async () => {
  await till2?.stop();
  await stack?.stop();
});

/** A second till in the same store, enrolled with the server through an enrolment code head office made. */
async function startSecondTill(): Promise<string> {
  const res = await fetch(new URL('/api/v1/admin/tills', stack.serverUrl), {
    method: 'POST',
    headers: { authorization: 'Bearer test-admin', 'content-type': 'application/json' },
    body: JSON.stringify({ id: 'till-2', storeId: 'store-1', name: 'Till 2' }),
  });
  expect(res.status).toBe(201);
  const { enrolCode } = (await res.json()) as { enrolCode: string };
  const port = await freePort();
  till2 = await startTillHost({
    port,
    dataDir: join(stack.dir, 'till-2'),
    serverUrl: stack.serverUrl,
    env: { KASSA_ENROL_CODE: enrolCode },
  });
  return `http://127.0.0.1:${port}`;
}

async function openTill(browser: Browser, url: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await page.goto(url);
  await signIn(page);
  await expect(page.getByTestId('waiting-badge')).toHaveText('All synced', { timeout: 30_000 });
  return page;
}

/** F6, the fields typed (Tab between them), Enter. */
async function enrol(page: Page, fields: { name: string; phone?: string; email?: string; birthday?: string }) {
  await page.keyboard.press('F6');
  await expect(page.getByTestId('enrol-name')).toBeFocused();
  await page.keyboard.insertText(fields.name);
  for (const value of [fields.phone, fields.email, fields.birthday]) {
    await page.keyboard.press('Tab');
    if (value) await page.keyboard.insertText(value);
  }
  await page.keyboard.press('Enter');
}

/** Enrols with a new card from the till's range and returns the card number the panel shows. */
async function enrolNew(page: Page, name: string, phone?: string): Promise<string> {
  await enrol(page, { name, phone });
  await expect(page.getByTestId('enrol-dialog')).toHaveCount(0);
  await expect(page.getByTestId('member-name')).toHaveText(name);
  return (await page.getByTestId('member-card').textContent()) ?? '';
}

type Flag = { kind: string; member_id: string; ref_id: string; detail: { field?: string } };
type AdminMember = { member: { id: string; cardNumber: string; name: string; state: { balance: number } } };

test('two tills enrol members offline from their own card ranges; the server takes each once and flags the shared phone', async ({
  browser,
}) => {
  test.setTimeout(300_000);
  const till2Url = await startSecondTill();
  const one = await openTill(browser, stack.tillUrl);
  const two = await openTill(browser, till2Url);

  // A bad e-mail: refused with its code, the cursor in the field, nothing written.
  await enrol(one, { name: 'Mila de Boer', email: 'mila@' });
  await expect(one.getByTestId('enrol-error')).toContainText('ENROL_FIELD_INVALID');
  await expect(one.getByTestId('enrol-email')).toBeFocused();
  // A printed card scanned into the form; first a card Bram holds, refused, then a new one.
  await expect(one.getByTestId('enrol-card-new')).toBeChecked();
  await expect(one.getByTestId('enrol-card-new')).toHaveAccessibleName(/^A new card: 2998\d{9}$/);
  await scanner.scan(BRAM);
  await expect(one.getByTestId('enrol-card')).toHaveValue(BRAM);
  await one.getByTestId('enrol-email').focus();
  await one.keyboard.press('ControlOrMeta+a');
  await one.keyboard.insertText('mila@example.com');
  await one.keyboard.press('Enter');
  await expect(one.getByTestId('enrol-error')).toContainText('CARD_IN_USE');
  await scanner.scan(PRINTED);
  await expect(one.getByTestId('enrol-card')).toHaveValue(PRINTED);
  await one.keyboard.press('Enter');
  await expect(one.getByTestId('enrol-dialog')).toHaveCount(0);
  await expect(one.getByTestId('member-name')).toHaveText('Mila de Boer');
  await expect(one.getByTestId('member-card')).toHaveText(PRINTED);
  await expect(one.getByTestId('member-balance')).toHaveText('50');
  await expect(one.getByTestId('message')).toContainText('50 sign-up points');

  // Offline: both tills enrol from their own ranges.
  await expect(one.getByTestId('waiting-badge')).toHaveText('All synced', { timeout: 30_000 });
  await expect(two.getByTestId('waiting-badge')).toHaveText('All synced', { timeout: 30_000 });
  await stack.stopServer();
  await expect(one.getByTestId('online-badge')).toHaveText('Offline', { timeout: 30_000 });
  await expect(two.getByTestId('online-badge')).toHaveText('Offline', { timeout: 30_000 });
  const cards: string[] = [];
  for (const [n, page] of [one, two].entries()) {
    for (let i = 0; i < PER_TILL; i++) {
      const phone = i === 7 ? TWIN_PHONE : undefined;
      cards.push(await enrolNew(page, `Till ${n + 1} member ${i}`, phone));
    }
  }
  expect(new Set(cards).size).toBe(2 * PER_TILL);
  for (const card of cards) expect(card.startsWith('2998') && hasValidGs1CheckDigit(card)).toBe(true);
  // A card scanned the moment the dialog closes is the next customer's: never taken for the closed dialog's.
  await enrol(one, { name: 'Till 1 last member' });
  await expect(one.getByTestId('enrol-dialog')).toHaveCount(0);
  await scanner.scan(BRAM);
  await expect(one.getByTestId('member-name')).toHaveText('Bram Jansen');

  // A member enrolled offline, found again by phone (national format) and buying milk.
  await one.getByRole('button', { name: 'Clear member' }).click();
  await one.keyboard.press('F3');
  await one.keyboard.insertText('0655550101');
  await one.keyboard.press('Enter');
  await expect(one.getByTestId('member-name')).toHaveText('Till 1 member 7');
  await expect(one.getByTestId('member-balance')).toHaveText('50');
  await scanner.scan(MILK);
  await expect(one.getByTestId('line-quantity')).toHaveText(['1']);
  await one.keyboard.press('F12');
  await expect(one.getByTestId('pay-amount')).toBeFocused();
  await one.keyboard.press('Enter');
  await expect(one.getByTestId('receipt')).toBeVisible();
  const balance = Number(/(\d+)/.exec((await one.getByTestId('receipt-balance').textContent()) ?? '')![1]);
  expect(balance).toBeGreaterThan(50);

  // Back online: everything reaches the server once.
  await stack.restartServer();
  await expect(one.getByTestId('waiting-badge')).toHaveText('All synced', { timeout: 60_000 });
  await expect(two.getByTestId('waiting-badge')).toHaveText('All synced', { timeout: 60_000 });
  const held = new Map<string, AdminMember['member']>();
  for (const card of [PRINTED, ...cards]) {
    const { member } = await adminGet<AdminMember>(stack.serverUrl, `/api/v1/admin/members/${card}`);
    held.set(member.id, member);
    expect(member.cardNumber).toBe(card);
  }
  expect(held.size).toBe(2 * PER_TILL + 1);
  const twin = [...held.values()].find((m) => m.name === 'Till 1 member 7')!;
  expect(twin.state.balance).toBe(balance);
  const flags = await adminGet<Flag[]>(stack.serverUrl, '/api/v1/admin/review-flags');
  const duplicates = flags.filter((f) => f.kind.startsWith('duplicate-'));
  expect(duplicates).toHaveLength(1);
  expect(duplicates[0]!.detail.field).toBe('phone');
  expect([duplicates[0]!.member_id, duplicates[0]!.ref_id].map((id) => held.get(id)?.name).sort()).toEqual([
    'Till 1 member 7',
    'Till 2 member 7',
  ]);
  const parked = await adminGet<unknown[]>(stack.serverUrl, '/api/v1/admin/parked');
  expect(parked).toEqual([]);
});
