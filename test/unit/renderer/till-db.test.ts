/**
 * The till's database code on real RxDB + Dexie (fake-indexeddb in Node):
 * schemas agree with the zod documents, a sale and its entries are one bulk
 * write, and the derived balance never counts an entry twice or misses one.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { journalDocSchema, refDocSchema } from '../../../shared/documents';
import { memberRecord, type MemberRecord } from '../../../shared/member-snapshot';
import { type BasketLine } from '../../../shared/engine';
import { createTillDatabase, type TillDatabase } from '../../../src-renderer/src/db/database';
import { memberViewOf, recordSale, tillEpoch } from '../../../src-renderer/src/db/sales';
import { journalSchema, refdataSchema } from '../../../src-renderer/src/db/schemas';
import { nodeTillStorage } from '../../support/node-storage';
import { BRAM, coffeeLine, supermarketProgram } from '../../support/till-fixtures';

const program = supermarketProgram();

const requiredKeys = (schema: { shape: Record<string, { isOptional: () => boolean }> }) =>
  Object.entries(schema.shape)
    .filter(([k, v]) => !v.isOptional() && k !== '_deleted')
    .map(([k]) => k)
    .sort();

describe('RxDB schemas match the shared documents', () => {
  it.each([['refdata', refdataSchema, refDocSchema]] as const)('%s', (_name, rx, zod) => {
    expect(Object.keys(rx.properties).sort()).toEqual(
      Object.keys(zod.shape)
        .filter((k) => k !== '_deleted')
        .sort(),
    );
    // Fields with a zod default may be absent on the wire; everything else the till requires.
    for (const key of rx.required as string[]) expect(Object.keys(zod.shape)).toContain(key);
    expect(requiredKeys(zod as never).every((k) => (rx.required as string[]).includes(k))).toBe(true);
  });

  it('journal', () => {
    const sale = journalDocSchema.options[0].shape;
    expect(Object.keys(journalSchema.properties).sort()).toEqual(
      Object.keys(sale)
        .filter((k) => k !== '_deleted')
        .sort(),
    );
  });
});

describe('till database', () => {
  let db: TillDatabase;
  const name = `unit-${Date.now()}`;
  const member: MemberRecord = BRAM;
  const basket: BasketLine[] = [coffeeLine()];
  const ctx = {
    tillId: 'till-1',
    storeId: 'store-1',
    cashierId: 'cashier-1',
    memberSeq: 5,
    tenders: [{ kind: 'cash' as const, amountMinor: 699 }],
  };

  beforeAll(async () => {
    db = await createTillDatabase({ name, storage: nodeTillStorage() });
  });
  afterAll(async () => db?.close());

  it('writes a sale and its ledger entry in one bulk write, with consecutive till numbers', async () => {
    const bulk = vi.spyOn(db.journal, 'bulkInsert');
    const single = vi.spyOn(db.journal, 'insert');
    const sale = await recordSale(
      db,
      { program, member: { id: member.id, state: member.state }, basket, at: '', timeZone: 'Europe/Amsterdam' },
      ctx,
    );
    expect(bulk).toHaveBeenCalledTimes(1);
    expect(single).not.toHaveBeenCalled();
    bulk.mockRestore();
    single.mockRestore();
    const docs = await db.journal.find({ sort: [{ tillSeq: 'asc' }] }).exec();
    expect(docs.map((d) => [d.kind, d.tillSeq])).toEqual([
      ['sale', 1],
      ['entry', 2],
    ]);
    expect(docs.every((d) => journalDocSchema.safeParse({ ...d.toJSON(), _deleted: false }).success)).toBe(true);
    expect(sale.entries).toEqual([expect.objectContaining({ type: 'earn', points: 13 })]);
  });

  it("shows the snapshot plus this database's journal above the server mark, never twice", async () => {
    const epoch = await tillEpoch(db);
    expect(await tillEpoch(db)).toBe(epoch);
    const view = async (m: MemberRecord) => (await memberViewOf(db, m, null, 'Europe/Amsterdam')).state;
    // Not yet confirmed: 100 + 13, and the sale's spend counts toward the tier window.
    expect((await view(member)).balance).toBe(113);
    expect((await view(member)).tierWindow.spendMinor).toBe(699);
    // The server counted this database's docs up to 2: its snapshot now holds the 13.
    const confirmed = {
      ...member,
      state: { ...member.state, balance: 113, tierWindow: { spendMinor: 699, points: 13 } },
      tillMark: 2,
    };
    expect((await view(confirmed)).balance).toBe(113);
    // Another sale before the server hears of it.
    await recordSale(
      db,
      { program, member: { id: member.id, state: confirmed.state }, basket, at: '', timeZone: 'Europe/Amsterdam' },
      ctx,
    );
    expect((await view(confirmed)).balance).toBe(126);
    // Another database's mark (another till, or this till before its database was lost) says nothing about this
    // one: the record made for this epoch carries 0.
    const { tillMark: _, ...doc } = confirmed;
    const forThis = memberRecord({ ...doc, tillMarks: { 'other-epoch': 99 } }, epoch);
    expect(forThis.tillMark).toBe(0);
    expect((await view(forThis)).balance).toBe(113 + 26);
  });

  it('refuses to record a document the server would refuse, and writes nothing', async () => {
    const before = await db.journal.count().exec();
    const broken = { ...basket[0]!, lineId: 'L2', name: 'bad\u0000name' };
    await expect(
      recordSale(
        db,
        { program, member: { id: member.id, state: member.state }, basket: [broken], at: '', timeZone: 'UTC' },
        ctx,
      ),
    ).rejects.toMatchObject({ code: 'DOCUMENT_INVALID' });
    expect(await db.journal.count().exec()).toBe(before);
  });

  it('numbers receipts 1, 2, 3… with no gap for a refused sale, across a restart and after compaction', async () => {
    const receiptNos = async () =>
      (await db.journal.find({ selector: { kind: 'sale' }, sort: [{ tillSeq: 'asc' }] }).exec()).map(
        (d) => (d.body as { receiptNo: number | null }).receiptNo,
      );
    // Two sales above, and the refused one took no number.
    expect(await receiptNos()).toEqual([1, 2]);
    const input = { program, member: null, basket, at: '', timeZone: 'UTC' };
    expect((await recordSale(db, input, ctx)).receiptNo).toBe(3);
    // A restart: the number is read back from the journal.
    await db.close();
    db = await createTillDatabase({ name, storage: nodeTillStorage() });
    expect((await recordSale(db, input, ctx)).receiptNo).toBe(4);
    // The journal's sales compacted away, then a restart: the kept floor goes on counting.
    await db.journal.find({ selector: { kind: 'sale' } }).remove();
    await db.close();
    db = await createTillDatabase({ name, storage: nodeTillStorage() });
    expect((await recordSale(db, input, ctx)).receiptNo).toBe(5);
  });
});
