/**
 * Chromium for the browser benches: a persistent profile in a temp folder
 * (what a till has, and what makes IndexedDB sizes real), the project's
 * flags, and what each arm is measured by besides its own timings: peak
 * RSS of the profile's processes, main-thread long tasks, and the size of
 * the profile's IndexedDB folder after closing.
 *
 * Invariant: only processes descending from this profile's browser process
 * are sampled, so another Chromium on the machine never counts.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import WebSocket from 'ws';

export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function newProfileDir(label: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `kassa-bench-${label}-`));
}

/** Collects main-thread long tasks from the first script on (read with `longTasks`). */
const LONG_TASK_SCRIPT = `(() => {
  const tasks = [];
  const starts = [];
  Object.defineProperty(window, '__benchLongTasks', { value: tasks });
  Object.defineProperty(window, '__benchLongTaskStarts', { value: starts });
  try {
    new PerformanceObserver((list) => { for (const e of list.getEntries()) { tasks.push(e.duration); starts.push(e.startTime); } })
      .observe({ type: 'longtask', buffered: true });
  } catch {}
})();`;

export async function openProfile(profileDir: string): Promise<BrowserContext> {
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: CHROMIUM_FLAGS,
    viewport: { width: 1280, height: 800 },
  });
  await context.addInitScript(LONG_TASK_SCRIPT);
  return context;
}

export type LongTasks = {
  count: number;
  totalMs: number;
  maxMs: number;
  over100: number;
  /** When the longest began, in ms after the page's navigation started. */
  maxAtMs: number;
};

/** The page's long tasks, from the `from`-th on (a window: pass the count an earlier call returned). */
export async function longTasks(page: Page, from = 0): Promise<LongTasks> {
  const { tasks, starts } = await page.evaluate((n) => {
    const w = globalThis as unknown as { __benchLongTasks?: number[]; __benchLongTaskStarts?: number[] };
    return { tasks: (w.__benchLongTasks ?? []).slice(n), starts: (w.__benchLongTaskStarts ?? []).slice(n) };
  }, from);
  const longest = tasks.reduce((best, t, i) => (t > (tasks[best] ?? 0) ? i : best), 0);
  return {
    count: tasks.length,
    totalMs: tasks.reduce((a, b) => a + b, 0),
    maxMs: tasks[longest] ?? 0,
    over100: tasks.filter((t) => t > 100).length,
    maxAtMs: starts[longest] ?? 0,
  };
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

function rssKb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

function parentOf(pid: number): number {
  try {
    // The command name may contain spaces or parentheses: the fields after the last ')' are fixed.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return 0;
  }
}

function pids(): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number);
}

/** The profile's processes now: its browser process and every descendant. */
function profileProcesses(profileDir: string): number[] {
  const all = pids();
  const roots = all.filter((p) => {
    const c = cmdline(p);
    return c.includes(`--user-data-dir=${profileDir}`) && !c.includes('--type=');
  });
  const children = new Map<number, number[]>();
  for (const p of all) {
    const parent = parentOf(p);
    children.set(parent, [...(children.get(parent) ?? []), p]);
  }
  const out: number[] = [];
  const queue = [...roots];
  while (queue.length > 0) {
    const p = queue.pop()!;
    out.push(p);
    queue.push(...(children.get(p) ?? []));
  }
  return out;
}

export type RssPeak = { rendererMb: number; allMb: number };

/** Samples the profile's processes every 250 ms until `stop`: the largest renderer and the largest sum. */
export function sampleRss(profileDir: string): { peek: () => RssPeak; stop: () => RssPeak } {
  let renderer = 0;
  let all = 0;
  const sample = () => {
    let sum = 0;
    for (const p of profileProcesses(profileDir)) {
      const kb = rssKb(p);
      sum += kb;
      if (cmdline(p).includes('--type=renderer')) renderer = Math.max(renderer, kb);
    }
    all = Math.max(all, sum);
  };
  sample();
  const timer = setInterval(sample, 250);
  return {
    peek: () => {
      sample();
      return { rendererMb: renderer / 1024, allMb: all / 1024 };
    },
    stop: () => {
      clearInterval(timer);
      sample();
      return { rendererMb: renderer / 1024, allMb: all / 1024 };
    },
  };
}

/** Bytes of the profile's IndexedDB folder (call after the context is closed, so everything is on disk). */
export function indexedDbBytes(profileDir: string): number {
  const dir = join(profileDir, 'Default', 'IndexedDB');
  if (!existsSync(dir)) return 0;
  return Number(execFileSync('du', ['-sb', dir], { encoding: 'utf8' }).split('\t')[0]);
}

/**
 * Chromium on a profile with no Playwright attached: Playwright enables DevTools' Network domain on every page
 * and worker, and DevTools then keeps a copy of each response body in the renderer (for `getResponseBody`), up to
 * hundreds of MB: a till fetching a chain's member pages in its worker would be measured with all of them. This
 * drives the page over a bare DevTools connection (the long-task script, navigation, reads) until `attach` hands
 * it to Playwright for what comes after.
 */
export type UnattachedBrowser = {
  /** Evaluates `expression` on the page and returns its value (JSON). */
  evaluate: <T>(expression: string) => Promise<T>;
  navigate: (url: string) => Promise<void>;
  /** Connects Playwright (from now on DevTools' network buffers run) and returns the page. */
  attach: () => Promise<{ context: BrowserContext; page: Page }>;
  /** Ends the browser and waits for it to exit, so the profile is on disk. */
  close: () => Promise<void>;
};

/**
 * The switches Playwright launches Chromium with (playwright-core's chromiumSwitches) that change how a page runs:
 * without them a page in a browser of its own would be throttled or backgrounded where the other arms' are not.
 */
const PLAYWRIGHT_LIKE_FLAGS = [
  '--disable-field-trial-config',
  '--disable-background-timer-throttling',
  '--disable-backgrounding-occluded-windows',
  '--disable-back-forward-cache',
  '--disable-renderer-backgrounding',
  '--disable-ipc-flooding-protection',
  '--disable-hang-monitor',
  '--disable-dev-shm-usage',
  '--disable-extensions',
  '--disable-default-apps',
  '--allow-pre-commit-input',
  '--disable-features=PaintHolding,OptimizationHints,MediaRouter,DestroyProfileOnBrowserClose',
  '--password-store=basic',
  '--hide-scrollbars',
  '--mute-audio',
];

type CdpReply = { id?: number; result?: unknown; error?: { message: string }; sessionId?: string };

export async function openUnattached(profileDir: string): Promise<UnattachedBrowser> {
  const child = spawn(
    process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    [
      ...CHROMIUM_FLAGS,
      ...PLAYWRIGHT_LIKE_FLAGS,
      `--user-data-dir=${profileDir}`,
      '--remote-debugging-port=0',
      '--window-size=1280,800',
      'about:blank',
    ],
    { stdio: 'ignore' },
  );
  const portFile = join(profileDir, 'DevToolsActivePort');
  for (let i = 0; !existsSync(portFile) || readFileSync(portFile, 'utf8').split('\n').length < 2; i++) {
    if (i > 300 || child.exitCode !== null) throw new Error('Chromium did not open its DevTools port');
    await new Promise((r) => setTimeout(r, 100));
  }
  const [port, path] = readFileSync(portFile, 'utf8').split('\n');
  const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, { perMessageDeflate: false });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  ws.on('message', (raw: Buffer) => {
    const m = JSON.parse(raw.toString()) as CdpReply;
    const waiter = m.id === undefined ? undefined : pending.get(m.id);
    if (!waiter) return;
    pending.delete(m.id!);
    if (m.error) waiter.reject(new Error(m.error.message));
    else waiter.resolve(m.result);
  });
  const send = <T>(method: string, params: object = {}, sessionId?: string): Promise<T> => {
    const id = nextId++;
    ws.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    return new Promise<T>((resolve, reject) => pending.set(id, { resolve: resolve as (v: unknown) => void, reject }));
  };
  const { targetInfos } = await send<{ targetInfos: Array<{ targetId: string; type: string }> }>('Target.getTargets');
  const target = targetInfos.find((t) => t.type === 'page');
  if (!target) throw new Error('Chromium opened no page');
  const { sessionId } = await send<{ sessionId: string }>('Target.attachToTarget', {
    targetId: target.targetId,
    flatten: true,
  });
  await send('Page.enable', {}, sessionId);
  await send('Page.addScriptToEvaluateOnNewDocument', { source: LONG_TASK_SCRIPT }, sessionId);
  let browser: Browser | null = null;
  return {
    evaluate: async <T>(expression: string) => {
      const r = await send<{ result: { value: T }; exceptionDetails?: unknown }>(
        'Runtime.evaluate',
        { expression, returnByValue: true },
        sessionId,
      );
      if (r.exceptionDetails) throw new Error(`evaluate failed: ${JSON.stringify(r.exceptionDetails)}`);
      return r.result.value;
    },
    navigate: async (url) => {
      await send('Page.navigate', { url }, sessionId);
    },
    attach: async () => {
      ws.close();
      browser = await chromium.connectOverCDP(`http://127.0.0.1:${port}`);
      const context = browser.contexts()[0]!;
      const page = context.pages().find((p) => p.url().startsWith('http')) ?? context.pages()[0]!;
      return { context, page };
    },
    close: async () => {
      ws.close();
      await browser?.close().catch(() => undefined);
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}
