/**
 * Finding members by name in the till's member store (Dexie on
 * fake-indexeddb): the names table built by a paged bootstrap (name blocks
 * split many times), kept by applyChanges through renames, moved cards and
 * erasures, and searched as a prefix, accents and case folded.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyMemberState } from '../../../shared/engine';
import { nameQuery } from '../../../shared/member-name';
import type { MemberRecord } from '../../../shared/member-snapshot';
import { searchMembersByName, lookupMember } from '../../../src-renderer/src/db/members';
import { KEY_BLOCK_SIZE, openMemberStore, type MemberStore } from '../../../src-renderer/src/db/member-store';
import { nodeIndexedDb } from '../../support/till-members';

const FIRST = ['Ivan', 'Zoë', 'Иван', 'Йордан', 'Çelik', 'Мария', 'Ana', 'Ёлка'];
const LAST = ['Petrov', 'Петрова', 'Smith', 'Георгиев', 'Öztürk'];

function record(n: number, name: string, seq = n + 1): MemberRecord {
  return {
    id: `01KDVDNA${String(n).padStart(18, '0')}`,
    cardNumber: `29${String(n).padStart(11, '0')}`,
    name,
    phoneHash: '',
    storeId: 'store-1',
    enrolledAt: '2026-01-01T00:00:00.000Z',
    state: emptyMemberState(),
    tillMark: 0,
    seq,
  };
}

const byCard = (a: MemberRecord, b: MemberRecord) => (a.cardNumber < b.cardNumber ? -1 : 1);
const stored = (r: MemberRecord) => ({ text: JSON.stringify(r), record: r });

/** A snapshot in pages of `page`, as the sync stores one (no phones: the phone key phase is empty). */
async function snapshotInto(db: MemberStore, members: readonly MemberRecord[], seq: number, page: number) {
  await db.beginSnapshot(seq, members.length, 0);
  const ids = [...members].sort((a, b) => (a.id < b.id ? -1 : 1));
  await db.writeKeys(
    'id',
    ids.map((m) => m.id),
    ids.map((m) => m.cardNumber),
    null,
  );
  await db.writeKeys('phone', [], [], null);
  const rows = [...members].sort(byCard);
  for (let i = 0; i < rows.length; i += page) {
    const part = rows.slice(i, i + page);
    await db.writePage({
      next: i + page < rows.length ? part.at(-1)!.cardNumber : null,
      cards: part.map((m) => m.cardNumber),
      ids: part.map((m) => m.id),
      phones: part.map((m) => m.phoneHash),
      seqs: part.map((m) => m.seq),
      names: part.map((m) => m.name),
      rows: part.map((m) => JSON.stringify(m)),
    });
  }
}

const ids = (found: { members: MemberRecord[] }) => found.members.map((m) => m.id).sort();

describe('members by name in the member store', () => {
  let db: MemberStore;
  // Enough members for many name blocks: 2,000 names of two words are 6,000 keys.
  const members = Array.from({ length: 2000 }, (_, n) =>
    record(n, `${FIRST[n % FIRST.length]!} ${LAST[Math.floor(n / FIRST.length) % LAST.length]!} ${n}`),
  );
  const matching = (typed: RegExp) => members.filter((m) => typed.test(m.name));

  beforeAll(async () => {
    db = await openMemberStore(`members-names-${Date.now()}`, nodeIndexedDb());
    await db.reset('epoch-1');
    await snapshotInto(db, members, 5000, 300);
  });
  afterAll(() => db?.close());

  it('is ready after the last page, with every name found by the start of each word', async () => {
    expect(await db.state()).toMatchObject({ phase: 'ready', count: members.length });
    expect(KEY_BLOCK_SIZE * 4).toBeLessThan(members.length * 3);
    for (const m of [members[0]!, members[777]!, members[1999]!]) {
      const [first, last, n] = m.name.split(' ');
      for (const typed of [first!, last!.slice(0, 3), `${first} ${last}`, n!, m.name])
        expect(ids(await db.byNamePrefix(nameQuery(typed), 3000)), typed).toContain(m.id);
    }
  });

  it('folds accents and case, keeps Cyrillic, and gives at most the limit, sorted by name', async () => {
    const zoe = await searchMembersByName(db, 'ZOE', 20);
    expect(zoe.members).toHaveLength(20);
    expect(zoe.more).toBe(true);
    expect(zoe.members.every((m) => m.name.startsWith('Zoë'))).toBe(true);
    const names = zoe.members.map((m) => m.name);
    expect(names).toEqual([...names].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1)));
    // й is folded to и in both the name and the query; ё to е.
    const all = await searchMembersByName(db, 'йор', 5000);
    expect(ids(all)).toEqual(
      matching(/^Йордан/)
        .map((m) => m.id)
        .sort(),
    );
    expect(ids(await searchMembersByName(db, 'елка петрова', 5000))).toEqual(
      matching(/^Ёлка Петрова/)
        .map((m) => m.id)
        .sort(),
    );
    expect(ids(await searchMembersByName(db, 'oztu', 5000))).toEqual(
      matching(/Öztürk/)
        .map((m) => m.id)
        .sort(),
    );
    expect((await searchMembersByName(db, 'Петрова 12', 5)).members.map((m) => m.name)).toContain(members[12]!.name);
    expect((await searchMembersByName(db, 'xyz', 5)).members).toEqual([]);
  });

  it('follows renames, moved cards and erasures', async () => {
    const renamed = { ...members[5]!, name: 'Zoë Çelik', seq: 9001 };
    const moved = { ...members[6]!, cardNumber: '2999999999999', name: 'Иван Иванов Moved', seq: 9002 };
    const balance = { ...members[7]!, state: { ...members[7]!.state, balance: 70 }, seq: 9003 };
    const erased = members[8]!;
    await db.applyChanges([renamed, moved, balance].map(stored), [erased.id], 9003);
    const celik = await searchMembersByName(db, 'çeli', 5000);
    expect(ids(celik)).toContain(renamed.id);
    expect(ids(await searchMembersByName(db, members[5]!.name, 50))).not.toContain(renamed.id);
    const movedFound = (await searchMembersByName(db, 'moved', 5)).members;
    expect(movedFound).toEqual([moved]);
    expect(ids(await searchMembersByName(db, members[6]!.name, 50))).not.toContain(moved.id);
    expect((await searchMembersByName(db, balance.name, 5)).members).toContainEqual(balance);
    expect(ids(await searchMembersByName(db, erased.name, 50))).not.toContain(erased.id);
    // A rename alone (same card and phone) is not replaced in place: its keys move with it.
    const again = { ...renamed, name: 'Мария Георгиева', seq: 9004 };
    await db.applyChanges([stored(again)], [], 9004);
    expect(ids(await searchMembersByName(db, 'çelik', 5000))).not.toContain(again.id);
    expect(ids(await searchMembersByName(db, 'георгиева', 50))).toEqual([again.id]);
  });

  it('is what a typed name finds at the till: one member, several to pick from, or none', async () => {
    expect(await lookupMember(db, 'Георгиева', null)).toMatchObject({
      kind: 'by-name',
      members: [{ name: 'Мария Георгиева' }],
      more: false,
    });
    expect(await lookupMember(db, 'Мар', null)).toMatchObject({ kind: 'by-name', more: true });
    expect(await lookupMember(db, 'Nobody', null)).toEqual({ kind: 'name-not-found' });
    // While the store still loads, a name not found is not "not found".
    expect(await lookupMember(db, 'Nobody', null, () => Promise.resolve([]))).toEqual({ kind: 'still-loading' });
  });
});
