/**
 * Push throughput of the central server, with the engine re-check on and off.
 *
 * Real sales, priced by the shared engine at test tills (a sale and its
 * ledger entries, as a till writes them), are pushed over real HTTP in
 * batches of BATCH documents. The same documents go to two servers in the
 * same run: one re-running the engine on every sale (the default) and one
 * with the re-check off (the baseline). A third baseline inserts the same
 * rows with plain SQL. Prints documents/s and the ratios.
 *   npx tsx bench/server-push.bench.ts   (TEST_DATABASE_URL=… for PostgreSQL, else PGlite in memory)
 */
import { performance } from 'node:perf_hooks';
import type { JournalDoc } from '../shared/documents';
import { demoUlid } from '../src-server/seed';
import { startHarness, type Backend, type Harness } from '../test/support/server-harness';
import { TestTill } from '../test/support/test-till';
import { bareInsert } from './support/bare-insert';

const SALES = Number(process.env.SALES ?? 1000);
const BATCH = Number(process.env.BATCH ?? 100);
const backend: Backend = process.env.TEST_DATABASE_URL ? 'postgres' : 'pglite';

/** The documents of SALES sales over the 20 demo members, made at a till of `h`. */
async function makeSales(h: Harness, sales = SALES): Promise<JournalDoc[]> {
  const till = new TestTill(h.url, h.token, 'till-1');
  await till.sync();
  for (let i = 0; i < sales; i++) {
    const member = demoUlid((i % 20) + 1);
    till.sell(member, [
      [`p-${String((i % 30) + 1).padStart(3, '0')}`, 1 + (i % 3)],
      [`p-${String(((i * 7) % 30) + 1).padStart(3, '0')}`, 1],
    ]);
  }
  return till.journal;
}

async function pushAll(h: Harness, docs: readonly JournalDoc[], epoch: string): Promise<number> {
  const till = new TestTill(h.url, h.token, 'till-1');
  till.epoch = epoch;
  const t0 = performance.now();
  let acked = 0;
  for (let i = 0; i < docs.length; i += BATCH) {
    const reply = await till.pushDocs(docs.slice(i, i + BATCH));
    if (reply.status !== 200) throw new Error(`push failed: ${reply.status} ${JSON.stringify(reply.body)}`);
    const body = reply.body as { parked: unknown[]; ackedTillSeq: number };
    if (body.parked.length > 0)
      throw new Error(`push parked ${body.parked.length} documents: ${JSON.stringify(body.parked[0])}`);
    acked = body.ackedTillSeq;
  }
  const ms = performance.now() - t0;
  // Every document was taken (applied), none left waiting.
  if (acked !== docs.at(-1)!.tillSeq) throw new Error(`server acknowledged ${acked} of ${docs.at(-1)!.tillSeq}`);
  return ms;
}

async function sqlInsert(h: Harness, docs: readonly JournalDoc[]): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < docs.length; i += BATCH) await h.db.tx((q) => bareInsert(q, docs.slice(i, i + BATCH)));
  return performance.now() - t0;
}

/** Pushes the documents to a fresh server: first a warm-up run on one epoch (JIT, plans), then the timed one. */
async function timedPush(
  recheck: boolean,
  warm: readonly JournalDoc[],
  docs: readonly JournalDoc[],
): Promise<{ ms: number; sqlMs: number }> {
  const h = await startHarness(backend, [`BENCH-${String(recheck)}`], { recheck });
  await pushAll(h, warm, new TestTill(h.url, h.token, 'till-1').epoch);
  const ms = await pushAll(h, docs, new TestTill(h.url, h.token, 'till-1').epoch);
  const sqlMs = await sqlInsert(h, docs);
  await h.close();
  return { ms, sqlMs };
}

async function main(): Promise<void> {
  const maker = await startHarness(backend, ['BENCH-MAKE']);
  const warm = await makeSales(maker, 200);
  const docs = await makeSales(maker);
  await maker.close();
  const off = await timedPush(false, warm, docs);
  const on = await timedPush(true, warm, docs);
  const onMs = on.ms;
  const offMs = off.ms;
  const sqlMs = Math.min(on.sqlMs, off.sqlMs);

  const rate = (ms: number) => Math.round((docs.length / ms) * 1000);
  const entries = docs.filter((d) => d.kind === 'entry').length;
  console.log(
    `backend ${backend}: ${SALES} sales = ${docs.length} documents (${entries} ledger entries), batches of ${BATCH}`,
  );
  console.log(`  plain SQL insert            : ${sqlMs.toFixed(0)} ms, ${rate(sqlMs)} docs/s`);
  console.log(`  push, re-check off (baseline): ${offMs.toFixed(0)} ms, ${rate(offMs)} docs/s`);
  console.log(`  push, re-check on           : ${onMs.toFixed(0)} ms, ${rate(onMs)} docs/s`);
  console.log(`  ratio re-check on / off     : ${(onMs / offMs).toFixed(2)}x time`);
  console.log(`  ratio push (on) / plain SQL : ${(onMs / sqlMs).toFixed(2)}x time`);
}

await main();
