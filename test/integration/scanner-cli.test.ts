/**
 * `kassa scanners list | watch` as an installer runs them: a real process
 * with the real node-hid (no HID devices exist on these machines, so the
 * list is empty and watch waits for a scanner until Ctrl-C).
 */
import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../support/processes';

const bin = join(repoRoot, 'bin', 'kassa.mjs');
const kassa = (...args: string[]) => {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: repoRoot, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

describe('kassa scanners', () => {
  it('list prints the attached HID devices, or says none are attached and what to check', () => {
    const r = kassa('scanners', 'list');
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(/No HID devices found\. Plug the scanner in; on Linux check the udev rule|usage page 0x/);
  });

  it('refuses bad ids and arguments with a coded message and the usage, touching nothing', () => {
    const bad = kassa('scanners', 'watch', '--vendor-id', 'zebra', '--product-id', '1');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('CONFIG_INVALID: --vendor-id must be a number such as 0x05e0 or 1504');
    expect(bad.stderr).toContain('Usage: kassa scanners');
    expect(kassa('scanners', 'watch', '--vendor-id', '0x10000', '--product-id', '1').stderr).toContain(
      'CONFIG_INVALID: --vendor-id',
    );
    expect(kassa('scanners', 'watch', '--vendor-id', '0x05e0').stderr).toContain(
      '--vendor-id and --product-id go together',
    );
    expect(kassa('scanners', 'watch', '--layout', 'fr').stderr).toContain('CONFIG_INVALID: --layout');
    expect(kassa('scanners', 'watch', '--hid-pos-layout', 'newland').stderr).toContain(
      '--hid-pos-layout needs --vendor-id and --product-id',
    );
    expect(
      kassa('scanners', 'watch', '--vendor-id', '0x1eab', '--product-id', '1', '--hid-pos-layout', 'zebra').stderr,
    ).toContain('CONFIG_INVALID: --hid-pos-layout');
    expect(kassa('scanners', 'watch', '--speed', '9').stderr).toContain('CONFIG_INVALID');
    expect(kassa('scanners', 'frobnicate')).toMatchObject({ code: 2, stderr: expect.stringContaining('Usage') });
  });

  it('watch waits for a scanner, says so, and stops cleanly on Ctrl-C', async () => {
    const child = spawn(
      process.execPath,
      [bin, 'scanners', 'watch', '--vendor-id', '0x05e0', '--product-id', '0x1300'],
      {
        cwd: repoRoot,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString('utf8')));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "watching" line: ${out}`)), 30_000);
      child.stdout.on('data', () => {
        if (out.includes('watching; Ctrl-C to stop')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    expect(out).toContain('No scanner found');
    const code = await new Promise<number | null>((resolve) => {
      child.once('exit', (c) => resolve(c));
      child.kill('SIGINT');
    });
    expect(code).toBe(0);
  });
});
