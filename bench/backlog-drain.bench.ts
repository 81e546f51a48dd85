/**
 * How fast a till's offline backlog drains when the server returns.
 *
 * 1,000 sales (each a sale and its earn entry: 2,000 journal documents) are
 * recorded on a till while it is offline (the real till database code, RxDB
 * on Dexie over fake-indexeddb). Then replication starts and we time until
 * the server has acknowledged everything. Baselines, in the same run and on
 * the same kind of database: the same rows inserted with plain SQL in one
 * transaction, and the server's own ingest function called in-process.
 *   npx tsx bench/backlog-drain.bench.ts   (DATABASE_URL=… for PostgreSQL)
 */
import { performance } from 'node:perf_hooks';
import { readFileSync } from 'node:fs';
import { storeSchema } from '../shared/documents';
import { validateProgram, type BasketLine } from '../shared/engine';
import { createTillDatabase } from '../src-renderer/src/db/database';
import { startReplication } from '../src-renderer/src/db/replication';
import { memberViewOf, recordSale } from '../src-renderer/src/db/sales';
import type { JournalRow } from '../src-renderer/src/db/schemas';
import { membersReady, productsEach, startTillMembers } from '../test/support/till-members';
import { ulid } from 'ulid';
import { ingestPush } from '../src-server/ingest';
import { quote } from '../shared/engine';
import { nodeTillStorage } from '../test/support/node-storage';
import { startHarness, type Backend } from '../test/support/server-harness';

const SALES = Number(process.env.SALES ?? 1000);
const backend: Backend = process.env.TEST_DATABASE_URL ? 'postgres' : 'pglite';

const program = (() => {
  const r = validateProgram(JSON.parse(readFileSync(new URL('../examples/supermarket.json', import.meta.url), 'utf8')));
  if (!r.ok) throw new Error('bad example program');
  return r.program;
})();

const main = async () => {
  // --- The till: pull reference data once, then sell offline.
  const h = await startHarness(backend, ['BENCH-1']);
  const db = await createTillDatabase({ name: `bench-${Date.now()}`, storage: nodeTillStorage() });
  const boot = await startReplication(db, { serverUrl: h.url, token: h.token, tillId: 'till-1' });
  const memberSync = await startTillMembers(db, { serverUrl: h.url, token: h.token });
  await boot.awaitInitial();
  await membersReady(memberSync);
  const members = await memberSync.store.all();
  await boot.stop();
  await memberSync.stop();
  const store = storeSchema.parse((await db.refdata.findOne('store:store-1').exec())!.data);
  const products = await productsEach(memberSync);
  for (let i = 0; i < SALES; i++) {
    const m = members[i % members.length]!;
    const p = products[i % products.length]!;
    const basket: BasketLine[] = [
      {
        lineId: 'L1',
        productId: p.id,
        ean: p.ean,
        name: p.name,
        categoryId: p.categoryId,
        tags: [...(p.tags ?? [])],
        unit: 'each',
        quantity: 2,
        grams: null,
        unitPriceMinor: p.priceMinor,
      },
    ];
    const { state } = await memberViewOf(db, m, null, store.timeZone);
    const input = {
      program,
      member: { id: m.id, state },
      basket,
      at: new Date().toISOString(),
      timeZone: store.timeZone,
    };
    await recordSale(db, input, {
      tillId: 'till-1',
      storeId: store.id,
      cashierId: 'cashier-1',
      memberSeq: m.seq,
      tenders: [{ kind: 'cash', amountMinor: quote(input).totalMinor }],
    });
  }
  const docs = (await db.journal.find({ sort: [{ tillSeq: 'asc' }] }).exec()).map((d) => ({
    ...(d.toJSON() as JournalRow),
    _deleted: false as const,
  }));

  // --- Drain over HTTP through the real replication client.
  const t0 = performance.now();
  const rep = await startReplication(db, { serverUrl: h.url, token: h.token, tillId: 'till-1' });
  await rep.awaitDrained();
  const drainMs = performance.now() - t0;
  await rep.stop();
  await db.close();
  await h.close();

  // --- Baseline 1: the same rows, plain SQL, one transaction.
  const b1 = await startHarness(backend, ['BENCH-2']);
  const t1 = performance.now();
  await b1.db.tx(async (q) => {
    for (const d of docs) {
      if (d.kind === 'sale') {
        await q(
          'INSERT INTO sales (id, till_id, store_id, member_id, till_seq, till_time, total_minor, currency, body) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)',
          [
            d.id,
            d.tillId,
            d.body.storeId,
            d.body.memberId,
            d.tillSeq,
            d.at,
            d.body.totalMinor,
            d.body.currency,
            JSON.stringify(d.body),
          ],
        );
      } else if (d.kind === 'entry') {
        await q(
          'INSERT INTO ledger_entries (id, member_id, till_id, sale_id, type, points, reason, till_seq, till_time) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)',
          [d.id, d.body.memberId, d.tillId, d.body.saleId, d.body.type, d.body.points, d.body.reason, d.tillSeq, d.at],
        );
      }
    }
  });
  const sqlMs = performance.now() - t1;
  await b1.close();

  // --- Baseline 2: the server's ingest (validation aside), in-process, batches of 100 like the till.
  const b2 = await startHarness(backend, ['BENCH-3']);
  const t2 = performance.now();
  const epoch = ulid(); // the in-process ingest stands for a database of its own
  for (let i = 0; i < docs.length; i += 100) {
    const rows = docs.slice(i, i + 100).map((d) => ({ newDocumentState: d }));
    await ingestPush(
      b2.db,
      { tillId: 'till-1', storeId: 'store-1' },
      { epoch, sentAt: new Date().toISOString(), rows },
      { recheck: true },
    );
  }
  const ingestMs = performance.now() - t2;
  await b2.close();

  console.log(`backlog drain on ${backend}: ${SALES} sales = ${docs.length} journal documents`);
  console.log(`  plain SQL insert, one transaction : ${sqlMs.toFixed(0)} ms (baseline)`);
  console.log(
    `  server ingest in-process          : ${ingestMs.toFixed(0)} ms  ratio ${(ingestMs / sqlMs).toFixed(2)}`,
  );
  console.log(
    `  till drain over HTTP (RxDB push)  : ${drainMs.toFixed(0)} ms  ratio ${(drainMs / sqlMs).toFixed(2)} vs SQL, ${(drainMs / ingestMs).toFixed(2)} vs ingest`,
  );
  console.log(`  drain throughput                  : ${((docs.length / drainMs) * 1000).toFixed(0)} documents/s`);
};

await main();
process.exit(0);
