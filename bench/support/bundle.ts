/**
 * In-page bench code (bench/browser/) bundled for Chromium with the
 * project's esbuild, into a temp folder, at bench start: the bench always
 * runs the current sources, and nothing is written into the repository.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';

export const repoRoot = join(import.meta.dirname, '..', '..');

/** Bundles one entry (a path, or source text written to the temp folder first) into one browser script. */
export async function bundle(entry: { path: string } | { source: string; name: string }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'kassa-bench-bundle-'));
  let path: string;
  if ('path' in entry) path = entry.path;
  else {
    path = join(dir, `${entry.name}.ts`);
    await writeFile(path, entry.source);
  }
  const out = join(dir, 'out.js');
  execFileSync(
    join(repoRoot, 'node_modules', '.bin', 'esbuild'),
    [
      path,
      '--bundle',
      '--format=iife',
      '--platform=browser',
      '--target=es2022',
      `--outfile=${out}`,
      '--log-level=error',
    ],
    { cwd: repoRoot, stdio: ['ignore', 'inherit', 'inherit'] },
  );
  return readFile(out, 'utf8');
}

/** A page that runs one bundled script (served through Playwright's page.route). */
export function benchHtml(title: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body><script src="bench.js"></script></body></html>`;
}

/** Serves `script` as a page under `origin`/__bench/ in `context` (Playwright answers; other paths reach the origin). */
export async function routeBenchPage(
  context: BrowserContext,
  origin: string,
  script: string,
  title: string,
): Promise<void> {
  await context.route(`${origin}/__bench/**`, (route) =>
    new URL(route.request().url()).pathname.endsWith('.js')
      ? route.fulfill({ contentType: 'text/javascript', body: script })
      : route.fulfill({ contentType: 'text/html', body: benchHtml(title) }),
  );
}
