/**
 * Members on the till's real database (RxDB + Dexie on fake-indexeddb): a
 * database written by the version-0 schema (with phone numbers and e-mail
 * addresses) is migrated to version 1 on open — phone and e-mail gone, the
 * unsynced journal untouched, the members collection pulling again from the
 * start — and a member is found by card, or by a typed phone number through
 * its keyed hash only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addRxPlugin, createRxDatabase, type RxJsonSchema } from 'rxdb';
import { RxDBLocalDocumentsPlugin } from 'rxdb/plugins/local-documents';
import { emptyMemberState } from '../../../shared/engine';
import { memberPhoneHash, type PhoneKey } from '../../../shared/phone';
import { createTillDatabase, type TillDatabase } from '../../../src-renderer/src/db/database';
import { lookupMember } from '../../../src-renderer/src/db/members';
import { pullIdentifier } from '../../../src-renderer/src/db/replication';
import {
  journalSchema,
  memberToV1,
  type JournalRow,
  type MemberRow,
  type MemberRowV0,
} from '../../../src-renderer/src/db/schemas';
import { nodeTillStorage } from '../../support/node-storage';

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

describe('members schema version 0 -> 1', () => {
  it('drops the phone number and e-mail address and leaves the rest as it was', () => {
    const before = v0Member(1, '+31610000000');
    const after = memberToV1(before);
    expect(after).not.toHaveProperty('phone');
    expect(after).not.toHaveProperty('email');
    expect(after).toEqual({ ...before, phone: undefined, email: undefined, phoneHash: '' } as unknown as MemberRow);
    expect(JSON.stringify(after)).not.toContain('example.com');
  });

  it('migrates a till database written by version 0 on open; the unsynced journal survives', async () => {
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
    try {
      const docs = (await db.members.find().exec()).map((d) => d.toJSON() as MemberRow);
      expect(docs).toHaveLength(2);
      for (const d of docs) {
        expect(d).not.toHaveProperty('phone');
        expect(d).not.toHaveProperty('email');
        expect(d.phoneHash).toBe('');
      }
      expect(docs.find((d) => d.id === v0Member(1, '').id)?.state.balance).toBe(10);
      expect((await db.journal.find().exec()).map((d) => d.toJSON())).toEqual([sale]);
      // Found by card as before.
      expect((await lookupMember(db, v0Member(2, '').cardNumber, null)).kind).toBe('found');
      // The migrated collection pulls again from the start to get the phone hashes; the others keep their checkpoints.
      expect(pullIdentifier('members', db.members.schema.version, 'http://s')).toBe('kassa-members-v1-http://s');
      expect(pullIdentifier('products', db.products.schema.version, 'http://s')).toBe('kassa-products-http://s');
    } finally {
      await db.close();
    }
  });
});

describe('finding a member at the till', () => {
  let db: TillDatabase;
  const key: PhoneKey = { id: 'pk-1', secret: '1'.repeat(64) };
  const previous: PhoneKey = { id: 'pk-0', secret: '0'.repeat(64) };
  const store = { country: 'BG', phoneKeys: [key] };
  const member = (n: number, phoneHash: string): MemberRow => ({ ...memberToV1(v0Member(n, '')), phoneHash });

  beforeAll(async () => {
    db = await createTillDatabase({ name: `members-lookup-${Date.now()}`, storage: nodeTillStorage() });
    await db.members.bulkInsert([
      member(1, memberPhoneHash('+359881234567', 'BG', key.secret)),
      member(2, ''),
      // Two members of one household share a landline.
      member(3, memberPhoneHash('+35929876543', 'BG', key.secret)),
      member(4, memberPhoneHash('+35929876543', 'BG', key.secret)),
      // Hashed under the previous key: a till mid-way through a key rotation.
      member(5, memberPhoneHash('+359887000005', 'BG', previous.secret)),
    ]);
  });
  afterAll(async () => db?.close());

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
