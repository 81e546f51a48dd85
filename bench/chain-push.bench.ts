/**
 * A chain's tills pushing at once: TILLS enrolled tills, each with its own
 * token and its own epoch, push real sales (priced by the shared engine over
 * MEMBERS members) concurrently over real HTTP to the real server, with the
 * engine re-check on. Prints ledger entries/s, p50/p99 push latency and the
 * ratio against a bare multi-row INSERT of the same rows, by the same number
 * of concurrent writers, in the same run.
 *
 * On PostgreSQL (TEST_DATABASE_URL) the server runs as real processes
 * (src-server/main.ts): a phase with one process, then a phase with two on the
 * same database, the tills split between them. On PGlite (no URL) the one
 * in-process server of the test harness is measured.
 *   npx tsx bench/chain-push.bench.ts   (TILLS, SALES, BATCH, MEMBERS to change the shape)
 */
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import type { JournalDoc } from '../shared/documents';
import type { Query } from '../src-server/db';
import { demoUlid } from '../src-server/seed';
import { stampSeq } from '../src-server/seq';
import { freePort, startServer, type Proc } from '../test/support/processes';
import { startHarness, type Backend } from '../test/support/server-harness';
import { TestTill } from '../test/support/test-till';

const TILLS = Number(process.env.TILLS ?? 100);
/** Sales per till per phase (a warm-up of WARM sales per till comes first, untimed). */
const SALES = Number(process.env.SALES ?? 100);
const WARM = 4;
/** Documents per push: what a till catching up sends (its PUSH_BATCH). */
const BATCH = Number(process.env.BATCH ?? 100);
const MEMBERS = Number(process.env.MEMBERS ?? 10_000);
const backend: Backend = process.env.TEST_DATABASE_URL ? 'postgres' : 'pglite';

type Phase = { name: string; docs: JournalDoc[][] };
type Result = { ms: number; entries: number; latencies: number[] };

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/** MEMBERS members in one statement, stamped (their versions are what sales quote on). */
async function seedMembers(q: Query): Promise<string[]> {
  const ids = Array.from({ length: MEMBERS }, (_, i) => demoUlid(100_000 + i));
  await q(
    `INSERT INTO members (id, card_number, store_id, name, enrolled_at, state, seq)
     SELECT m.id, m.card, 'store-1', 'Chain member', now(), '{"balance":0,"lots":[],"tierWindow":{"spendMinor":0,"points":0}}', 0
       FROM unnest($1::text[], $2::text[]) AS m(id, card)`,
    [ids, ids.map((_, i) => `CHAIN${i}`)],
  );
  await stampSeq(q, 'members', ids);
  return ids;
}

/** One simulated till per token, sharing the template's copy of the chain's members, products and program. */
function makeTills(template: TestTill, tokens: readonly string[]): TestTill[] {
  return tokens.map((token, t) => {
    const till = new TestTill(template.url, token, `till-${t + 1}`);
    till.members = template.members;
    till.products = template.products;
    till.program = template.program;
    till.store = template.store;
    return till;
  });
}

/**
 * A till's next `count` sales (made up front, in the till's one epoch). Members are picked at random across
 * the chain, so pushes from different tills rarely touch the same member.
 */
function sell(till: TestTill, count: number, members: readonly string[], products: readonly string[]): JournalDoc[] {
  const start = till.journal.length;
  for (let i = 0; i < count; i++) {
    const member = members[Math.floor(Math.random() * members.length)]!;
    const a = products[Math.floor(Math.random() * products.length)]!;
    const b = products[Math.floor(Math.random() * products.length)]!;
    till.sell(member, [
      [a, 1 + (i % 3)],
      [b, 1],
    ]);
  }
  return till.journal.slice(start);
}

/** Each till pushes its documents in BATCH-sized pushes, all tills at once; `urlOf` picks its server. */
async function pushPhase(tills: readonly TestTill[], docs: readonly JournalDoc[][], urlOf: (t: number) => string) {
  const latencies: number[] = [];
  const t0 = performance.now();
  await Promise.all(
    tills.map(async (till, t) => {
      const mine = docs[t]!;
      const at = new TestTill(urlOf(t), till.token, till.tillId);
      at.epoch = till.epoch;
      for (let i = 0; i < mine.length; i += BATCH) {
        const s = performance.now();
        const reply = await at.pushDocs(mine.slice(i, i + BATCH));
        latencies.push(performance.now() - s);
        if (reply.status !== 200) throw new Error(`push failed: ${reply.status} ${JSON.stringify(reply.body)}`);
        const body = reply.body as { parked: unknown[] };
        if (body.parked.length > 0) throw new Error(`push parked: ${JSON.stringify(body.parked[0])}`);
      }
    }),
  );
  const ms = performance.now() - t0;
  const entries = docs.flat().filter((d) => d.kind === 'entry').length;
  return { ms, entries, latencies: latencies.sort((x, y) => x - y) };
}

/** The same rows with plain multi-row INSERTs: one transaction per push-sized batch, all tills at once. */
async function bareInsert(tx: (fn: (q: Query) => Promise<void>) => Promise<void>, docs: readonly JournalDoc[][]) {
  const latencies: number[] = [];
  const t0 = performance.now();
  await Promise.all(
    docs.map(async (mine) => {
      for (let i = 0; i < mine.length; i += BATCH) {
        const batch = mine.slice(i, i + BATCH);
        const s = performance.now();
        await tx(async (q) => {
          const sales = batch.filter((d) => d.kind === 'sale');
          const entries = batch.filter((d) => d.kind === 'entry');
          await q(
            `INSERT INTO sales (id, till_id, store_id, member_id, till_seq, till_time, total_minor, currency, body)
             SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::timestamptz[], $7::bigint[], $8::text[], $9::jsonb[])`,
            [
              sales.map((d) => `sql-${d.id}`),
              sales.map((d) => d.tillId),
              sales.map((d) => d.body.storeId),
              sales.map((d) => d.body.memberId),
              sales.map((d) => d.tillSeq),
              sales.map((d) => d.at),
              sales.map((d) => d.body.totalMinor),
              sales.map((d) => d.body.currency),
              sales.map((d) => JSON.stringify(d.body)),
            ],
          );
          await q(
            `INSERT INTO ledger_entries (id, member_id, till_id, sale_id, type, points, reason, natural_id, rule_id, till_seq, till_time)
             SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::text[],
                                  $8::text[], $9::text[], $10::bigint[], $11::timestamptz[])`,
            [
              entries.map((d) => `sql-${d.id}`),
              entries.map((d) => d.body.memberId),
              entries.map((d) => d.tillId),
              entries.map((d) => d.body.saleId),
              entries.map((d) => d.body.type),
              entries.map((d) => d.body.points),
              entries.map((d) => d.body.reason),
              entries.map(() => null),
              entries.map((d) => d.body.ruleId),
              entries.map((d) => d.tillSeq),
              entries.map((d) => d.at),
            ],
          );
        });
        latencies.push(performance.now() - s);
      }
    }),
  );
  const ms = performance.now() - t0;
  return {
    ms,
    entries: docs.flat().filter((d) => d.kind === 'entry').length,
    latencies: latencies.sort((x, y) => x - y),
  };
}

function report(name: string, r: Result, bare: Result | null): number {
  const rate = (r.entries / r.ms) * 1000;
  const ratio = bare ? ` | ${(r.ms / bare.ms).toFixed(2)}x the bare INSERT's time` : '';
  console.log(
    `  ${name.padEnd(28)}: ${r.entries} entries in ${r.ms.toFixed(0)} ms = ${rate.toFixed(0)} entries/s, ` +
      `p50 ${percentile(r.latencies, 50).toFixed(0)} ms, p99 ${percentile(r.latencies, 99).toFixed(0)} ms${ratio}`,
  );
  return rate;
}

async function main(): Promise<void> {
  const codes = Array.from({ length: TILLS }, (_, i) => `CHAIN-TILL-${i + 1}`);
  const h = await startHarness(backend, codes, { recheck: true });
  const members = await h.db.tx((q) => seedMembers(q));
  const template = new TestTill(h.url, h.token, 'till-1');
  await template.sync();
  const tills = makeTills(template, h.tokens);
  const products = [...template.products.values()].filter((p) => p.unit !== 'kg').map((p) => p.id);
  const phaseNames = backend === 'postgres' ? ['one process', 'two processes'] : ['in-process (PGlite)'];
  const warm = tills.map((t) => sell(t, WARM, members, products));
  const phases: Phase[] = phaseNames.map((name) => ({
    name,
    docs: tills.map((t) => sell(t, SALES, members, products)),
  }));
  const perTill = phases[0]!.docs[0]!.length;
  console.log(
    `backend ${backend}: ${TILLS} tills, ${MEMBERS} members, ${SALES} sales (${perTill} documents) per till per phase, ` +
      `pushes of ${BATCH} documents, re-check on`,
  );

  if (backend === 'pglite') {
    await pushPhase(tills, warm, () => h.url);
    const run = await pushPhase(tills, phases[0]!.docs, () => h.url);
    const bare = await bareInsert((fn) => h.db.tx(fn), phases[0]!.docs);
    report('bare multi-row INSERT', bare, null);
    report(phases[0]!.name, run, bare);
    await h.close();
    return;
  }

  // PostgreSQL: the harness made the schema, tills and members; real server processes take the pushes.
  await h.app.close();
  const url = process.env.TEST_DATABASE_URL!;
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  const tx = async (fn: (q: Query) => Promise<void>) => {
    const c = await pool.connect();
    try {
      await c.query('BEGIN');
      await fn(
        async <T>(sql: string, params?: readonly unknown[]) => (await c.query(sql, params as unknown[])).rows as T[],
      );
      await c.query('COMMIT');
    } catch (e) {
      await c.query('ROLLBACK');
      throw e;
    } finally {
      c.release();
    }
  };
  const servers: Proc[] = [];
  const start = async () => {
    const port = await freePort();
    servers.push(await startServer({ port, databaseUrl: url, env: { KASSA_SEED: '0', KASSA_LOG_LEVEL: 'warn' } }));
    return `http://127.0.0.1:${port}`;
  };
  try {
    const first = await start();
    await pushPhase(tills, warm, () => first);
    const one = await pushPhase(tills, phases[0]!.docs, () => first);
    const bareOne = await bareInsert(tx, phases[0]!.docs);
    const second = await start();
    const two = await pushPhase(tills, phases[1]!.docs, (t) => (t % 2 === 0 ? first : second));
    const bareTwo = await bareInsert(tx, phases[1]!.docs);
    report('bare multi-row INSERT', bareOne, null);
    const r1 = report(phases[0]!.name, one, bareOne);
    report('bare multi-row INSERT', bareTwo, null);
    const r2 = report(phases[1]!.name, two, bareTwo);
    console.log(`  two processes / one process : ${(r2 / r1).toFixed(2)}x entries/s`);
  } finally {
    for (const s of servers) await s.stop();
    await pool.end();
    await h.db.close();
  }
}

await main();
