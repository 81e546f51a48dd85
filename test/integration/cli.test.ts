/** The `kassa` command line as an installer or program manager runs it. */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../support/processes';

const kassa = (...args: string[]) => {
  const r = spawnSync(process.execPath, [join(repoRoot, 'bin', 'kassa.mjs'), ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

describe('kassa CLI', () => {
  it('scanners list runs with the real node-hid', () => {
    const r = kassa('scanners', 'list');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/No HID devices found|usage page/);
  });

  it('validate accepts the example program and rejects a broken one with its path', () => {
    expect(kassa('validate', 'examples/supermarket.json')).toMatchObject({ code: 0 });
    const bad = kassa('validate', 'test/golden/broken-program.json');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('earn[0].perMinor');
  });

  it('wrong usage exits 2 with the usage text', () => {
    const r = kassa('quote');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Usage');
  });
});
