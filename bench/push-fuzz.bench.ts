/**
 * The push fuzz at bench scale: runs test/integration/push-fuzz.test.ts with
 * FUZZ_RUNS (default 50,000) generated bodies instead of CI's 5,000, and
 * prints the answer counts and the time per body against a plain valid push
 * measured in the same run (the fuzz test itself prints the statuses).
 *   npm run bench -- fuzz
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const runs = Number(process.env.FUZZ_RUNS ?? 50_000);
const root = join(import.meta.dirname, '..');
const time = (n: number) => {
  const t0 = performance.now();
  const r = spawnSync(
    process.execPath,
    [join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', 'test/integration/push-fuzz.test.ts'],
    { cwd: root, env: { ...process.env, FUZZ_RUNS: String(n) }, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const out = r.stdout.toString();
  const line = out.split('\n').find((l) => l.includes('push fuzz:')) ?? '';
  if (r.status !== 0) {
    process.stdout.write(out);
    throw new Error(`the fuzz failed with ${n} bodies`);
  }
  return { ms: performance.now() - t0, line: line.trim() };
};
// Baseline: the same test with 100 bodies (server start, seeding and process start-up dominate it).
const base = time(100);
const full = time(runs);
console.log(full.line);
console.log(`baseline (100 bodies): ${base.ms.toFixed(0)} ms; ${runs} bodies: ${full.ms.toFixed(0)} ms`);
console.log(
  `per extra body: ${((full.ms - base.ms) / (runs - 100)).toFixed(2)} ms, ratio ${(full.ms / base.ms).toFixed(1)}x`,
);
