/**
 * The till's replication client against a real central server process
 * (PGlite in a temp folder), with the till's real database on fake-indexeddb:
 * bootstrap pull (products and reference data by replication, members by
 * the member snapshot into the member store), live stream, the waiting count
 * and online state through a server shutdown, the drain after it returns,
 * and a balance that stays the same when the server's snapshot catches up
 * (never counted twice).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firstValueFrom, filter } from 'rxjs';
import { withCheckDigit } from '../../shared/barcode';
import { storeSchema } from '../../shared/documents';
import { programSchema, type BasketLine, type Program } from '../../shared/engine';
import type { Store } from '../../shared/documents';
import { createTillDatabase, type TillDatabase } from '../../src-renderer/src/db/database';
import {
  readAckedTillSeq,
  startReplication,
  type Replication,
  type SyncStatus,
} from '../../src-renderer/src/db/replication';
import { memberViewOf, recordSale } from '../../src-renderer/src/db/sales';
import { memberStateSchema } from '../../shared/engine/member-state';
import type { MemberRecord } from '../../shared/member-snapshot';
import type { MemberSync } from '../../src-renderer/src/db/member-sync-client';
import { nodeTillStorage } from '../support/node-storage';
import { memberByCard, memberWhen, membersReady, startTillMembers } from '../support/till-members';
import { DEMO_PRODUCT_COUNT } from '../../src-server/seed';
import { adminGet, freePort, startServer, type Proc } from '../support/processes';

// Demo data (src-server/seed.ts): member 2 and product 11 (ground coffee, double points).
const CARD = withCheckDigit('299000000002');
const COFFEE = withCheckDigit('871000000011');

describe('till replication client', () => {
  let dir: string;
  let port: number;
  let serverUrl: string;
  let server: Proc;
  let db: TillDatabase;
  let replication: Replication;
  let members: MemberSync;
  let tillId: string;
  let enrolledToken: string;
  let store: Store;
  let program: Program;

  const start = () =>
    startServer({ port, dataDir: join(dir, 'server'), env: { KASSA_ENROL_CODE: 'TR-1', KASSA_LOG_LEVEL: 'warn' } });

  const member = async () => memberByCard(members, CARD);

  const sell = async () => {
    const m = await member();
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
    const { state } = await view(m);
    return recordSale(
      db,
      { program, member: { id: m.id, state }, basket, at: new Date().toISOString(), timeZone: store.timeZone },
      {
        tillId,
        storeId: store.id,
        cashierId: 'cashier-1',
        memberSeq: m.seq,
        tenders: [{ kind: 'cash', amountMinor: coffee.priceMinor }],
      },
    );
  };

  /** What the till shows for a member: snapshot + this database's journal, through the shared projection. */
  const view = async (m: MemberRecord) => memberViewOf(db, m, null, store.timeZone);

  const status = (predicate: (s: SyncStatus) => boolean) => firstValueFrom(replication.status$.pipe(filter(predicate)));

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kassa-till-repl-'));
    port = await freePort();
    serverUrl = `http://127.0.0.1:${port}`;
    server = await start();
    const res = await fetch(`${serverUrl}/api/v1/enrol`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: 'TR-1' }),
    });
    const enrolled = (await res.json()) as { token: string; tillId: string };
    tillId = enrolled.tillId;
    enrolledToken = enrolled.token;
    db = await createTillDatabase({ name: `till-repl-${Date.now()}`, storage: nodeTillStorage() });
    replication = await startReplication(db, { serverUrl, token: enrolled.token, tillId, retryMs: 200 });
    members = await startTillMembers(db, { serverUrl, token: enrolled.token });
  });

  afterAll(async () => {
    await replication?.stop();
    await members?.stop();
    await db?.close();
    await server?.stop('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  it('bootstraps products, members and reference data, and reports it', async () => {
    await replication.awaitInitial();
    store = storeSchema.parse((await db.refdata.findOne('store:store-1').exec())!.data);
    program = programSchema.parse((await db.refdata.findOne(`program:${store.programId}`).exec())!.data);
    const pulled = await db.refdata.count().exec();
    const s = await status((x) => x.online);
    expect(s.pulled).toBe(pulled);
    expect(s.lastSyncAt).not.toBeNull();
    expect(s.waiting).toBe(0);
    // Members came through the snapshot: all 20 demo members, and the sync says the bootstrap is complete.
    await membersReady(members);
    expect((await members.store.all()).length).toBe(20);
    expect(members.status()).toMatchObject({ phase: 'ready', loaded: 20, total: 20 });
    // Products came through the catalogue: the whole demo catalogue, complete.
    expect((await members.catalog.all()).length).toBe(DEMO_PRODUCT_COUNT);
    expect(members.catalogStatus()).toMatchObject({ complete: true, count: DEMO_PRODUCT_COUNT });
  });

  it('pushes a sale, stores the acknowledgement, and keeps the balance when the snapshot catches up', async () => {
    const before = await member();
    const sale = await sell();
    const earned = sale.entries.reduce((s, e) => s + e.points, 0);
    expect(earned).toBeGreaterThan(0);
    expect((await view(before)).state.balance).toBe(before.state.balance + earned);

    await replication.awaitInSync();
    expect(await readAckedTillSeq(db)).toBe(1 + sale.entries.length);
    // The server applied the sale and its stream sends the member back with this till's mark.
    await memberWhen(members, before.id, (m) => (m?.tillMark ?? 0) >= 1 + sale.entries.length);
    const after = await member();
    expect(after.state.balance).toBe(before.state.balance + earned);
    // The till's view and the server's member are the same state, field by field.
    expect((await view(after)).state).toEqual(memberStateSchema.parse(after.state));
    expect((await view(after)).state.balance).toBe(before.state.balance + earned);
  });

  it('counts what waits while the server is down and drains it when the server returns', async () => {
    await server.stop('SIGTERM');
    await status((s) => !s.online);
    const a = await sell();
    const b = await sell();
    const queued = 2 + a.entries.length + b.entries.length;
    expect((await status((s) => s.waiting === queued)).online).toBe(false);

    server = await start();
    await replication.awaitInSync();
    expect((await status((s) => s.online && s.waiting === 0)).waiting).toBe(0);
    const summary = await adminGet<{ sales: number; distinctSales: number }>(serverUrl, '/api/v1/admin/summary');
    expect(summary).toMatchObject({ sales: 3, distinctSales: 3 });
    const m = await adminGet<{ member: { state: { balance: number } } }>(serverUrl, `/api/v1/admin/members/${CARD}`);
    const local = await member();
    expect((await view(local)).state.balance).toBe(m.member.state.balance);
  });

  it('a till whose IndexedDB was wiped starts a new epoch: its sales are applied, flagged, and its view is the server', async () => {
    // The till host keeps its token outside IndexedDB: only the local database is gone.
    const token = enrolledToken;
    await replication.stop();
    await members.stop();
    await db.remove();
    db = await createTillDatabase({ name: `till-repl-wiped-${Date.now()}`, storage: nodeTillStorage() });
    replication = await startReplication(db, { serverUrl, token, tillId, retryMs: 200 });
    members = await startTillMembers(db, { serverUrl, token });
    await replication.awaitInitial();
    await membersReady(members);
    const sale = await sell();
    expect(sale.entries.length).toBeGreaterThan(0);
    const docs = await db.journal.find().exec();
    expect(Math.min(...docs.map((d) => d.tillSeq))).toBe(1);
    await replication.awaitInSync();
    expect(await readAckedTillSeq(db)).toBe(docs.length);
    const summary = await adminGet<{ sales: number; distinctSales: number }>(serverUrl, '/api/v1/admin/summary');
    expect(summary).toMatchObject({ sales: 4, distinctSales: 4 });
    const flags = await adminGet<Array<{ kind: string }>>(serverUrl, '/api/v1/admin/review-flags');
    expect(flags.map((f) => f.kind)).toContain('till-database-replaced');
    const mine = await member();
    await memberWhen(members, mine.id, (m) => (m?.tillMark ?? 0) >= docs.length);
    const m = await adminGet<{ member: { state: unknown } }>(serverUrl, `/api/v1/admin/members/${CARD}`);
    expect((await view(await member())).state).toEqual(memberStateSchema.parse(m.member.state));
  });

  it('a revoked till keeps selling offline and says why it no longer syncs', async () => {
    const res = await fetch(`${serverUrl}/api/v1/admin/tills/${tillId}/revoke`, {
      method: 'POST',
      headers: { authorization: 'Bearer test-admin' },
    });
    expect(res.status).toBe(200);
    const sale = await sell();
    const s = await status((x) => x.refused !== null);
    expect(s.refused).toMatch(/revoked/);
    expect(s.online).toBe(false);
    expect((await status((x) => x.waiting >= 1 + sale.entries.length)).waiting).toBeGreaterThanOrEqual(1);
  });
});
