/**
 * Partial replication, end to end: the built renderer in Chromium, served by the real till host, against a real
 * central server (PGlite) whose store-1 holds its region's members only (docs/replication.md).
 *
 * - Another store (store-south, its own till enrolled) signs up a member; store-1's till never loads them.
 * - The status line says the till holds its region's members, and never that it is still loading.
 * - That member's card, scanned at store-1, is found on the central server and the message says why; with the
 *   server out of reach the till says it holds its region's members, never "Card not found".
 * - The till's own members answer from the till, with no message.
 */
import { test, expect, type Page } from '@playwright/test';
import { enrolmentBody, enrolmentDocuments } from '../../shared/enrolment';
import { snapshotRoutes } from '../../shared/member-snapshot';
import { nextCardNumber } from '../../shared/member-card';
import { routes } from '../../shared/replication';
import { demoCardNumber, demoUlid, MEMBER_NAMES } from '../../src-server/seed';
import type { TestScanner } from '../support/scanner-bridge';
import { callApi } from '../support/server-harness';
import { TestTill } from '../support/test-till';
import { startTillStack, type TillStack } from '../support/till-stack';
import { signIn } from '../support/till-page';

const ADMIN = 'Bearer test-admin';
const VISITOR = 'Vera Visitor';

let stack: TillStack;
let scanner: TestScanner;
let visitorCard: string;

/** A store of its own with an enrolled till, which signs up one member: their home store is store-south. */
async function southMember(serverUrl: string): Promise<string> {
  const store = await callApi(serverUrl, 'POST', '/api/v1/admin/stores', ADMIN, {
    id: 'store-south',
    name: 'South',
    currency: 'EUR',
    timeZone: 'Europe/Amsterdam',
    programId: 'supermarket',
    country: 'NL',
  });
  expect(store.status).toBe(201);
  const till = await callApi(serverUrl, 'POST', '/api/v1/admin/tills', ADMIN, {
    id: 'till-south',
    storeId: 'store-south',
    name: 'South till',
  });
  expect(till.status).toBe(201);
  const enrolled = await callApi(serverUrl, 'POST', routes.enrol, null, { code: till.body.enrolCode });
  expect(enrolled.status).toBe(200);
  const south = new TestTill(serverUrl, String(enrolled.body.token), 'till-south', 'store-south');
  await south.sync();
  const card = nextCardNumber(south.ref!.cardRanges, null)!;
  const at = new Date().toISOString();
  const form = {
    cardNumber: card,
    cardSource: 'range' as const,
    name: VISITOR,
    phone: '',
    email: '',
    birthday: '',
    marketing: false,
    referrerId: null,
  };
  const body = enrolmentBody(form, { storeId: 'store-south', cashierId: 'cashier-1', country: 'NL', at });
  const { member, bonus } = enrolmentDocuments(
    { tillId: 'till-south', at },
    body,
    south.program,
    { memberId: demoUlid(900_001), entryId: demoUlid(900_002) },
    [south.nextSeq(), south.nextSeq()],
  );
  south.write(member, ...(bonus ? [bonus] : []));
  const replies = await south.pushAll();
  expect(replies.flatMap((r) => r.parked)).toEqual([]);
  return card;
}

test.beforeAll(async () => {
  stack = await startTillStack({ name: 'scope' });
  scanner = stack.scanner!;
  visitorCard = await southMember(stack.serverUrl);
  // store-1 holds its own members only (no region named: the store alone).
  const set = await callApi(stack.serverUrl, 'PUT', '/api/v1/admin/stores/store-1/member-scope', ADMIN, {
    scope: 'region',
    region: null,
  });
  expect(set.body).toMatchObject({ stores: ['store-1'] });
});

test.afterAll(() => stack?.stop());

const memberData = (page: Page) => page.getByTestId('member-data');

test("a region's till: its own members local, a visitor found online, and said so offline", async ({ context }) => {
  let lookupsFail = false;
  await context.route(`**${snapshotRoutes.lookup}?*`, (route) => (lookupsFail ? route.abort() : route.continue()));
  const page = await context.newPage();
  await page.goto(stack.tillUrl);
  await signIn(page);
  await expect(memberData(page)).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
  await expect(memberData(page)).toHaveAttribute('data-partial', 'true');
  // The demo's 20 members are store-1's; the visitor is not among them.
  await expect(memberData(page)).toHaveAttribute('data-loaded', '20');
  await expect(memberData(page)).toContainText("20 of this region's members on this till");
  await expect(page.getByTestId('waiting-badge')).toHaveText('All synced', { timeout: 30_000 });

  // The visitor: found on the central server, and the message says why.
  await scanner.scan(visitorCard);
  await expect(page.getByTestId('member-name')).toHaveText(VISITOR);
  await expect(page.getByTestId('message')).toContainText("a member from outside this till's region");
  await page.getByRole('button', { name: 'Clear member' }).click();

  // The server out of reach: the till says it holds its region's members, never "Card not found".
  lookupsFail = true;
  await scanner.scan(visitorCard);
  await expect(page.getByTestId('message')).toContainText("This till holds its region's members");
  await expect(page.getByTestId('message')).not.toContainText('Card not found');
  await expect(page.getByTestId('member-name')).toHaveCount(0);

  // Its own member answers from the till, with the server still out of reach.
  await scanner.scan(demoCardNumber(1));
  await expect(page.getByTestId('member-name')).toHaveText(MEMBER_NAMES[0]!);
  await expect(page.getByTestId('message')).toHaveCount(0);
});
