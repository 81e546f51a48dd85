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
import { ROW_BLOCK_SIZE, openMemberStore, type MemberStore } from '../../../src-renderer/src/db/member-store';
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
    expect(await lookupMember(db, 'abc', store)).toEqual({ kind: 'name-not-found' });
    expect(await lookupMember(db, '--', store)).toEqual({ kind: 'not-found', asPhone: false });
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

/** Sorted key entries `[key, card]` of `members` for one key order, as the server's key pages carry them. */
function keyEntries(members: readonly MemberRecord[], order: 'id' | 'phone'): [string, string][] {
  const entries: [string, string][] =
    order === 'id'
      ? members.map((m) => [m.id, m.cardNumber])
      : members.filter((m) => m.phoneHash !== '').map((m) => [`${m.phoneHash} ${m.cardNumber}`, m.cardNumber]);
  return entries.sort((a, b) => (a[0] < b[0] ? -1 : 1));
}

function writeKeyEntries(
  db: MemberStore,
  order: 'id' | 'phone',
  entries: readonly [string, string][],
  next: string | null,
): ReturnType<MemberStore['writeKeys']> {
  return db.writeKeys(
    order,
    entries.map((e) => e[0]),
    entries.map((e) => e[1]),
    next,
  );
}

/** A row page of `members` (in card order), as the server's row pages carry them. */
function rowsPage(members: readonly MemberRecord[], next: string | null): Parameters<MemberStore['writePage']>[0] {
  return {
    next,
    cards: members.map((m) => m.cardNumber),
    ids: members.map((m) => m.id),
    phones: members.map((m) => m.phoneHash),
    seqs: members.map((m) => m.seq),
    names: members.map((m) => m.name),
    rows: members.map((m) => JSON.stringify(m)),
  };
}

const byCard = (a: MemberRecord, b: MemberRecord) => (a.cardNumber < b.cardNumber ? -1 : 1);

/** Stores a whole snapshot of `members` at `seq` the way the sync does: id keys, phone keys, then rows, in pages. */
async function snapshotInto(db: MemberStore, members: readonly MemberRecord[], seq: number, page = 50): Promise<void> {
  const phones = members.filter((m) => m.phoneHash !== '').length;
  await db.beginSnapshot(seq, members.length, phones);
  for (const order of ['id', 'phone'] as const) {
    const entries = keyEntries(members, order);
    for (let i = 0; i === 0 || i < entries.length; i += page) {
      const part = entries.slice(i, i + page);
      const last = part.at(-1);
      const next = i + page < entries.length ? last![0] : null;
      await writeKeyEntries(db, order, part, next);
    }
  }
  const rows = [...members].sort(byCard);
  for (let i = 0; i === 0 || i < rows.length; i += page) {
    const part = rows.slice(i, i + page);
    await db.writePage(rowsPage(part, i + page < rows.length ? part.at(-1)!.cardNumber : null));
  }
}

describe('the member store', () => {
  let db: MemberStore;
  const hash = (n: number) => n.toString(16).padStart(64, '0');
  beforeAll(async () => {
    db = await openMemberStore(`members-store-${Date.now()}`, nodeIndexedDb());
    await db.reset('epoch-1');
  });
  afterAll(() => db?.close());

  it('stores key pages, then row pages, resumes after the last stored page, and finds every member', async () => {
    const members = Array.from({ length: 3 * ROW_BLOCK_SIZE + 5 }, (_, i) => record(i + 10, i % 3 ? hash(i) : ''));
    const phones = members.filter((m) => m.phoneHash !== '').length;
    await db.beginSnapshot(999, members.length, phones);
    expect(await db.state()).toMatchObject({ phase: 'keys', keyOrder: 'id', keyTotal: members.length + phones });
    const ids = keyEntries(members, 'id');
    const half = Math.floor(ids.length / 2);
    const first = await writeKeyEntries(db, 'id', ids.slice(0, half), ids[half - 1]![0]);
    // A till killed here starts again after the last id stored: the state is what was committed with the page.
    expect(await db.state()).toEqual(first);
    expect(first).toMatchObject({ phase: 'keys', keyOrder: 'id', keyAfter: ids[half - 1]![0], keyCount: half });
    // A page out of order (it would hide members) is refused and changes nothing.
    await expect(writeKeyEntries(db, 'id', [...ids.slice(half)].reverse(), null)).rejects.toThrow(/out of order/);
    await expect(writeKeyEntries(db, 'phone', [], null)).rejects.toThrow(/not storing phone keys/);
    expect(await db.state()).toEqual(first);
    expect(await writeKeyEntries(db, 'id', ids.slice(half), null)).toMatchObject({ keyOrder: 'phone', keyAfter: '' });
    expect(await writeKeyEntries(db, 'phone', keyEntries(members, 'phone'), null)).toMatchObject({
      phase: 'loading',
      keyCount: members.length + phones,
    });
    const rows = [...members].sort(byCard);
    const mid = Math.floor(rows.length / 2);
    const partway = await db.writePage(rowsPage(rows.slice(0, mid), rows[mid - 1]!.cardNumber));
    expect(partway).toMatchObject({ phase: 'loading', count: mid, after: rows[mid - 1]!.cardNumber });
    expect(await db.state()).toEqual(partway);
    const done = await db.writePage(rowsPage(rows.slice(mid), null));
    expect(done).toMatchObject({ phase: 'ready', count: members.length, checkpoint: 999 });
    for (const m of members) {
      expect(await db.byCard(m.cardNumber)).toEqual(m);
      expect(await db.byId(m.id)).toEqual(m);
      if (m.phoneHash) expect(await db.byPhoneHashes([m.phoneHash])).toEqual([m]);
    }
    expect((await db.all()).length).toBe(members.length);
    expect(await db.byCard('2990000000000')).toBeNull();
    expect(await db.byCard('')).toBeNull();
    expect(await db.byId('01KDVDNA000000000000000000')).toBeNull();
  });

  it('replaces a member only with a newer version, adds new ones, moves a changed card or phone, and removes erased ones', async () => {
    const older = record(12, '', 5);
    const newer = { ...record(13, '', 1500), name: 'Renamed' };
    const added = record(9, 'a'.repeat(64), 1501);
    const moved = { ...record(15, hash(5), 1501), cardNumber: '2880000000015', phoneHash: 'b'.repeat(64) };
    const changed = await db.applyChanges([older, newer, added, moved].map(stored), [record(14, '').id], 1501);
    expect(changed.sort()).toEqual([newer.id, added.id, moved.id, record(14, '').id].sort());
    expect((await db.byId(older.id))!.seq).toBe(12);
    expect(await db.byId(newer.id)).toEqual(newer);
    expect(await db.byCard(added.cardNumber)).toEqual(added);
    expect(await db.byPhoneHashes(['a'.repeat(64)])).toEqual([added]);
    expect(await db.byId(record(14, '').id)).toBeNull();
    expect(await db.byCard(record(14, '').cardNumber)).toBeNull();
    // The old card and the old phone find nothing; the new ones find the member.
    expect(await db.byCard(record(15, '').cardNumber)).toBeNull();
    expect(await db.byPhoneHashes([hash(5)])).toEqual([]);
    expect(await db.byCard(moved.cardNumber)).toEqual(moved);
    expect(await db.byPhoneHashes(['b'.repeat(64)])).toEqual([moved]);
    expect(await db.byId(moved.id)).toEqual(moved);
    expect(await db.state()).toMatchObject({ checkpoint: 1501, count: 3 * ROW_BLOCK_SIZE + 5 });
    // An erasure of a member the store never had changes nothing.
    expect(await db.applyChanges([], ['01KDVDNA0000000000000NOPE'], 1502)).toEqual([]);
  });

  it('keeps every member findable as blocks fill and split, in whatever order members arrive', async () => {
    const many = Array.from({ length: 9 * ROW_BLOCK_SIZE }, (_, i) =>
      record(1000 + ((i * 7919) % 5000), hash(i), 2000 + i),
    );
    for (let i = 0; i < many.length; i += 37) await db.applyChanges(many.slice(i, i + 37).map(stored), [], 3000);
    for (const m of many) {
      expect(await db.byCard(m.cardNumber)).toEqual(m);
      expect(await db.byId(m.id)).toEqual(m);
      expect(await db.byPhoneHashes([m.phoneHash])).toContainEqual(m);
    }
    expect(await db.state()).toMatchObject({ count: 3 * ROW_BLOCK_SIZE + 5 + many.length });
    expect((await db.all()).length).toBe(3 * ROW_BLOCK_SIZE + 5 + many.length);
    // Erasing them all empties their blocks and leaves the rest whole.
    await db.applyChanges(
      [],
      many.map((m) => m.id),
      3001,
    );
    for (const m of many.slice(0, 20)) expect(await db.byCard(m.cardNumber)).toBeNull();
    expect(await db.byCard(record(10, '').cardNumber)).toMatchObject({ id: record(10, '').id });
    expect((await db.all()).length).toBe(3 * ROW_BLOCK_SIZE + 5);
  }, 30_000);

  it('mends a key entry whose member changed while the snapshot was read', async () => {
    const other = await openMemberStore(`members-mend-${Date.now()}`, nodeIndexedDb());
    try {
      await other.reset('epoch-1');
      const members = [record(21, hash(21)), record(22, hash(22)), record(23, '')];
      const phones = 2;
      await other.beginSnapshot(30, members.length, phones);
      // The key pages were read before member 22 got a new card; the row pages after (without it: seq > S).
      await writeKeyEntries(other, 'id', keyEntries(members, 'id'), null);
      await writeKeyEntries(other, 'phone', keyEntries(members, 'phone'), null);
      await other.writePage(rowsPage([members[0]!, members[2]!].sort(byCard), null));
      expect(await other.byId(members[1]!.id)).toBeNull();
      expect(await other.byPhoneHashes([hash(22)])).toEqual([]);
      const changed = { ...members[1]!, cardNumber: '2770000000022', phoneHash: hash(99), seq: 31 };
      await other.applyChanges([stored(changed)], [], 31);
      expect(await other.byId(changed.id)).toEqual(changed);
      expect(await other.byCard(changed.cardNumber)).toEqual(changed);
      expect(await other.byCard(members[1]!.cardNumber)).toBeNull();
      expect(await other.byPhoneHashes([hash(99)])).toEqual([changed]);
      expect(await other.state()).toMatchObject({ count: 3, checkpoint: 31 });
    } finally {
      other.close();
    }
  });

  it('loads a snapshot of no members at all, and takes new members after it', async () => {
    const other = await openMemberStore(`members-none-${Date.now()}`, nodeIndexedDb());
    try {
      await other.reset('epoch-1');
      await snapshotInto(other, [], 7);
      expect(await other.state()).toMatchObject({ phase: 'ready', count: 0, checkpoint: 7 });
      await other.applyChanges([stored(record(40, hash(40), 8))], [], 8);
      expect(await other.byCard(record(40, '').cardNumber)).toEqual(record(40, hash(40), 8));
    } finally {
      other.close();
    }
  });

  it("is emptied for another till database (its watermarks would hide that database's sales)", async () => {
    await db.reset('epoch-2');
    expect(await db.state()).toMatchObject({ epoch: 'epoch-2', phase: 'empty', count: 0 });
    expect(await db.all()).toEqual([]);
    expect(await db.byId(record(10, '').id)).toBeNull();
    await snapshotInto(db, [record(10, hash(1)), record(11, '')], 50);
    expect(await db.byPhoneHashes([hash(1)])).toEqual([record(10, hash(1))]);
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
