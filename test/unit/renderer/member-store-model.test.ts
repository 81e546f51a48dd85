/**
 * The member store against a model: random batches of changes, as the
 * checkpoint pull delivers them (each member at most once a batch, erasures
 * beside), applied to the real store (Dexie on fake-indexeddb) and to a map
 * of members by id. After every batch the store holds exactly the model's
 * members, each found by card, by id, by phone hash and by name; moved
 * cards, phones and old names find nothing; stale versions change nothing.
 *
 * The batches mix what a day brings: new names and balances (replaced in
 * place), moved cards, changed and removed phones, enrolments (enough to
 * split row and id blocks) and erasures (enough to empty row blocks).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { emptyMemberState } from '../../../shared/engine';
import { nameQuery } from '../../../shared/member-name';
import { snapshotRowText, type MemberRecord } from '../../../shared/member-snapshot';
import { openMemberStore, type MemberStore } from '../../../src-renderer/src/db/member-store';
import { nodeIndexedDb } from '../../support/till-members';

const INITIAL = 600;
const PHONES = [
  '',
  ...Array.from({ length: 12 }, (_, i) =>
    String(i + 1)
      .repeat(64)
      .slice(0, 64),
  ),
];

const memberId = (n: number) => `01KDVDNA${String(n).padStart(18, '0')}`;
const card = (n: number) => `29${String(n).padStart(11, '0')}`;

function member(n: number, cardNo: number, phone: string, seq: number, name = `Member ${n}`): MemberRecord {
  return {
    id: memberId(n),
    cardNumber: card(cardNo),
    name,
    phoneHash: phone,
    storeId: 'store-1',
    enrolledAt: '2026-01-01T00:00:00.000Z',
    state: { ...emptyMemberState(), balance: seq % 997 },
    tillMark: 0,
    seq,
  };
}

type Op =
  | { kind: 'rename'; who: number }
  | { kind: 'stale'; who: number }
  | { kind: 'erase'; who: number }
  | { kind: 'move'; who: number }
  | { kind: 'phone'; who: number; phone: number }
  | { kind: 'enrol'; phone: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('rename' as const), who: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('stale' as const), who: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('erase' as const), who: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('move' as const), who: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('phone' as const), who: fc.nat(), phone: fc.nat(PHONES.length - 1) }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('enrol' as const), phone: fc.nat(PHONES.length - 1) }) },
);

/** Stores `members` as a snapshot at `seq`, as the sync does (keys by id, by phone, then rows). */
async function snapshot(store: MemberStore, members: readonly MemberRecord[], seq: number): Promise<void> {
  const withPhone = members.filter((m) => m.phoneHash !== '');
  await store.beginSnapshot(seq, members.length, withPhone.length);
  const ids = [...members].sort((a, b) => (a.id < b.id ? -1 : 1));
  await store.writeKeys(
    'id',
    ids.map((m) => m.id),
    ids.map((m) => m.cardNumber),
    null,
  );
  const phones = withPhone
    .map((m) => [`${m.phoneHash} ${m.cardNumber}`, m.cardNumber] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : 1));
  await store.writeKeys(
    'phone',
    phones.map((p) => p[0]),
    phones.map((p) => p[1]),
    null,
  );
  const rows = [...members].sort((a, b) => (a.cardNumber < b.cardNumber ? -1 : 1));
  await store.writePage({
    next: null,
    cards: rows.map((m) => m.cardNumber),
    ids: rows.map((m) => m.id),
    phones: rows.map((m) => m.phoneHash),
    seqs: rows.map((m) => m.seq),
    names: rows.map((m) => m.name),
    rows: rows.map(snapshotRowText),
  });
}

/** New names for renames: Latin with diacritics and Cyrillic, so name keys really move. */
const RENAMES = ['Zoë Çelik', 'Иван Петров', 'Ёлка Йорданова', 'Ana María'];

async function expectSame(
  store: MemberStore,
  model: Map<string, MemberRecord>,
  retired: string[],
  oldNames: { id: string; name: string }[] = [],
): Promise<void> {
  const byId = (a: MemberRecord, b: MemberRecord) => (a.id < b.id ? -1 : 1);
  const want = [...model.values()].sort(byId);
  expect((await store.all()).sort(byId)).toEqual(want);
  expect((await store.state()).count).toBe(want.length);
  for (const m of want) {
    expect(await store.byCard(m.cardNumber)).toEqual(m);
    expect(await store.byId(m.id)).toEqual(m);
  }
  for (const c of retired) expect(await store.byCard(c)).toBeNull();
  // Names end with a unique number: the full name's key sorts first among its prefix's.
  for (const m of want) {
    const { members } = await store.byNamePrefix(nameQuery(m.name), 3);
    expect(members.map((f) => f.id)).toContain(m.id);
  }
  for (const { id, name } of oldNames) {
    const now = model.get(id);
    if (now && nameQuery(now.name).startsWith(nameQuery(name))) continue;
    const { members } = await store.byNamePrefix(nameQuery(name), 50);
    expect(members.map((f) => f.id)).not.toContain(id);
  }
  for (const phone of PHONES.slice(1)) {
    const found = (await store.byPhoneHashes([phone])).sort(byId);
    expect(found).toEqual(want.filter((m) => m.phoneHash === phone));
  }
}

describe('the member store against a model', () => {
  it('holds exactly the members the batches leave, each found by card, id, phone and name', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(opArb, { minLength: 1, maxLength: 300 }), { minLength: 1, maxLength: 4 }),
        fc.array(fc.nat(PHONES.length - 1), { minLength: INITIAL, maxLength: INITIAL }),
        async (batches, initialPhones) => {
          const store = await openMemberStore(`members-model-${Date.now()}-${run++}`, nodeIndexedDb());
          try {
            await store.reset('epoch-1');
            let seq = INITIAL;
            let nextMember = INITIAL;
            let nextCard = 10 * INITIAL;
            const model = new Map<string, MemberRecord>();
            const retired: string[] = [];
            const oldNames: { id: string; name: string }[] = [];
            // Every third member gets the card of its number times two: cards and ids sort differently.
            for (let n = 0; n < INITIAL; n++) {
              const m = member(n, n % 3 === 0 ? 2 * n + 1 : 2 * n, PHONES[initialPhones[n]!]!, n + 1);
              model.set(m.id, m);
            }
            await snapshot(store, [...model.values()], seq);
            for (const ops of batches) {
              const changes = new Map<string, MemberRecord>();
              const erased = new Set<string>();
              const members = () => [...model.values()];
              for (const op of ops) {
                if (op.kind === 'enrol') {
                  const m = member(nextMember++, nextCard++, PHONES[op.phone]!, ++seq);
                  changes.set(m.id, m);
                  continue;
                }
                const all = members();
                if (all.length === 0) continue;
                const old = all[op.who % all.length]!;
                if (changes.has(old.id) || erased.has(old.id)) continue;
                if (op.kind === 'erase') erased.add(old.id);
                else if (op.kind === 'stale') changes.set(old.id, { ...old, name: 'A stale version', seq: old.seq });
                else if (op.kind === 'rename')
                  changes.set(old.id, {
                    ...old,
                    name: `${RENAMES[seq % RENAMES.length]!} ${seq}`,
                    state: { ...old.state, balance: seq },
                    seq: ++seq,
                  });
                else if (op.kind === 'move') changes.set(old.id, { ...old, cardNumber: card(nextCard++), seq: ++seq });
                else changes.set(old.id, { ...old, phoneHash: PHONES[op.phone]!, seq: ++seq });
              }
              await store.applyChanges(
                [...changes.values()].map((r) => ({ text: snapshotRowText(r), record: r })),
                [...erased],
                ++seq,
              );
              for (const id of erased) {
                retired.push(model.get(id)!.cardNumber);
                oldNames.push({ id, name: model.get(id)!.name });
                model.delete(id);
              }
              for (const r of changes.values()) {
                const old = model.get(r.id);
                if (old && old.seq >= r.seq) continue;
                if (old && old.cardNumber !== r.cardNumber) retired.push(old.cardNumber);
                if (old && old.name !== r.name) oldNames.push({ id: r.id, name: old.name });
                model.set(r.id, r);
              }
              await expectSame(store, model, retired, oldNames);
              expect((await store.state()).checkpoint).toBe(seq);
            }
          } finally {
            store.close();
          }
        },
      ),
      { numRuns: 12 },
    );
  }, 120_000);
});
