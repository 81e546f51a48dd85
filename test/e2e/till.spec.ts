/**
 * Sales end to end, through two outages (SIGTERM, then SIGKILL), with every layer real: the built
 * renderer in Chromium, served by the real browser-mode till host process,
 * replicating with a real central server process (PGlite in a data folder).
 * Scans arrive as a HID POS scanner sends them: byte reports into the till
 * host's scanner service (through its test scanner bridge, since no USB device
 * can exist here), decoded there and handed to the page as one IPC event, so
 * a busy machine cannot stretch them. Keyboard-wedge timing is covered by
 * wedge.spec.ts.
 */
import { test, expect, type Page, type TestInfo } from '@playwright/test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withCheckDigit } from '../../shared/barcode';
import { adminGet, freePort, startServer, startTillHost, type Proc } from '../support/processes';
import { plugTestScanner, type TestScanner } from '../support/scanner-bridge';
import { signIn } from '../support/till-page';

// Demo data (src-server/seed.ts): member 2 is Bram Jansen; products 1 and 11 are milk and ground coffee.
const CARD = withCheckDigit('299000000002');
const UNKNOWN_CARD = withCheckDigit('299000009999');
const MILK = withCheckDigit('871000000001');
const COFFEE = withCheckDigit('871000000011');
const UNKNOWN_PRODUCT = withCheckDigit('871000009999');
const BANANAS_1250G = withCheckDigit('210003101250'); // PLU 00031, 1.250 kg

let dir: string;
let server: Proc;
let host: Proc;
let serverUrl: string;
let serverPort: number;
let tillUrl: string;
let scannerSocket: string;
let scanner: TestScanner | null = null;

test.beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kassa-e2e-'));
  serverPort = await freePort();
  serverUrl = `http://127.0.0.1:${serverPort}`;
  server = await startServer({ port: serverPort, dataDir: join(dir, 'server') });
  const tillPort = await freePort();
  scannerSocket = join(dir, 'scanner.sock');
  host = await startTillHost({
    port: tillPort,
    dataDir: join(dir, 'till'),
    serverUrl,
    env: { KASSA_TEST_SCANNER_SOCKET: scannerSocket },
  });
  tillUrl = `http://127.0.0.1:${tillPort}`;
});

test.afterAll(async () => {
  await scanner?.unplug();
  await host?.stop();
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

const shot = async (page: Page, info: TestInfo, name: string) => {
  const path = info.outputPath(`${name}.png`);
  await page.screenshot({ path });
  await info.attach(name, { path, contentType: 'image/png' });
};

/** A HID POS scanner reads a code: its reports reach the host at once and the page as one `scan` event. */
const scan = async (code: string) => {
  if (!scanner) throw new Error('the test scanner is not plugged in');
  await scanner.scan(code);
};

const balance = async (page: Page) => Number(await page.getByTestId('member-balance').textContent());

const sellOne = async (page: Page) => {
  await scan(CARD);
  await expect(page.getByTestId('member-name')).toHaveText('Bram Jansen');
  await scan(COFFEE);
  await expect(page.getByTestId('basket-line')).toHaveCount(1);
  const earn = Number(await page.getByTestId('points-to-earn').getAttribute('data-points'));
  await page.getByTestId('pay').click();
  await page.getByTestId('pay-cash').click();
  await expect(page.getByTestId('basket-line')).toHaveCount(0);
  return earn;
};

test('scan, earn, pay, sell through an outage, and every sale reaches the server exactly once', async ({
  page,
}, info) => {
  const started = Date.now();
  await page.goto(tillUrl);
  await expect(page.getByTestId('online-badge')).toHaveText('Online', { timeout: 30_000 });
  await expect(page.getByTestId('lookup-input')).toBeVisible();
  await expect(page.getByTestId('bootstrap')).toHaveCount(0, { timeout: 30_000 });
  await shot(page, info, '01-sign-in');
  await signIn(page);
  await shot(page, info, '01-ready');

  // Scanner settings list the HID devices the host finds: none until the scanner is plugged in.
  await page.getByTestId('open-scanner-settings').click();
  await expect(page.getByTestId('no-devices')).toBeVisible();
  await expect(page.getByTestId('scanner-settings-status')).toContainText('No scanner found');
  await shot(page, info, '01b-scanner-settings');
  await page.getByRole('button', { name: 'Close' }).click();

  // Plug the HID POS scanner in: the host opens it by itself and the status bar says so.
  scanner = await plugTestScanner(scannerSocket);
  await expect(page.getByTestId('scanner-state')).toHaveText('Scanner ready: Test scanner', { timeout: 30_000 });

  // An unknown card: a clear message, nothing changes; the scan never lands in the focused field.
  await page.getByTestId('lookup-input').focus();
  await scan(UNKNOWN_CARD);
  await expect(page.getByTestId('message')).toHaveText(`Card not found: ${UNKNOWN_CARD}`);
  await expect(page.getByTestId('lookup-input')).toHaveValue('');
  await shot(page, info, '02-unknown-card');

  // The member card.
  await scan(CARD);
  await expect(page.getByTestId('member-name')).toHaveText('Bram Jansen');
  await expect(page.getByTestId('member-tier')).toContainText('Member');
  const opening = await balance(page);
  expect(opening).toBe(137);
  await shot(page, info, '03-member');

  // Products: two milks, ground coffee (double points), bananas by weight; an unknown code changes nothing.
  // Each scan's effect is awaited before the next, as a cashier sees each beep land.
  await scan(MILK);
  await expect(page.getByTestId('basket-line')).toHaveCount(1);
  await scan(MILK);
  await expect(page.getByTestId('line-quantity').first()).toHaveText('2');
  await scan(COFFEE);
  await expect(page.getByTestId('basket-line')).toHaveCount(2);
  await scan(BANANAS_1250G);
  await expect(page.getByTestId('basket-line')).toHaveCount(3);
  await expect(page.getByTestId('line-quantity').first()).toHaveText('2');
  // The cashier corrects a quantity up and back down.
  await page.getByRole('button', { name: 'One more Ground coffee' }).click();
  await expect(page.getByTestId('line-quantity').nth(1)).toHaveText('2');
  await expect(page.getByTestId('total')).toHaveText('18.85 EUR');
  await page.getByRole('button', { name: 'One fewer Ground coffee' }).click();
  await expect(page.getByTestId('line-quantity').nth(1)).toHaveText('1');
  await scan(UNKNOWN_PRODUCT);
  await expect(page.getByTestId('message')).toHaveText(`Product not found: ${UNKNOWN_PRODUCT}`);
  await expect(page.getByTestId('basket-line')).toHaveCount(3);
  // 2 × 1.19 + 6.99 + 1.250 kg × 1.99 (2.49) = 11.86 EUR.
  await expect(page.getByTestId('total')).toHaveText('11.86 EUR');
  const earn1 = Number(await page.getByTestId('points-to-earn').getAttribute('data-points'));
  // Base: 1 pt per EUR on 11.86 with coffee doubled = floor(11.86 + 6.99) = 18; produce 2 pts/kg × 1.25 = 2.
  expect(earn1).toBe(20);
  await page.getByRole('button', { name: 'Explain points' }).click();
  await expect(page.getByTestId('explanation')).toContainText('+18 pts: 1 pt per 1.00 EUR');
  await shot(page, info, '04-basket');

  await page.getByTestId('pay').click();
  await shot(page, info, '05-pay-dialog');
  await page.getByTestId('pay-cash').click();
  await expect(page.getByTestId('message')).toContainText('Sale recorded: 11.86 EUR, 20 points earned');
  // The next customer starts fresh: the member is no longer attached.
  await expect(page.getByTestId('member-name')).toHaveCount(0);
  await expect(page.getByTestId('receipt-total')).toHaveText('11.86 EUR');
  await expect(page.getByTestId('receipt-balance')).toHaveText(`New balance: ${opening + earn1} points`);
  await expect(page.getByTestId('waiting-badge')).toHaveText('All synced', { timeout: 30_000 });
  await shot(page, info, '06-paid');

  // Outage: the server shuts down. The till keeps selling and counts what waits.
  await server.stop('SIGTERM');
  await expect(page.getByTestId('online-badge')).toHaveText('Offline', { timeout: 30_000 });
  const earn2 = await sellOne(page);
  const earn3 = await sellOne(page);
  // Two sales, each a sale document and its earn entry.
  await expect(page.getByTestId('waiting-badge')).toHaveText('4 waiting to sync');
  const offlineBalance = opening + earn1 + earn2 + earn3;
  await scan(CARD);
  await expect(page.getByTestId('member-balance')).toHaveText(String(offlineBalance));
  await shot(page, info, '07-offline');

  // The server returns on the same data: the queue drains by itself.
  server = await startServer({ port: serverPort, dataDir: join(dir, 'server') });
  await expect(page.getByTestId('waiting-badge')).toHaveText('All synced', { timeout: 60_000 });
  await expect(page.getByTestId('online-badge')).toHaveText('Online', { timeout: 30_000 });
  await expect(page.getByTestId('member-balance')).toHaveText(String(offlineBalance));
  await shot(page, info, '08-synced');

  // A second outage, this time the server dies hard (SIGKILL) with nothing flushed.
  await server.stop('SIGKILL');
  await expect(page.getByTestId('online-badge')).toHaveText('Offline', { timeout: 30_000 });
  await page.getByRole('button', { name: 'Clear member' }).click();
  const earn4 = await sellOne(page);
  await expect(page.getByTestId('waiting-badge')).toHaveText('2 waiting to sync');
  const finalBalance = offlineBalance + earn4;
  await scan(CARD);
  await expect(page.getByTestId('member-balance')).toHaveText(String(finalBalance));
  await shot(page, info, '09-offline-again');
  server = await startServer({ port: serverPort, dataDir: join(dir, 'server') });
  await expect(page.getByTestId('waiting-badge')).toHaveText('All synced', { timeout: 60_000 });
  await expect(page.getByTestId('online-badge')).toHaveText('Online', { timeout: 30_000 });
  await shot(page, info, '10-synced-again');

  // The server holds each sale exactly once, and the points the till showed.
  const summary = await adminGet<{ sales: number; distinctSales: number }>(serverUrl, '/api/v1/admin/summary');
  expect(summary).toMatchObject({ sales: 4, distinctSales: 4 });
  const m = await adminGet<{
    member: { state: { balance: number } };
    entries: Array<{ till_id: string; points: string }>;
  }>(serverUrl, `/api/v1/admin/members/${CARD}`);
  expect(m.member.state.balance).toBe(finalBalance);
  const tillEntries = m.entries.filter((e) => e.till_id !== 'seed');
  expect(tillEntries).toHaveLength(4);
  expect(tillEntries.reduce((s, e) => s + Number(e.points), 0)).toBe(earn1 + earn2 + earn3 + earn4);
  // After the server's snapshot caught up, the till shows the same balance (nothing counted twice).
  await expect(page.getByTestId('member-balance')).toHaveText(String(finalBalance));
  console.log(`e2e flow took ${((Date.now() - started) / 1000).toFixed(1)} s`);
});
