/**
 * A chain's tills pushing at once: TILLS enrolled tills, each with its own
 * token and its own epoch, push real sales (priced by the shared engine over
 * MEMBERS members) concurrently over real HTTP to the real server, with the
 * engine re-check on. Three shapes of push, each a phase of its own:
 *
 *   live      every till pushes each sale as it is made (the sale and its
 *             entries, one push), the next right after the reply: a chain's
 *             steady state, where the push latency is what matters;
 *   busy      every till pushes BUSY documents (a few sales) at a time: what
 *             a till sends when its sales come faster than a push's round
 *             trip (its pending documents go as one push);
 *   catch-up  every till pushes BATCH documents at a time: tills coming back
 *             from an outage, where the throughput is what matters.
 *
 * Prints ledger entries/s, p50/p99 push latency and the ratio against a bare
 * multi-row INSERT of the same rows, in the same chunks, by the same number
 * of concurrent writers (bench/support/bare-insert.ts), in the same run.
 *
 * On PostgreSQL (TEST_DATABASE_URL) the server runs as real processes
 * (src-server/main.ts): each shape with one process, then with two on the
 * same database, the tills split between them. On PGlite (no URL) the one
 * in-process server of the test harness is measured.
 *   npx tsx bench/chain-push.bench.ts   (TILLS, SALES, BUSY, BATCH, MEMBERS, SHAPES=live,busy,catch-up)
 */
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import type { JournalDoc } from '../shared/documents';
import { WIRE_HEADER, WIRE_VERSION } from '../shared/replication';
import type { Query } from '../src-server/db';
import { demoUlid } from '../src-server/seed';
import { stampSeq } from '../src-server/seq';
import { freePort, startServer, type Proc } from '../test/support/processes';
import { startHarness, type Backend } from '../test/support/server-harness';
import { TestTill } from '../test/support/test-till';
import { bareInsert } from './support/bare-insert';
import { cpuSince, readCpu, type CpuSpent } from './support/cpu';

const TILLS = Number(process.env.TILLS ?? 100);
/** Sales per till per phase (a warm-up of WARM sales per till comes first, untimed: the server's code is compiled by then). */
const SALES = Number(process.env.SALES ?? 100);
const WARM = 20;
/** Documents per push: what a till catching up sends (its PUSH_BATCH). */
const BATCH = Number(process.env.BATCH ?? 100);
/** Documents per push of a busy till: five sales with their entries. */
const BUSY = Number(process.env.BUSY ?? 10);
const MEMBERS = Number(process.env.MEMBERS ?? 10_000);
type Shape = 'live' | 'busy' | 'catch-up';
const SHAPES = (process.env.SHAPES ?? 'live,busy,catch-up').split(',') as Shape[];
const backend: Backend = process.env.TEST_DATABASE_URL ? 'postgres' : 'pglite';

type Phase = { name: string; shape: Shape; docs: JournalDoc[][] };
type Result = { ms: number; entries: number; latencies: number[]; cpu: CpuSpent };

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

/** A till's documents as it pushes them: one sale (with its entries) a push, or BUSY or BATCH documents a push. */
function chunks(docs: readonly JournalDoc[], shape: Shape): JournalDoc[][] {
  const out: JournalDoc[][] = [];
  if (shape !== 'live') {
    const size = shape === 'busy' ? BUSY : BATCH;
    for (let i = 0; i < docs.length; i += size) out.push(docs.slice(i, i + size));
    return out;
  }
  for (const d of docs) {
    if (d.kind === 'sale' || out.length === 0) out.push([]);
    out.at(-1)!.push(d);
  }
  return out;
}

/** Keep-alive connections for every simulated till at once: the tills' own HTTP costs stay small beside the server's. */
const agent = new Agent({ keepAlive: true, maxSockets: TILLS * 2 });

/** A till's push bodies, serialised before a phase is timed (a real till is another machine). */
function pushBodies(till: TestTill, docs: readonly JournalDoc[], shape: Shape): string[] {
  return chunks(docs, shape).map((chunk) =>
    JSON.stringify({
      epoch: till.epoch,
      sentAt: new Date().toISOString(),
      rows: chunk.map((d) => ({ newDocumentState: d, assumedMasterState: null })),
    }),
  );
}

/** One push over a kept-alive connection: its status and parsed reply. */
function post(url: string, token: string, body: string): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}/api/v1/replication/journal/push`,
      {
        method: 'POST',
        agent,
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          [WIRE_HEADER]: String(WIRE_VERSION),
        },
      },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(parts).toString()) }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Each till pushes its documents chunk by chunk, all tills at once; `urlOf` picks its server. */
async function pushPhase(
  tills: readonly TestTill[],
  docs: readonly JournalDoc[][],
  shape: Shape,
  urlOf: (t: number) => string,
  serverPids: readonly number[] = [],
): Promise<Result> {
  const latencies: number[] = [];
  const bodies = tills.map((till, t) => pushBodies(till, docs[t]!, shape));
  const cpu0 = readCpu(serverPids);
  const t0 = performance.now();
  await Promise.all(
    tills.map(async (till, t) => {
      for (const body of bodies[t]!) {
        const s = performance.now();
        const reply = await post(urlOf(t), till.token, body);
        latencies.push(performance.now() - s);
        if (reply.status !== 200) throw new Error(`push failed: ${reply.status} ${JSON.stringify(reply.body)}`);
        const parked = (reply.body as { parked: unknown[] }).parked;
        if (parked.length > 0) throw new Error(`push parked: ${JSON.stringify(parked[0])}`);
      }
    }),
  );
  const ms = performance.now() - t0;
  const cpu = cpuSince(cpu0, readCpu(serverPids));
  const entries = docs.flat().filter((d) => d.kind === 'entry').length;
  return { ms, entries, latencies: latencies.sort((x, y) => x - y), cpu };
}

/** The same rows with plain multi-row INSERTs: one transaction per chunk, all tills at once. */
async function barePhase(
  tx: (fn: (q: Query) => Promise<void>) => Promise<void>,
  docs: readonly JournalDoc[][],
  shape: Shape,
): Promise<Result> {
  const latencies: number[] = [];
  const cpu0 = readCpu([]);
  const t0 = performance.now();
  await Promise.all(
    docs.map(async (mine) => {
      for (const chunk of chunks(mine, shape)) {
        const s = performance.now();
        await tx((q) => bareInsert(q, chunk));
        latencies.push(performance.now() - s);
      }
    }),
  );
  const ms = performance.now() - t0;
  return {
    ms,
    entries: docs.flat().filter((d) => d.kind === 'entry').length,
    latencies: latencies.sort((x, y) => x - y),
    cpu: cpuSince(cpu0, readCpu([])),
  };
}

/**
 * One phase's line, and under it the CPU it cost per 1,000 entries: the server (its processes; on PGlite it runs
 * in this process, inside "tills"), PostgreSQL's backends, and this process (the simulated tills, the bare
 * INSERT's client). On a machine of few cores these share them, so they explain the throughput.
 */
function report(name: string, r: Result, bare: Result | null): number {
  const rate = (r.entries / r.ms) * 1000;
  const ratio = bare ? ` | ${(r.ms / bare.ms).toFixed(2)}x the bare INSERT's time` : '';
  console.log(
    `  ${name.padEnd(28)}: ${r.entries} entries in ${r.ms.toFixed(0)} ms = ${rate.toFixed(0)} entries/s, ` +
      `p50 ${percentile(r.latencies, 50).toFixed(0)} ms, p99 ${percentile(r.latencies, 99).toFixed(0)} ms${ratio}`,
  );
  const per = (ms: number) => ((ms / r.entries) * 1000).toFixed(0);
  console.log(
    `  ${''.padEnd(28)}  CPU ms per 1,000 entries: server ${per(r.cpu.servers)}, PostgreSQL ${per(r.cpu.postgres)}, ` +
      `tills ${per(r.cpu.self)}; cores busy ${((r.cpu.servers + r.cpu.postgres + r.cpu.self) / r.ms).toFixed(2)}`,
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
  const processes = backend === 'postgres' ? ['one process', 'two processes'] : ['in-process (PGlite)'];
  const warm = tills.map((t) => sell(t, WARM, members, products));
  const phases: Phase[] = SHAPES.flatMap((shape) =>
    processes.map((p) => ({
      name: `${shape}, ${p}`,
      shape,
      docs: tills.map((t) => sell(t, SALES, members, products)),
    })),
  );
  const perTill = phases[0]!.docs[0]!.length;
  console.log(
    `backend ${backend}: ${TILLS} tills, ${MEMBERS} members, ${SALES} sales (${perTill} documents) per till per phase, ` +
      `live pushes of one sale, busy pushes of ${BUSY} documents, catch-up pushes of ${BATCH}, re-check on`,
  );

  if (backend === 'pglite') {
    await pushPhase(tills, warm, 'catch-up', () => h.url);
    for (const phase of phases) {
      const run = await pushPhase(tills, phase.docs, phase.shape, () => h.url);
      const bare = await barePhase((fn) => h.db.tx(fn), phase.docs, phase.shape);
      report(`bare INSERT (${phase.shape})`, bare, null);
      report(phase.name, run, bare);
    }
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
  const serverPids = () => servers.map((s) => s.child.pid!);
  const start = async () => {
    const port = await freePort();
    servers.push(
      await startServer({
        port,
        databaseUrl: url,
        env: {
          KASSA_SEED: '0',
          KASSA_LOG_LEVEL: 'warn',
          ...(process.env.POOL ? { KASSA_DB_POOL_SIZE: process.env.POOL } : {}),
        },
      }),
    );
    return `http://127.0.0.1:${port}`;
  };
  try {
    const first = await start();
    await pushPhase(tills, warm, 'catch-up', () => first);
    const second = await start();
    const rates = new Map<string, number>();
    for (const phase of phases) {
      const two = phase.name.endsWith('two processes');
      const run = await pushPhase(
        tills,
        phase.docs,
        phase.shape,
        (t) => (two && t % 2 === 1 ? second : first),
        serverPids(),
      );
      const bare = await barePhase(tx, phase.docs, phase.shape);
      report(`bare INSERT (${phase.shape})`, bare, null);
      rates.set(phase.name, report(phase.name, run, bare));
    }
    for (const shape of SHAPES) {
      const one = rates.get(`${shape}, one process`)!;
      const two = rates.get(`${shape}, two processes`)!;
      console.log(`  ${shape}: two processes / one process = ${(two / one).toFixed(2)}x entries/s`);
    }
  } finally {
    for (const s of servers) await s.stop();
    await pool.end();
    await h.db.close();
  }
}

await main();
agent.destroy();
