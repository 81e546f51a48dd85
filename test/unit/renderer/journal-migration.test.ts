/**
 * A till database made before staff events (journal schema version 0) opens
 * with today's code on real RxDB + Dexie (fake-indexeddb): its waiting sales
 * are all still there, and staff events can be written beside them (and,
 * since version 2, enrolments, found by kind).
 */
import { createRxDatabase } from 'rxdb';
import { describe, expect, it } from 'vitest';
import { journalDocSchema } from '../../../shared/documents';
import { createTillDatabase } from '../../../src-renderer/src/db/database';
import { recordEvent } from '../../../src-renderer/src/db/staff';
import { journalSchema, type JournalRow } from '../../../src-renderer/src/db/schemas';
import { nodeTillStorage } from '../../support/node-storage';

describe('journal schema migration', () => {
  it('keeps every document of a version-0 journal and takes staff events after it', async () => {
    const name = `kassa-migrate-${Date.now()}`;
    const kinds = journalDocSchema.options.map((o) => o.shape.kind.value);
    expect((journalSchema.properties.kind as { enum: string[] }).enum).toEqual(kinds);

    const v0 = {
      ...journalSchema,
      version: 0,
      properties: { ...journalSchema.properties, kind: { type: 'string', enum: ['sale', 'entry'], maxLength: 8 } },
    } as typeof journalSchema;
    const old = await createRxDatabase<{ journal: never }>({ name, storage: nodeTillStorage(), multiInstance: false });
    await old.addCollections({ journal: { schema: v0 } });
    const entry: JournalRow = {
      id: '01KDVDNA0000000000000000E1',
      kind: 'entry',
      tillId: 'till-1',
      tillSeq: 1,
      at: '2026-12-01T10:00:00.000Z',
      memberId: '01KDVDNA000000000000000002',
      body: {
        memberId: '01KDVDNA000000000000000002',
        saleId: null,
        type: 'bonus',
        points: 50,
        reason: 'Welcome bonus',
        naturalId: 'signup:01KDVDNA000000000000000002',
        ruleId: null,
      },
    };
    await (old.journal as unknown as { insert: (d: JournalRow) => Promise<unknown> }).insert(entry);
    await old.close();

    const db = await createTillDatabase({ name, storage: nodeTillStorage() });
    expect(db.journal.schema.version).toBe(journalSchema.version);
    // The members enrolled here are found by kind (the index version 2 added), the old entry among none of them.
    expect(await db.journal.find({ selector: { kind: 'member', tillSeq: { $gt: 0 } } }).exec()).toEqual([]);
    expect((await db.journal.findOne(entry.id).exec())?.toJSON()).toMatchObject(entry);
    await recordEvent(
      db,
      { tillId: 'till-1', storeId: 'store-1' },
      { type: 'sign-in', cashierId: 'c1', action: 'pin' },
    );
    const all = await db.journal.find({ sort: [{ tillSeq: 'asc' }] }).exec();
    expect(all.map((d) => [d.kind, d.tillSeq])).toEqual([
      ['entry', 1],
      ['event', 2],
    ]);
    await db.close();
  });
});
