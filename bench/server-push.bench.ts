/**
 * Push throughput of the central server.
 *
 * N ledger entries (default 4,000, spread over the 20 demo members) are pushed
 * over real HTTP in batches of BATCH (default 100), each batch one push: the
 * server validates, stores, applies to balances and lots, stamps member seqs
 * and notifies. Baseline, in the same run on the same database: the same
 * number of rows inserted with plain SQL, one multi-row INSERT per batch, one
 * transaction per batch. Prints entries/s for both and their ratio.
 *   npx tsx bench/server-push.bench.ts   (TEST_DATABASE_URL=… for PostgreSQL, else PGlite in memory)
 */
import { performance } from 'node:perf_hooks';
import type { EntryDoc } from '../shared/documents';
import { demoUlid } from '../src-server/seed';
import { entryDoc, row } from '../test/support/journal';
import { push, startHarness, type Backend } from '../test/support/server-harness';

const N = Number(process.env.ENTRIES ?? 4000);
const BATCH = Number(process.env.BATCH ?? 100);
const MEMBERS = 20;
const backend: Backend = process.env.TEST_DATABASE_URL ? 'postgres' : 'pglite';

const main = async () => {
  const h = await startHarness(backend, ['BENCH-PUSH-1']);
  let tillSeq = 0;
  const makeBatch = (size: number) =>
    Array.from(
      { length: size },
      (_, i) =>
        entryDoc({
          tillId: 'till-1',
          tillSeq: ++tillSeq,
          memberId: demoUlid((i % MEMBERS) + 1),
          points: 1 + (i % 7),
        }) as EntryDoc,
    );
  const batches = Array.from({ length: Math.ceil(N / BATCH) }, (_, b) => makeBatch(Math.min(BATCH, N - b * BATCH)));

  // Warm up both paths (JIT, connection pool, query plans) outside the timed runs.
  const warm = await push(h.url, h.token, makeBatch(BATCH).map(row));
  if (!warm.ok) throw new Error(`warm-up push failed: ${warm.status} ${await warm.text()}`);

  // Baseline: the same rows, straight into ledger_entries with SQL (ids renamed so they do not collide).
  const insertSql = async (docs: EntryDoc[], tag: string) =>
    h.db.tx((q) =>
      q(
        `INSERT INTO ledger_entries (id, member_id, till_id, sale_id, type, points, reason, natural_id, rule_id, till_seq, till_time)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::text[],
                              $8::text[], $9::text[], $10::bigint[], $11::timestamptz[])`,
        [
          docs.map((d) => `${tag}${d.id}`),
          docs.map((d) => d.body.memberId),
          docs.map(() => 'bench-sql'),
          docs.map((d) => d.body.saleId),
          docs.map((d) => d.body.type),
          docs.map((d) => d.body.points),
          docs.map((d) => d.body.reason),
          docs.map((d) => d.body.naturalId),
          docs.map((d) => d.body.ruleId),
          docs.map((d) => d.tillSeq),
          docs.map((d) => d.at),
        ],
      ),
    );
  await insertSql(makeBatch(BATCH), 'warm-');

  const t0 = performance.now();
  for (const b of batches) await insertSql(b, 'sql-');
  const sqlMs = performance.now() - t0;

  const t1 = performance.now();
  let accepted = 0;
  for (const b of batches) {
    const res = await push(h.url, h.token, b.map(row));
    if (!res.ok) throw new Error(`push failed: ${res.status} ${await res.text()}`);
    accepted += ((await res.json()) as { accepted: number }).accepted;
  }
  const httpMs = performance.now() - t1;
  if (accepted !== N) throw new Error(`expected ${N} accepted, got ${accepted}`);

  // Sanity: every pushed entry moved its member's balance exactly once.
  const [check] = await h.db.query<{ n: string }>(
    "SELECT count(*) AS n FROM ledger_entries WHERE till_id = 'till-1' AND effective",
  );
  if (Number(check?.n) !== N + BATCH) throw new Error(`ledger holds ${check?.n} entries from till-1`);

  const rate = (ms: number) => Math.round((N / ms) * 1000);
  console.log(`backend ${backend}, ${N} entries in batches of ${BATCH}`);
  console.log(`plain SQL insert (baseline): ${sqlMs.toFixed(0)} ms, ${rate(sqlMs)} entries/s`);
  console.log(`HTTP push (validate, store, apply, stamp, notify): ${httpMs.toFixed(0)} ms, ${rate(httpMs)} entries/s`);
  console.log(`ratio HTTP push / plain SQL time: ${(httpMs / sqlMs).toFixed(2)}x`);
  await h.close();
};

await main();
