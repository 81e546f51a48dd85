/**
 * The real `electron-vite build`, into a temp directory: main keeps node-hid
 * external (native module, loaded at run time), the preload is CommonJS and
 * requires nothing but `electron` (a sandboxed preload can load nothing
 * else), and the renderer is a plain web page.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../support/processes';

let out: string;

beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), 'kassa-build-'));
  execFileSync(
    process.execPath,
    [join(repoRoot, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build', '--outDir', out],
    { cwd: repoRoot, stdio: 'pipe' },
  );
}, 120_000);

const requires = (code: string) => [...code.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]);

describe('electron-vite build', () => {
  it('emits the preload as CommonJS that requires only electron', async () => {
    const preload = await readFile(join(out, 'preload', 'index.cjs'), 'utf8');
    expect(new Set(requires(preload))).toEqual(new Set(['electron']));
    expect(preload).toContain('exposeInMainWorld("kassa"');
    expect(preload).not.toMatch(/^\s*import\s/m);
  });

  it('keeps node-hid out of the main bundle and points the window at the CommonJS preload', async () => {
    const main = await readFile(join(out, 'main', 'index.js'), 'utf8');
    expect(main).toMatch(/import\("node-hid"\)|require\("node-hid"\)|from "node-hid"/);
    expect(main).toContain('../preload/index.cjs');
    expect(main).toContain('sandbox: true');
  });

  it('builds the renderer as a page with relative asset paths', async () => {
    const html = await readFile(join(out, 'renderer', 'index.html'), 'utf8');
    expect(html).toContain('<div id="root">');
    const script = /src="(\.\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    expect(existsSync(join(out, 'renderer', script!))).toBe(true);
  });
});
