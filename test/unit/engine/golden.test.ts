/**
 * Golden CLI tests: every worked example in docs/program-format.md and
 * docs/cli.md is a folder in test/golden with its inputs, the command line
 * (case.json, with the exit code when the case is a refusal) and the
 * output, checked by hand (the doc shows the arithmetic). The CLI runs in-process; its JSON must match byte for byte.
 */
import { describe, expect, it, vi } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runEngineCommand } from '../../../src-cli/engine-commands';

const root = join(import.meta.dirname, '..', '..', '..');
const goldenDir = join(root, 'test', 'golden');
const cases = readdirSync(goldenDir).filter((c) => existsSync(join(goldenDir, c, 'case.json')));

const run = async (command: 'quote' | 'refund' | 'validate', args: string[]) => {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  try {
    const code = await runEngineCommand(command, args);
    return { code, out };
  } finally {
    spy.mockRestore();
  }
};

describe('golden CLI examples', () => {
  it('there are examples for every documented mechanic', () => {
    expect(cases.length).toBeGreaterThanOrEqual(13);
  });

  it('every case is a worked example in the docs', () => {
    // The hand check of a case is its arithmetic in the docs: a case the docs never name was never checked by hand.
    const docs = ['program-format.md', 'cli.md'].map((f) => readFileSync(join(root, 'docs', f), 'utf8')).join('\n');
    expect(cases.filter((c) => !docs.includes(`\`${c}\``) && !docs.includes(`golden/${c}`))).toEqual([]);
  });

  it.each(cases)('%s', async (name) => {
    const spec = JSON.parse(readFileSync(join(goldenDir, name, 'case.json'), 'utf8')) as {
      command: 'quote' | 'refund';
      /** The exit code the command gives: 0 unless the case shows a refusal (1). */
      exit?: number;
      args: string[];
    };
    const cwd = process.cwd();
    process.chdir(root);
    try {
      const { code, out } = await run(
        spec.command,
        spec.args.map((a) => a.replace('{dir}', `test/golden/${name}`)),
      );
      expect(code).toBe(spec.exit ?? 0);
      expect(out).toBe(readFileSync(join(goldenDir, name, 'expected.json'), 'utf8'));
    } finally {
      process.chdir(cwd);
    }
  });
});
