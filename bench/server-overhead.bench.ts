/**
 * Cost of the server's limits on the push path: the same documents pushed to a
 * server with rate limiting on (every request counted against its till token
 * and checked against its address's failed sign-ins; limits set high so none is
 * refused) and to one with `limits: false` (the baseline), same run, fresh
 * server per arm, arms alternated (off, on, off, on) and the faster of each
 * kept. Metrics, CORS and security headers are on in both arms. Small batches,
 * so per-request overhead shows. Prints documents/s and the ratio.
 *   npx tsx bench/server-overhead.bench.ts   (TEST_DATABASE_URL=… for PostgreSQL, else PGlite in memory)
 */
import { performance } from 'node:perf_hooks';
import type { JournalDoc } from '../shared/documents';
import { demoUlid } from '../src-server/seed';
import { HARNESS_LIMITS, startHarness, type Backend, type Harness } from '../test/support/server-harness';
import { TestTill } from '../test/support/test-till';

const SALES = Number(process.env.SALES ?? 1000);
const BATCH = Number(process.env.BATCH ?? 10);
const backend: Backend = process.env.TEST_DATABASE_URL ? 'postgres' : 'pglite';

async function makeSales(h: Harness, sales: number): Promise<JournalDoc[]> {
  const till = new TestTill(h.url, h.token, 'till-1');
  await till.sync();
  for (let i = 0; i < sales; i++) {
    till.sell(demoUlid((i % 20) + 1), [
      [`p-${String((i % 30) + 1).padStart(3, '0')}`, 1 + (i % 3)],
      [`p-${String(((i * 7) % 30) + 1).padStart(3, '0')}`, 1],
    ]);
  }
  return till.journal;
}

async function pushAll(h: Harness, docs: readonly JournalDoc[]): Promise<{ ms: number; requests: number }> {
  const till = new TestTill(h.url, h.token, 'till-1');
  const t0 = performance.now();
  let requests = 0;
  for (let i = 0; i < docs.length; i += BATCH) {
    const reply = await till.pushDocs(docs.slice(i, i + BATCH));
    requests++;
    if (reply.status !== 200) throw new Error(`push failed: ${reply.status} ${JSON.stringify(reply.body)}`);
  }
  return { ms: performance.now() - t0, requests };
}

async function arm(limited: boolean, warm: readonly JournalDoc[], docs: readonly JournalDoc[]) {
  const h = await startHarness(backend, [`BENCH-${String(limited)}`], {
    limits: limited ? HARNESS_LIMITS : false,
  });
  try {
    await pushAll(h, warm);
    return await pushAll(h, docs);
  } finally {
    await h.close();
  }
}

async function main(): Promise<void> {
  const maker = await startHarness(backend, ['BENCH-MAKE']);
  const warm = await makeSales(maker, 200);
  const docs = await makeSales(maker, SALES);
  await maker.close();
  const off: number[] = [];
  const on: number[] = [];
  let requests = 0;
  for (let round = 0; round < 2; round++) {
    off.push((await arm(false, warm, docs)).ms);
    const r = await arm(true, warm, docs);
    on.push(r.ms);
    requests = r.requests;
  }
  const offMs = Math.min(...off);
  const onMs = Math.min(...on);
  const rate = (ms: number) => Math.round((docs.length / ms) * 1000);
  console.log(`backend ${backend}: ${docs.length} documents in ${requests} pushes of ${BATCH}`);
  console.log(`  limits off (baseline): ${offMs.toFixed(0)} ms, ${rate(offMs)} docs/s`);
  console.log(`  limits on            : ${onMs.toFixed(0)} ms, ${rate(onMs)} docs/s`);
  console.log(`  ratio on / off       : ${(onMs / offMs).toFixed(3)}x time`);
}

await main();
