/**
 * Journal compaction on the till's real database (RxDB + Dexie on
 * fake-indexeddb): exactly the acknowledged documents older than the
 * retention go, never an unacknowledged one nor the newest; they are gone
 * from the storage itself (no tombstone left, also after reopening); member
 * views do not change; and the tillSeq counter never hands a number out
 * twice, even when everything below the newest document was compacted or
 * the newest document itself is gone.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type BasketLine } from '../../../shared/engine';
import type { MemberRecord } from '../../../shared/member-snapshot';
import { createTillDatabase, type TillDatabase } from '../../../src-renderer/src/db/database';
import { compactJournal, JOURNAL_RETENTION_DAYS } from '../../../src-renderer/src/db/journal-compaction';
import { ACK_DOC } from '../../../src-renderer/src/db/replication';
import { memberViewOf, recordSale } from '../../../src-renderer/src/db/sales';
import { nodeTillStorage } from '../../support/node-storage';
import { BRAM, coffeeLine, supermarketProgram } from '../../support/till-fixtures';

const program = supermarketProgram();

const NOW = new Date('2027-06-01T12:00:00.000Z');
const daysAgo = (days: number) => new Date(NOW.getTime() - days * 24 * 60 * 60 * 1000).toISOString();

const member: MemberRecord = BRAM;
const basket: BasketLine[] = [coffeeLine()];

let opened: TillDatabase[] = [];
async function open(name: string): Promise<TillDatabase> {
  const db = await createTillDatabase({ name, storage: nodeTillStorage() });
  opened.push(db);
  return db;
}
afterEach(async () => {
  for (const db of opened) if (!db.closed) await db.close();
  opened = [];
});

/** A sale to the member and its earn entry: two journal documents, written at `at`. */
async function sell(db: TillDatabase, at: string): Promise<void> {
  await recordSale(
    db,
    { program, member: { id: member.id, state: member.state }, basket, at: '', timeZone: 'Europe/Amsterdam' },
    {
      tillId: 'till-1',
      storeId: 'store-1',
      cashierId: 'cashier-1',
      memberSeq: 5,
      tenders: [{ kind: 'cash', amountMinor: 699 }],
      at,
    },
  );
}

async function acknowledge(db: TillDatabase, tillSeq: number): Promise<void> {
  await db.journal.upsertLocal(ACK_DOC, { tillSeq, parked: 0 });
}

async function seqs(db: TillDatabase): Promise<number[]> {
  return (await db.journal.find({ sort: [{ tillSeq: 'asc' }] }).exec()).map((d) => d.tillSeq);
}

describe('journal compaction', () => {
  it('removes exactly the acknowledged documents older than the retention, and member views stay the same', async () => {
    const db = await open(`compact-${Date.now()}`);
    await sell(db, daysAgo(200)); // 1, 2
    await sell(db, daysAgo(150)); // 3, 4
    await sell(db, daysAgo(10)); // 5, 6: young
    await sell(db, daysAgo(120)); // 7, 8: old again (a till clock set wrong in between)
    await sell(db, daysAgo(100)); // 9, 10: old but not acknowledged
    await acknowledge(db, 8);
    const all = await db.journal.find({ sort: [{ tillSeq: 'asc' }] }).exec();
    const gone = all.filter((d) => [1, 2, 3, 4, 7, 8].includes(d.tillSeq)).map((d) => d.id);

    // The server's record of the member counted this database's documents up to 8; the view adds 9 and 10.
    const record: MemberRecord = { ...member, state: { ...member.state, balance: 152 }, tillMark: 8 };
    const viewBefore = await memberViewOf(db, record, null, 'Europe/Amsterdam');
    expect(viewBefore.state.balance).toBe(152 + 13);

    expect(await compactJournal(db, { now: NOW })).toBe(6);
    expect(await seqs(db)).toEqual([5, 6, 9, 10]);
    expect(await memberViewOf(db, record, null, 'Europe/Amsterdam')).toEqual(viewBefore);

    // Gone from the storage itself, not left as tombstones: neither now nor after reopening.
    expect(await db.journal.storageInstance.findDocumentsById(gone, true)).toEqual([]);
    const name = db.name;
    await db.close();
    const again = await open(name);
    expect(await again.journal.storageInstance.findDocumentsById(gone, true)).toEqual([]);
    expect(await again.journal.count({ selector: { tillSeq: { $gt: 0 } } }).exec()).toBe(4);
    // A second run has nothing more to do.
    expect(await compactJournal(again, { now: NOW })).toBe(0);
  });

  it('never removes an unacknowledged document or the newest one, and honours the retention', async () => {
    const db = await open(`compact-keep-${Date.now()}`);
    await sell(db, daysAgo(400)); // 1, 2
    await sell(db, daysAgo(300)); // 3, 4
    expect(await compactJournal(db, { now: NOW })).toBe(0); // nothing acknowledged
    await acknowledge(db, 4);
    // 300 days old is inside a 365-day retention.
    expect(await compactJournal(db, { now: NOW, retentionDays: 365 })).toBe(2);
    expect(await seqs(db)).toEqual([3, 4]);
    // Everything is acknowledged and old: all but the newest goes.
    expect(await compactJournal(db, { now: NOW })).toBe(1);
    expect(await seqs(db)).toEqual([4]);
    expect(await compactJournal(db, { now: NOW })).toBe(0);
    expect(JOURNAL_RETENTION_DAYS).toBe(90);
  });

  it('the next sale gets the next tillSeq after compaction, also after reopening and without the newest document', async () => {
    const db = await open(`compact-seq-${Date.now()}`);
    for (let i = 0; i < 3; i++) await sell(db, daysAgo(200));
    await acknowledge(db, 6);
    expect(await compactJournal(db, { now: NOW })).toBe(5);
    await sell(db, NOW.toISOString());
    expect(await seqs(db)).toEqual([6, 7, 8]);

    // A fresh start recovers the counter from the journal.
    const name = db.name;
    await db.close();
    const reopened = await open(name);
    await sell(reopened, NOW.toISOString());
    expect(await seqs(reopened)).toEqual([6, 7, 8, 9, 10]);

    // Even with every document gone, the floor stored by compaction keeps numbers from being reused.
    await acknowledge(reopened, 10);
    expect(await compactJournal(reopened, { now: new Date(NOW.getTime() + 400 * 86_400_000) })).toBe(4);
    await reopened.journal.find().remove();
    await reopened.close();
    const emptied = await open(name);
    expect(await seqs(emptied)).toEqual([]);
    await sell(emptied, NOW.toISOString());
    expect(await seqs(emptied)).toEqual([11, 12]);
  });

  it('hands out distinct tillSeqs to sales recorded at once on a freshly opened database', async () => {
    const db = await open(`compact-race-${Date.now()}`);
    await Promise.all([sell(db, NOW.toISOString()), sell(db, NOW.toISOString())]);
    expect(await seqs(db)).toEqual([1, 2, 3, 4]);
  });
});
