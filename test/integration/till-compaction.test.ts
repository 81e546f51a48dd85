/**
 * Journal compaction on a real till database (RxDB on fake-indexeddb)
 * replicating with a real central server (PostgreSQL when TEST_DATABASE_URL
 * is set, PGlite otherwise): the till sells and syncs, compaction (started
 * by the replication, with a clock moved far ahead) removes the old
 * acknowledged documents, and the till keeps selling. RxDB sees the
 * removals as deletions: no push may carry them (the server would refuse
 * the whole push), every push is accepted, the server has every sale and
 * entry exactly once, the waiting count goes to 0 and the member the till
 * shows is the server's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstValueFrom, filter } from 'rxjs';
import { withCheckDigit } from '../../shared/barcode';
import { storeSchema, type Store } from '../../shared/documents';
import { programSchema, type BasketLine, type Program } from '../../shared/engine';
import { memberStateSchema } from '../../shared/engine/member-state';
import { routes } from '../../shared/replication';
import { DEMO_TILL_ID } from '../../src-server/seed';
import { createTillDatabase, type TillDatabase } from '../../src-renderer/src/db/database';
import { compactJournal } from '../../src-renderer/src/db/journal-compaction';
import type { MemberSync } from '../../src-renderer/src/db/member-sync-client';
import { readAckedTillSeq, startReplication, type Replication } from '../../src-renderer/src/db/replication';
import { memberViewOf, recordSale, type RecordedSale } from '../../src-renderer/src/db/sales';
import { nodeTillStorage } from '../support/node-storage';
import { postgresUrl, startHarness, type Harness } from '../support/server-harness';
import { memberByCard, memberWhen, membersReady, startTillMembers, until } from '../support/till-members';

// Demo data (src-server/seed.ts): member 2 and product 11 (ground coffee, double points).
const CARD = withCheckDigit('299000000002');
const COFFEE = withCheckDigit('871000000011');
const DAY_MS = 24 * 60 * 60 * 1000;

describe('journal compaction with a real server', () => {
  let h: Harness;
  let db: TillDatabase;
  let replication: Replication;
  let members: MemberSync;
  let store: Store;
  let program: Program;
  /** The clock the till's scheduled compaction reads: moved ahead once the first sales are synced. */
  let clock = () => new Date();
  const pushStatuses: number[] = [];
  const sold: RecordedSale[] = [];

  const sell = async () => {
    const m = await memberByCard(members, CARD);
    const coffee = (await members.catalog.byEan(COFFEE))!;
    const basket: BasketLine[] = [
      {
        lineId: 'L1',
        productId: coffee.id,
        ean: coffee.ean,
        name: coffee.name,
        categoryId: coffee.categoryId,
        tags: coffee.tags ?? [],
        unit: coffee.unit,
        quantity: 1,
        grams: null,
        unitPriceMinor: coffee.priceMinor,
      },
    ];
    const { state } = await memberViewOf(db, m, null, store.timeZone);
    const sale = await recordSale(
      db,
      { program, member: { id: m.id, state }, basket, at: new Date().toISOString(), timeZone: store.timeZone },
      {
        tillId: DEMO_TILL_ID,
        storeId: store.id,
        cashierId: 'cashier-1',
        memberSeq: m.seq,
        tenders: [{ kind: 'cash', amountMinor: coffee.priceMinor }],
      },
    );
    sold.push(sale);
    return sale;
  };

  const journalSize = async () => db.journal.count({ selector: { tillSeq: { $gt: 0 } } }).exec();

  const drained = async () => {
    await replication.awaitInSync();
    const s = await firstValueFrom(replication.status$.pipe(filter((x) => x.online && x.waiting === 0)));
    expect(s).toMatchObject({ waiting: 0, parked: 0, refused: null });
  };

  beforeAll(async () => {
    h = await startHarness(postgresUrl() ? 'postgres' : 'pglite');
    db = await createTillDatabase({ name: `till-compaction-${Date.now()}`, storage: nodeTillStorage() });
    // Every push reply's status, to show that no push was refused.
    const recording: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      if (typeof input === 'string' && input.endsWith(routes.push)) pushStatuses.push(res.status);
      return res;
    };
    replication = await startReplication(db, {
      serverUrl: h.url,
      token: h.token,
      tillId: DEMO_TILL_ID,
      retryMs: 200,
      fetch: recording,
      compaction: { everyMs: 200, now: () => clock() },
    });
    members = await startTillMembers(db, { serverUrl: h.url, token: h.token });
    await replication.awaitInitial();
    await membersReady(members);
    store = storeSchema.parse((await db.refdata.findOne('store:store-1').exec())!.data);
    program = programSchema.parse((await db.refdata.findOne(`program:${store.programId}`).exec())!.data);
  });

  afterAll(async () => {
    await replication?.stop();
    await members?.stop();
    await db?.close();
    await h?.close();
  });

  it('sells, syncs, compacts and keeps selling: every push accepted, every sale on the server once', async () => {
    for (let i = 0; i < 3; i++) await sell();
    await drained();
    const firstDocs = await journalSize();
    expect(await readAckedTillSeq(db)).toBe(firstDocs);

    // The scheduled compaction, with its clock far ahead, removes all but the newest document.
    clock = () => new Date(Date.now() + 1000 * DAY_MS);
    await until('the scheduled compaction', journalSize, (n) => n === 1);

    // A sale right away, then a compaction while it may still be on its way: deletions and inserts in one push.
    await sell();
    const removed = await compactJournal(db, { now: clock() });
    expect(removed).toBeGreaterThanOrEqual(0);
    for (let i = 0; i < 2; i++) await sell();
    await drained();

    expect(pushStatuses.length).toBeGreaterThan(0);
    expect(pushStatuses.every((s) => s === 200)).toBe(true);
    const docsSold = sold.reduce((n, s) => n + 1 + s.entries.length, 0);
    expect(await readAckedTillSeq(db)).toBe(docsSold);

    const [sales] = await h.db.query<{ n: string; d: string }>(
      'SELECT count(*) AS n, count(DISTINCT id) AS d FROM sales WHERE till_id = $1',
      [DEMO_TILL_ID],
    );
    expect({ n: Number(sales!.n), d: Number(sales!.d) }).toEqual({ n: sold.length, d: sold.length });
    const ids = await h.db.query<{ id: string }>('SELECT id FROM sales WHERE till_id = $1 ORDER BY id', [DEMO_TILL_ID]);
    expect(ids.map((r) => r.id)).toEqual(sold.map((s) => s.saleId).sort());
    const [entries] = await h.db.query<{ n: string; d: string }>(
      'SELECT count(*) AS n, count(DISTINCT till_seq) AS d FROM ledger_entries WHERE till_id = $1',
      [DEMO_TILL_ID],
    );
    const entriesSold = sold.reduce((n, s) => n + s.entries.length, 0);
    expect({ n: Number(entries!.n), d: Number(entries!.d) }).toEqual({ n: entriesSold, d: entriesSold });

    // The member the till shows, after its record caught up, is the server's: nothing lost with the compacted docs.
    const mine = await memberByCard(members, CARD);
    await memberWhen(members, mine.id, (m) => (m?.tillMark ?? 0) >= docsSold);
    const [server] = await h.db.query<{ state: unknown }>('SELECT state FROM members WHERE id = $1', [mine.id]);
    const view = await memberViewOf(db, await memberByCard(members, CARD), null, store.timeZone);
    expect(view.state).toEqual(memberStateSchema.parse(server!.state));
    // The journal keeps only what is younger than the moved clock's retention: the newest document.
    await until('the last compaction', journalSize, (n) => n === 1);
  });
});
