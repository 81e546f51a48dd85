/**
 * Bootstrapping a till with a whole chain: MEMBERS members (default
 * 100,000; the big run is 1,000,000) and PRODUCTS products (default 50,000)
 * seeded into a real server process, then loaded into Chromium (persistent
 * profile, as a till has) three ways, measured in the same run:
 *
 *   A  raw Dexie floor: the same member documents generated in the page and
 *      written with bulkAdd (10,000 a call, indexed on card and phone hash);
 *      only the writes are timed. Lookups: Dexie index get by card.
 *   B  generic RxDB replication: the till's member schema on RxDB's Dexie
 *      storage, replicateRxCollection pulling the server's generic
 *      members pull endpoint (1,000 a page) until caught up. Lookups: findOne.
 *   Kassa  the real till: server and till host processes, the built till
 *      page, from page open until `[data-testid="member-data"]` says ready;
 *      scan → member panel and scan → basket line through the test HID
 *      scanner; a cold start on the filled profile; lookups through the
 *      till's member store (src-renderer/src/db/member-store.ts). Skipped,
 *      with a line saying so, when this build does not have that contract.
 *
 * For each arm: documents/s, time to ready, peak RSS (largest renderer,
 * and all of the profile's processes), IndexedDB bytes on disk, main-thread
 * long tasks. Then ratios against A and B. Nothing is asserted on times.
 *   npm run bench bootstrap   (MEMBERS=…, PRODUCTS=…, SCANS=…, ARMS=dexie,rxdb,kassa;
 *                             TEST_DATABASE_URL=… for PostgreSQL, else PGlite)
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { routes } from '../shared/replication';
import { sha256 } from '../src-server/auth';
import { chainCardNumber, chainProductEan } from '../shared/demo-chain';
import { freePort, startServer, startTillHost, type Proc } from '../test/support/processes';
import { plugTestScanner, type TestScanner } from '../test/support/scanner-bridge';
import { signIn } from '../test/support/till-page';
import type { DexieFloorResult, KassaLookupResult, LookupTimes, RxdbPullResult } from './support/page-types';
import { bundle, repoRoot, routeBenchPage } from './support/bundle';
import {
  indexedDbBytes,
  longTasks,
  newProfileDir,
  openProfile,
  openUnattached,
  sampleRss,
  type LongTasks,
  type RssPeak,
} from './support/chromium';
import { fmt, percentile, ratio, say } from './support/stats';
import {
  buildTillPage,
  bundleWithMemberStore,
  MEMBER_STORE,
  memberData,
  openChainDatabase,
  openUnattachedUntilReady,
  openUntilReady,
  timedScans,
} from './support/till';

const MEMBERS = Number(process.env.MEMBERS ?? 100_000);
const PRODUCTS = Number(process.env.PRODUCTS ?? 50_000);
const SCANS = Number(process.env.SCANS ?? 50);
const ARMS = new Set((process.env.ARMS ?? 'dexie,rxdb,kassa').split(',').map((s) => s.trim()));
const databaseUrl = process.env.TEST_DATABASE_URL ?? null;
const BENCH_TILL_CODE = 'BENCH-RXDB-1';

type ArmResult = {
  name: string;
  /** Members stored, and how long the arm's documents/s is computed over. */
  members: number;
  docsMs: number;
  readyMs: number;
  lookups: LookupTimes | null;
  rss: RssPeak;
  idbBytes: number;
  tasks: LongTasks;
  note?: string;
};

/** The server's database with the demo data, a till for baseline B and the chain; returns the phone key secret. */
async function prepareDatabase(dir: string): Promise<{ secret: string }> {
  const db = await openChainDatabase({
    databaseUrl,
    pgliteDir: join(dir, 'server'),
    members: MEMBERS,
    products: PRODUCTS,
    prepare: async (d) => {
      await d.query(
        `INSERT INTO tills (id, store_id, name, enrol_code_hash) VALUES ('till-bench', 'store-1', 'Bench', $1)`,
        [sha256(BENCH_TILL_CODE)],
      );
    },
  });
  try {
    const [key] = await db.query<{ secret: string }>('SELECT secret FROM phone_keys WHERE retired_at IS NULL');
    return { secret: key!.secret };
  } finally {
    await db.close();
  }
}

async function enrol(serverUrl: string, code: string): Promise<string> {
  const res = await fetch(`${serverUrl}${routes.enrol}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code }),
  });
  if (!res.ok) throw new Error(`enrol: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

/** Serves one bundled script as a page under `origin`/__bench/ (Playwright answers; other paths reach the origin). */
async function serveBenchPage(context: BrowserContext, origin: string, script: string): Promise<Page> {
  await routeBenchPage(context, origin, script, 'Kassa bench');
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(`${origin}/__bench/bench.html`);
  return page;
}

async function runInProfile<T>(
  label: string,
  origin: string,
  script: string,
  run: (page: Page) => Promise<T>,
): Promise<{ value: T; rss: RssPeak; tasks: LongTasks; idbBytes: number }> {
  const profile = await newProfileDir(label);
  const context = await openProfile(profile);
  const rss = sampleRss(profile);
  try {
    const page = await serveBenchPage(context, origin, script);
    const value = await run(page);
    const tasks = await longTasks(page);
    const peak = rss.stop();
    await context.close();
    const idbBytes = indexedDbBytes(profile);
    return { value, rss: peak, tasks, idbBytes };
  } finally {
    rss.stop();
    await context.close().catch(() => undefined);
    await rm(profile, { recursive: true, force: true });
  }
}

async function dexieArm(secret: string): Promise<ArmResult> {
  const script = await bundle({ path: join(repoRoot, 'bench', 'browser', 'dexie-floor.ts') });
  const r = await runInProfile('dexie', `http://127.0.0.1:${await freePort()}`, script, (page) =>
    page.evaluate(
      (o) =>
        (globalThis as unknown as { benchDexieFloor: (o: unknown) => Promise<DexieFloorResult> }).benchDexieFloor(o),
      { members: MEMBERS, secret, chunk: 10_000 },
    ),
  );
  return {
    name: 'A raw Dexie bulkAdd',
    members: r.value.members,
    docsMs: r.value.writeMs,
    readyMs: r.value.wallMs,
    lookups: r.value.lookups,
    rss: r.rss,
    idbBytes: r.idbBytes,
    tasks: r.tasks,
    note: `writes only; generating the documents in the page took ${fmt(r.value.generateMs)} ms more`,
  };
}

async function rxdbArm(serverUrl: string): Promise<ArmResult> {
  const token = await enrol(serverUrl, BENCH_TILL_CODE);
  const script = await bundle({ path: join(repoRoot, 'bench', 'browser', 'rxdb-pull.ts') });
  // The page is served at the server's own origin, as the pulls go there.
  const r = await runInProfile('rxdb', serverUrl, script, (page) =>
    page.evaluate(
      (o) => (globalThis as unknown as { benchRxdbPull: (o: unknown) => Promise<RxdbPullResult> }).benchRxdbPull(o),
      { serverUrl, token, expected: MEMBERS },
    ),
  );
  return {
    name: 'B RxDB generic pull',
    members: r.value.members,
    docsMs: r.value.pullMs,
    readyMs: r.value.pullMs,
    lookups: r.value.lookups,
    rss: r.rss,
    idbBytes: r.idbBytes,
    tasks: r.tasks,
    note: `${r.value.pages} pulls; members only (the demo's 20 included)`,
  };
}

type KassaResult = {
  arm: ArmResult;
  /** Peak RSS from page open until ready (the scans after it are in `arm.rss`). */
  bootRss: RssPeak;
  coldMs: number;
  membersMs: number;
  productsMs: number;
  panel: number[];
  line: number[];
  total: number;
  /** The store's phone and name-prefix lookups (page-types.ts KassaLookupResult). */
  phone?: LookupTimes;
  byName?: Record<string, LookupTimes>;
};

async function kassaArm(serverUrl: string, dir: string): Promise<KassaResult | string> {
  if (!existsSync(MEMBER_STORE)) return 'src-renderer/src/db/member-store.ts is missing';
  buildTillPage();
  const storeScript = await bundleWithMemberStore(
    'kassa-lookups-entry',
    join(repoRoot, 'bench', 'browser', 'kassa-lookups.ts'),
    'installKassaLookups',
  );
  const scannerSocket = join(dir, 'scanner.sock');
  const tillPort = await freePort();
  const host: Proc = await startTillHost({
    port: tillPort,
    dataDir: join(dir, 'till'),
    serverUrl,
    env: { KASSA_TEST_SCANNER_SOCKET: scannerSocket },
  });
  const tillUrl = `http://127.0.0.1:${tillPort}`;
  const profile = await newProfileDir('kassa');
  let scanner: TestScanner | null = null;
  try {
    // First start: an empty profile, the whole chain to load. No Playwright until ready: its DevTools network
    // domain on the worker would keep a copy of every member page in the renderer (openUnattached).
    const unattached = await openUnattached(profile);
    const rss = sampleRss(profile);
    const ready = await openUnattachedUntilReady(unattached, tillUrl);
    if (!ready) {
      rss.stop();
      await unattached.close();
      return 'the till page has no [data-testid="member-data"]';
    }
    const bootRss = rss.peek();
    const attached = await unattached.attach();
    let context = attached.context;
    const first = { ...ready, page: attached.page };
    const data = (await memberData(first.page))!;
    const tasks = await longTasks(first.page);
    await signIn(first.page);
    scanner = await plugTestScanner(scannerSocket);
    const cards = Array.from({ length: SCANS }, (_, k) => chainCardNumber((k * 104_729 + 7) % MEMBERS));
    const eans = Array.from({ length: SCANS }, (_, k) => chainProductEan((k * 7_919 + 3) % PRODUCTS));
    const panel = await timedScans(first.page, scanner, cards, 'kassa:scan-to-panel');
    const line = await timedScans(first.page, scanner, eans, 'kassa:scan-to-line');
    const peak = rss.stop();
    await scanner.unplug();
    scanner = null;
    await unattached.close();

    // Cold start: the same profile, everything local already.
    context = await openProfile(profile);
    const cold = await openUntilReady(context, tillUrl);
    await routeBenchPage(context, tillUrl, storeScript, 'Kassa store lookups');
    const lookupPage = await context.newPage();
    await lookupPage.goto(`${tillUrl}/__bench/bench.html`);
    const store = await lookupPage.evaluate(
      (o) =>
        (globalThis as unknown as { benchKassaLookups: (o: unknown) => Promise<KassaLookupResult> }).benchKassaLookups(
          o,
        ),
      { members: MEMBERS },
    );
    await context.close();
    return {
      arm: {
        name: 'Kassa till',
        members: data.total,
        docsMs: first.ms,
        readyMs: first.ms,
        lookups: store.lookups,
        rss: peak,
        idbBytes: indexedDbBytes(profile),
        tasks,
        note: `page open → ready; store ${store.database}`,
      },
      bootRss,
      coldMs: cold?.ms ?? Number.NaN,
      membersMs: first.membersMs,
      productsMs: first.productsMs,
      panel,
      line,
      total: data.total,
      phone: store.phone,
      byName: store.byName,
    };
  } finally {
    await scanner?.unplug();
    await host.stop();
    await rm(profile, { recursive: true, force: true });
  }
}

function docsPerS(a: ArmResult | undefined): number | null {
  return a ? (a.members / a.docsMs) * 1000 : null;
}

function printTable(arms: readonly ArmResult[]): void {
  const rows = [
    [
      'arm',
      'members',
      'docs/s',
      'ready s',
      'lookup med ms',
      'lookup p99 ms',
      'renderer MB',
      'all MB',
      'IDB MB',
      'long tasks',
      'total ms',
      'max ms',
      '>100ms',
    ],
    ...arms.map((a) => [
      a.name,
      fmt(a.members),
      fmt(docsPerS(a)),
      fmt(a.readyMs / 1000, 1),
      fmt(a.lookups?.medianMs, 3),
      fmt(a.lookups?.p99Ms, 3),
      fmt(a.rss.rendererMb),
      fmt(a.rss.allMb),
      fmt(a.idbBytes / 1_048_576, 1),
      fmt(a.tasks.count),
      fmt(a.tasks.totalMs),
      fmt(a.tasks.maxMs),
      fmt(a.tasks.over100),
    ]),
  ];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  for (const r of rows)
    say(`  ${r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ')}`);
  for (const a of arms) if (a.note) say(`  ${a.name}: ${a.note}`);
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'kassa-bench-bootstrap-'));
  say(
    `bootstrap: ${fmt(MEMBERS)} members, ${fmt(PRODUCTS)} products, server on ${databaseUrl ? 'PostgreSQL' : 'PGlite'}`,
  );
  let server: Proc | null = null;
  try {
    const { secret } = await prepareDatabase(dir);
    const port = await freePort();
    server = await startServer({
      port,
      ...(databaseUrl ? { databaseUrl } : { dataDir: join(dir, 'server') }),
      env: { KASSA_LOG_LEVEL: 'warn' },
    });
    const serverUrl = `http://127.0.0.1:${port}`;

    const arms: ArmResult[] = [];
    const dexie = ARMS.has('dexie') ? await dexieArm(secret) : undefined;
    if (dexie) arms.push(dexie);
    const rxdb = ARMS.has('rxdb') ? await rxdbArm(serverUrl) : undefined;
    if (rxdb) arms.push(rxdb);
    const kassa = ARMS.has('kassa') ? await kassaArm(serverUrl, dir) : 'not asked for (ARMS)';
    if (typeof kassa !== 'string') arms.push(kassa.arm);

    say('');
    printTable(arms);
    say('');
    if (typeof kassa === 'string') say(`Kassa arm: not available in this build (${kassa})`);
    else {
      say(`  Kassa cold start (data local)   : ${fmt(kassa.coldMs)} ms to ready`);
      say(
        `  Kassa peak RSS until ready      : renderer ${fmt(kassa.bootRss.rendererMb)} MB, all ${fmt(kassa.bootRss.allMb)} MB (then through the scans: ${fmt(kassa.arm.rss.rendererMb)} / ${fmt(kassa.arm.rss.allMb)} MB)`,
      );
      say(
        `  Kassa members / products ready  : ${fmt(kassa.membersMs / 1000, 1)} s / ${fmt(kassa.productsMs / 1000, 1)} s after page open`,
      );
      say(
        `  Kassa longest main-thread task  : ${fmt(kassa.arm.tasks.maxMs)} ms, ${fmt(kassa.arm.tasks.maxAtMs / 1000, 1)} s after page open`,
      );
      say(
        `  Kassa scan → member panel       : median ${fmt(percentile(kassa.panel, 50), 1)} ms, p99 ${fmt(percentile(kassa.panel, 99), 1)} ms (${kassa.panel.length} scans)`,
      );
      say(
        `  Kassa scan → basket line        : median ${fmt(percentile(kassa.line, 50), 1)} ms, p99 ${fmt(percentile(kassa.line, 99), 1)} ms (${kassa.line.length} scans)`,
      );
      if (kassa.total !== MEMBERS) say(`  note: the till reports ${fmt(kassa.total)} members in its snapshot`);
      const k = kassa.arm;
      say(`  Kassa docs/s ÷ raw Dexie docs/s : ${ratio(docsPerS(k), docsPerS(dexie))}`);
      say(`  Kassa docs/s ÷ RxDB docs/s      : ${ratio(docsPerS(k), docsPerS(rxdb))}`);
      say(
        `  lookups Kassa ÷ raw Dexie       : median ${ratio(k.lookups?.medianMs, dexie?.lookups?.medianMs)}, p99 ${ratio(k.lookups?.p99Ms, dexie?.lookups?.p99Ms)}`,
      );
      // Phone and name lookups beside the raw Dexie index get by card (the baseline of every lookup here).
      const others: [string, LookupTimes | undefined][] = [
        ['by phone hash', kassa.phone],
        ...Object.entries(kassa.byName ?? {}).map(([kind, t]): [string, LookupTimes] => [`by name (${kind})`, t]),
      ];
      for (const [label, t] of others)
        if (t)
          say(
            `  Kassa ${label.padEnd(25)}: median ${fmt(t.medianMs, 3)} ms, p99 ${fmt(t.p99Ms, 3)} ms (${t.count}, ${t.missing} missing); ÷ raw Dexie card median ${ratio(t.medianMs, dexie?.lookups?.medianMs)}, p99 ${ratio(t.p99Ms, dexie?.lookups?.p99Ms)}`,
          );
    }
    if (dexie && rxdb) {
      say(`  RxDB docs/s ÷ raw Dexie docs/s  : ${ratio(docsPerS(rxdb), docsPerS(dexie))}`);
      say(
        `  lookups RxDB ÷ raw Dexie        : median ${ratio(rxdb.lookups?.medianMs, dexie.lookups?.medianMs)}, p99 ${ratio(rxdb.lookups?.p99Ms, dexie.lookups?.p99Ms)}`,
      );
    }
  } finally {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
