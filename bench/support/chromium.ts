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
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

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
  Object.defineProperty(window, '__benchLongTasks', { value: tasks });
  try {
    new PerformanceObserver((list) => { for (const e of list.getEntries()) tasks.push(e.duration); })
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

export type LongTasks = { count: number; totalMs: number; maxMs: number; over100: number };

/** The page's long tasks, from the `from`-th on (a window: pass the count an earlier call returned). */
export async function longTasks(page: Page, from = 0): Promise<LongTasks> {
  const tasks = await page.evaluate(
    (n) => ((globalThis as unknown as { __benchLongTasks?: number[] }).__benchLongTasks ?? []).slice(n),
    from,
  );
  return {
    count: tasks.length,
    totalMs: tasks.reduce((a, b) => a + b, 0),
    maxMs: tasks.reduce((a, b) => Math.max(a, b), 0),
    over100: tasks.filter((t) => t > 100).length,
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
export function sampleRss(profileDir: string): { stop: () => RssPeak } {
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
