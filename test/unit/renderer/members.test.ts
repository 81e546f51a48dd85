/**
 * Members at the till.
 *
 * - A till database written by an earlier build holds a members collection
 *   (schema version 0, with phone numbers and e-mail addresses): on open it
 *   is removed — nothing personal stays on disk — and the unsynced journal is
 *   untouched. Members now live in the member store.
 * - The member store (blocks in IndexedDB, on fake-indexeddb here): a member
 *   is found by card, or by a typed phone number through its keyed hash
 *   only; changes replace a member only with a newer version; erasures
 *   remove it; a member not yet loaded is looked up online while the store
 *   loads, and reported as still loading — never "not found" — when the
 *   server cannot be asked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addRxPlugin, createRxDatabase, type RxJsonSchema } from 'rxdb';
import { RxDBLocalDocumentsPlugin } from 'rxdb/plugins/local-documents';
import { emptyMemberState } from '../../../shared/engine';
import type { MemberRecord } from '../../../shared/member-snapshot';
import { memberPhoneHash, type PhoneKey } from '../../../shared/phone';
import { createTillDatabase } from '../../../src-renderer/src/db/database';
import { lookupMember, memberById } from '../../../src-renderer/src/db/members';
import { BLOCK_SIZE, openMemberStore, type MemberStore } from '../../../src-renderer/src/db/member-store';
import type { OnlineLookup } from '../../../src-renderer/src/db/member-sync-client';
import {
  journalSchema,
  legacyMemberSchema,
  type JournalRow,
  type MemberRowV0,
} from '../../../src-renderer/src/db/schemas';
import { nodeTillStorage } from '../../support/node-storage';
import { nodeIndexedDb } from '../../support/till-members';

addRxPlugin(RxDBLocalDocumentsPlugin);

/** The members schema as version 0 of the till shipped it. */
const memberSchemaV0: RxJsonSchema<MemberRowV0> = {
  version: 0,
  primaryKey: 'id',
  type: 'object',
  properties: {
    id: { type: 'string', maxLength: 26 },
    cardNumber: { type: 'string', maxLength: 32 },
    name: { type: 'string' },
    phone: { type: 'string', maxLength: 32 },
    email: { type: 'string' },
    storeId: { type: 'string' },
    enrolledAt: { type: 'string' },
    state: { type: 'object' },
    tillMarks: { type: 'object' },
    seq: { type: 'integer', minimum: 0, maximum: 1e15, multipleOf: 1 },
  },
  required: ['id', 'cardNumber', 'name', 'phone', 'storeId', 'enrolledAt', 'state', 'tillMarks', 'seq'],
  indexes: ['cardNumber', 'phone'],
};

const v0Member = (n: number, phone: string): MemberRowV0 => ({
  id: `01KDVDNA00000000000000000${n}`,
  cardNumber: `299000000000${n}`,
  name: `Member ${n}`,
  phone,
  email: `member-${n}@example.com`,
  storeId: 'store-1',
  enrolledAt: '2026-01-01T00:00:00.000Z',
  state: { ...emptyMemberState(), balance: 10 * n },
  tillMarks: {},
  seq: n,
});

const sale: JournalRow = {
  id: '01KDVDNA0000000000000000S1',
  kind: 'entry',
  tillId: 'till-1',
  tillSeq: 1,
  at: '2026-01-02T10:00:00.000Z',
  memberId: '01KDVDNA000000000000000001',
  body: {
    memberId: '01KDVDNA000000000000000001',
    saleId: null,
    type: 'bonus',
    points: 5,
    reason: 'unsynced before the upgrade',
    naturalId: 'signup:01KDVDNA000000000000000001',
    ruleId: null,
  },
};

describe('a till database from an earlier build', () => {
  it('loses its members (phone numbers, e-mail and all) and products collections on open; the unsynced journal survives', async () => {
    const name = `members-v0-${Date.now()}`;
    const storage = nodeTillStorage();
    const old = await createRxDatabase({ name, storage, multiInstance: false, localDocuments: true });
    const { members, journal } = await old.addCollections({
      members: { schema: memberSchemaV0 },
      journal: { schema: journalSchema, localDocuments: true },
    });
    await members.bulkInsert([v0Member(1, '+31610000000'), v0Member(2, '')]);
    await journal.insert(sale);
    await old.close();

    const db = await createTillDatabase({ name, storage });
    expect(db.collections).not.toHaveProperty('members');
    expect(db.collections).not.toHaveProperty('products');
    expect((await db.journal.find().exec()).map((d) => d.toJSON())).toEqual([sale]);
    await db.close();

    // Opened again with the members schema: the collection is empty, its documents are gone from storage.
    const again = await createRxDatabase({ name, storage, multiInstance: false, localDocuments: true });
    const reopened = await again.addCollections({
      members: { schema: legacyMemberSchema, migrationStrategies: { 1: (d: unknown) => d } },
    });
    expect(await reopened.members.count().exec()).toBe(0);
    await again.close();
  });
});

/** A member record as the server sends it, stored the way the sync stores it. */
function record(n: number, phoneHash: string, seq = n): MemberRecord {
  return {
    id: `01KDVDNA00000000000000000${n}`,
    cardNumber: `299000000000${n}`,
    name: `Member ${n}`,
    phoneHash,
    storeId: 'store-1',
    enrolledAt: '2026-01-01T00:00:00.000Z',
    state: { ...emptyMemberState(), balance: 10 * n },
    tillMark: 0,
    seq,
  };
}
const stored = (r: MemberRecord) => ({ text: JSON.stringify(r), record: r });

describe('finding a member at the till', () => {
  let db: MemberStore;
  const key: PhoneKey = { id: 'pk-1', secret: '1'.repeat(64) };
  const previous: PhoneKey = { id: 'pk-0', secret: '0'.repeat(64) };
  const store = { country: 'BG', phoneKeys: [key] };
  const member = record;

  beforeAll(async () => {
    db = await openMemberStore(`members-lookup-${Date.now()}`, nodeIndexedDb());
    await db.reset('epoch-1');
    await db.applyChanges(
      [
        member(1, memberPhoneHash('+359881234567', 'BG', key.secret)),
        member(2, ''),
        // Two members of one household share a landline.
        member(3, memberPhoneHash('+35929876543', 'BG', key.secret)),
        member(4, memberPhoneHash('+35929876543', 'BG', key.secret)),
        // Hashed under the previous key: a till mid-way through a key rotation.
        member(5, memberPhoneHash('+359887000005', 'BG', previous.secret)),
      ].map(stored),
      [],
      5,
    );
  });
  afterAll(() => db?.close());

  it('finds a member by card number first', async () => {
    expect(await lookupMember(db, ' 2990000000002 ', store)).toMatchObject({
      kind: 'found',
      by: 'card',
      member: { id: member(2, '').id },
    });
  });

  it('finds a member by the phone number typed in any usual format, through its hash', async () => {
    for (const typed of ['0881234567', '+359 88 123 4567', '088 123 45 67', '00359881234567']) {
      expect(await lookupMember(db, typed, store), typed).toMatchObject({
        kind: 'found',
        by: 'phone',
        member: { id: member(1, '').id },
      });
    }
  });

  it('says when a number is not known, is shared, or is not a phone number at all', async () => {
    expect(await lookupMember(db, '0887654321', store)).toEqual({ kind: 'not-found', asPhone: true });
    expect(await lookupMember(db, '02 987 6543', store)).toEqual({ kind: 'ambiguous' });
    expect(await lookupMember(db, 'abc', store)).toEqual({ kind: 'not-found', asPhone: false });
    expect(await lookupMember(db, '', store)).toEqual({ kind: 'not-found', asPhone: false });
    // No store config yet (nothing pulled): cards only.
    expect(await lookupMember(db, '0881234567', null)).toEqual({ kind: 'not-found', asPhone: false });
    // A member without a phone is never found by an empty hash.
    expect(await lookupMember(db, '0881234567', { country: 'BG', phoneKeys: [] })).toEqual({
      kind: 'not-found',
      asPhone: false,
    });
  });

  it('finds a member hashed under the previous key while the till holds both', async () => {
    expect((await lookupMember(db, '0887000005', store)).kind).toBe('not-found');
    expect(await lookupMember(db, '0887000005', { country: 'BG', phoneKeys: [key, previous] })).toMatchObject({
      kind: 'found',
      member: { id: member(5, '').id },
    });
  });
});

describe('the member store', () => {
  let db: MemberStore;
  beforeAll(async () => {
    db = await openMemberStore(`members-store-${Date.now()}`, nodeIndexedDb());
    await db.reset('epoch-1');
  });
  afterAll(() => db?.close());

  it('stores snapshot pages in blocks, resumes after the last stored page, and finds every member', async () => {
    const members = Array.from({ length: 3 * BLOCK_SIZE + 5 }, (_, i) => record(i + 10, ''));
    await db.beginSnapshot(999, members.length);
    const half = Math.floor(members.length / 2);
    const first = await db.writePage(members.slice(0, half).map(stored), members[half - 1]!.cardNumber);
    expect(first).toMatchObject({
      phase: 'loading',
      count: half,
      after: members[half - 1]!.cardNumber,
      total: members.length,
    });
    // A till killed here starts again from `after`: the state is what was committed with the page.
    expect(await db.state()).toEqual(first);
    const done = await db.writePage(members.slice(half).map(stored), null);
    expect(done).toMatchObject({ phase: 'ready', count: members.length, checkpoint: 999 });
    for (const m of [members[0]!, members[half]!, members.at(-1)!]) {
      expect(await db.byCard(m.cardNumber)).toEqual(m);
      expect(await db.byId(m.id)).toEqual(m);
    }
    expect((await db.all()).length).toBe(members.length);
    expect(await db.byCard('2990000000000')).toBeNull();
  });

  it('replaces a member only with a newer version, adds new ones, and removes erased ones', async () => {
    const older = record(12, '', 5);
    const newer = { ...record(13, '', 1500), name: 'Renamed' };
    const added = record(9, 'a'.repeat(64), 1501);
    const changed = await db.applyChanges([older, newer, added].map(stored), [record(14, '').id], 1501);
    expect(changed.sort()).toEqual([newer.id, added.id, record(14, '').id].sort());
    expect((await db.byId(older.id))!.seq).toBe(12);
    expect(await db.byId(newer.id)).toEqual(newer);
    expect(await db.byCard(added.cardNumber)).toEqual(added);
    expect(await db.byPhoneHashes(['a'.repeat(64)])).toEqual([added]);
    expect(await db.byId(record(14, '').id)).toBeNull();
    expect(await db.state()).toMatchObject({ checkpoint: 1501, count: 3 * BLOCK_SIZE + 5 });
  });

  it("is emptied for another till database (its watermarks would hide that database's sales)", async () => {
    await db.reset('epoch-2');
    expect(await db.state()).toMatchObject({ epoch: 'epoch-2', phase: 'empty', count: 0 });
    expect(await db.all()).toEqual([]);
  });
});

describe('members not loaded yet', () => {
  let db: MemberStore;
  const config = { country: 'BG', phoneKeys: [{ id: 'pk-1', secret: '1'.repeat(64) }] };
  const remote = record(7, memberPhoneHash('+359881111111', 'BG', '1'.repeat(64)));
  const asked: unknown[] = [];
  const server: OnlineLookup = (query) => {
    asked.push(query);
    if ('card' in query) return Promise.resolve(query.card === remote.cardNumber ? [remote] : []);
    if ('id' in query) return Promise.resolve(query.id === remote.id ? [remote] : []);
    return Promise.resolve(query.phoneHash === remote.phoneHash ? [remote] : []);
  };
  const unreachable: OnlineLookup = () => Promise.resolve('unreachable');
  beforeAll(async () => {
    db = await openMemberStore(`members-loading-${Date.now()}`, nodeIndexedDb());
    await db.reset('epoch-1');
  });
  afterAll(() => db?.close());

  it('are looked up on the server while the store loads, by card, phone or id', async () => {
    expect(await lookupMember(db, remote.cardNumber, config, server)).toEqual({
      kind: 'found',
      member: remote,
      by: 'card',
      online: true,
    });
    expect(await lookupMember(db, '0881111111', config, server)).toMatchObject({
      kind: 'found',
      by: 'phone',
      online: true,
    });
    expect(await memberById(db, remote.id, server)).toEqual(remote);
    // Unknown to the server too: a real "not found".
    expect(await lookupMember(db, '2990000000999', config, server)).toEqual({ kind: 'not-found', asPhone: false });
  });

  it('are "still loading", never "not found", when the server cannot be asked', async () => {
    expect(await lookupMember(db, remote.cardNumber, config, unreachable)).toEqual({ kind: 'still-loading' });
    expect(await lookupMember(db, '0881111111', config, unreachable)).toEqual({ kind: 'still-loading' });
    expect(await memberById(db, remote.id, unreachable)).toBeNull();
  });

  it('are not asked for once the store is complete (no online lookup given)', async () => {
    asked.length = 0;
    expect(await lookupMember(db, remote.cardNumber, config, null)).toEqual({ kind: 'not-found', asPhone: false });
    expect(asked).toEqual([]);
  });
});
