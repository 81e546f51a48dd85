/**
 * Enrolment on a real till database (RxDB on IndexedDB, the till's member store) against the real server over
 * HTTP: new cards are numbered from the till's own range, one after the other; a member enrolled here is found by
 * card and by phone before the server's record arrives, and the server's record replaces it; a till whose
 * database was replaced never hands out a number the member store already holds; refusals are coded and write
 * nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeConfigSchema, type StoreConfig } from '../../shared/documents';
import { programSchema, type Program } from '../../shared/engine';
import type { EnrolmentForm } from '../../shared/enrolment';
import { inCardRanges, nextCardNumber } from '../../shared/member-card';
import { createTillDatabase, type TillDatabase } from '../../src-renderer/src/db/database';
import {
  cardSupply,
  enrolMember,
  localMembers,
  readTillRef,
  withLocalMembers,
  type EnrolContext,
} from '../../src-renderer/src/db/enrolment';
import type { MemberSync } from '../../src-renderer/src/db/member-sync-client';
import { lookupMember } from '../../src-renderer/src/db/members';
import { startReplication, type Replication } from '../../src-renderer/src/db/replication';
import { demoCardNumber, demoUlid } from '../../src-server/seed';
import { nodeTillStorage } from '../support/node-storage';
import { startHarness, type Harness } from '../support/server-harness';
import { memberWhen, membersReady, startTillMembers } from '../support/till-members';

function form(over: Partial<EnrolmentForm>): EnrolmentForm {
  return {
    cardNumber: '',
    cardSource: 'range',
    name: 'New Member',
    phone: '',
    email: '',
    birthday: '',
    marketing: false,
    referrerId: null,
    ...over,
  };
}

type Till = { db: TillDatabase; replication: Replication; members: MemberSync; ctx: EnrolContext; store: StoreConfig };

async function openTill(h: Harness & { tokens: string[] }, name: string): Promise<Till> {
  const db = await createTillDatabase({ name: `${name}-${Date.now()}`, storage: nodeTillStorage() });
  const replication = await startReplication(db, {
    serverUrl: h.url,
    token: h.tokens[0]!,
    tillId: 'till-1',
    retryMs: 200,
  });
  const members = await startTillMembers(db, { serverUrl: h.url, token: h.tokens[0]! });
  await replication.awaitInitial();
  await membersReady(members);
  const store = storeConfigSchema.parse((await db.refdata.findOne('store:store-1').exec())!.data);
  const program: Program = programSchema.parse((await db.refdata.findOne(`program:${store.programId}`).exec())!.data);
  const ctx: EnrolContext = {
    tillId: 'till-1',
    storeId: 'store-1',
    cashierId: 'cashier-1',
    config: store,
    program,
    ref: await readTillRef(db, 'till-1'),
    members: withLocalMembers(members.store, localMembers(db, members.store, store)),
  };
  return { db, replication, members, ctx, store };
}

async function closeTill(t: Till): Promise<void> {
  await t.replication.stop();
  await t.members.stop();
  await t.db.close();
}

async function journalSize(db: TillDatabase): Promise<number> {
  return (await db.journal.find().exec()).length;
}

describe('enrolment on a real till database', () => {
  let h: Harness & { tokens: string[] };
  beforeAll(async () => {
    h = await startHarness('pglite', ['TEST-TILL-1']);
  });
  afterAll(async () => h?.close());

  it('numbers cards from the range, finds the member before the server does, and takes the server record after', async () => {
    const t = await openTill(h, 'enrol-a');
    try {
      const ranges = t.ctx.ref!.cardRanges;
      const supply = await cardSupply(t.db, t.ctx.ref);
      expect(supply).toMatchObject({ next: nextCardNumber(ranges, null), low: false });

      // Offline as far as the member store knows: the push has not happened yet when the lookups run.
      await t.replication.stop();
      const a = await enrolMember(t.db, form({ name: 'Ada', phone: '06 4444 0001' }), t.ctx);
      const b = await enrolMember(t.db, form({ name: 'Bo', referrerId: a.member.id }), t.ctx);
      expect(a.member.cardNumber).toBe(supply.next);
      expect(b.member.cardNumber).toBe(nextCardNumber(ranges, a.member.cardNumber));
      expect(inCardRanges(b.member.cardNumber, ranges)).toBe(true);
      expect(a.bonusPoints).toBe(50);
      expect((await cardSupply(t.db, t.ctx.ref)).left).toBe(supply.left - 2);

      const byCard = await lookupMember(t.ctx.members, a.member.cardNumber, t.store);
      expect(byCard).toMatchObject({ kind: 'found', by: 'card', member: { id: a.member.id, seq: 0 } });
      const byPhone = await lookupMember(t.ctx.members, '0644440001', t.store);
      expect(byPhone).toMatchObject({ kind: 'found', by: 'phone', member: { id: a.member.id } });
      expect(await t.members.store.byId(a.member.id)).toBeNull();

      // Online again: the server's record (seq above 0, its mark over the enrolment) replaces the provisional one.
      const again = await startReplication(t.db, {
        serverUrl: h.url,
        token: h.tokens[0]!,
        tillId: 'till-1',
        retryMs: 200,
      });
      t.replication = again;
      await again.awaitDrained();
      const pulled = await memberWhen(t.members, b.member.id, (m) => m !== null && m.seq > 0);
      expect(pulled).toMatchObject({ cardNumber: b.member.cardNumber, name: 'Bo' });
      expect(pulled!.state).toMatchObject({ balance: 50, referredBy: a.member.id });
      const found = await lookupMember(t.ctx.members, b.member.cardNumber, t.store);
      expect(found.kind === 'found' && found.member.seq).toBeGreaterThan(0);
    } finally {
      await closeTill(t);
    }
  });

  it('a replaced database skips the numbers its member store holds; refusals are coded and write nothing', async () => {
    const t = await openTill(h, 'enrol-b');
    try {
      // A new database for the same till: its counter starts at the range's start, where the first test enrolled.
      const first = nextCardNumber(t.ctx.ref!.cardRanges, null)!;
      expect(await t.members.store.byCard(first)).not.toBeNull();
      const c = await enrolMember(t.db, form({ name: 'Cy' }), t.ctx);
      expect(c.member.cardNumber).not.toBe(first);
      expect(await t.members.store.byCard(c.member.cardNumber)).toBeNull();

      const before = await journalSize(t.db);
      await expect(
        enrolMember(t.db, form({ cardSource: 'card', cardNumber: demoCardNumber(2), name: 'Dup' }), t.ctx),
      ).rejects.toMatchObject({ code: 'CARD_IN_USE' });
      // The card this till just gave out, typed as a printed one: held by the member enrolled here.
      await expect(
        enrolMember(t.db, form({ cardSource: 'card', cardNumber: c.member.cardNumber, name: 'Dup' }), t.ctx),
      ).rejects.toMatchObject({ code: 'CARD_IN_USE' });
      await expect(enrolMember(t.db, form({ name: ' ' }), t.ctx)).rejects.toMatchObject({
        code: 'ENROL_FIELD_INVALID',
        details: { field: 'name' },
      });
      await expect(enrolMember(t.db, form({ birthday: '31-02' }), t.ctx)).rejects.toMatchObject({
        code: 'ENROL_FIELD_INVALID',
        details: { field: 'birthday' },
      });
      await expect(enrolMember(t.db, form({ referrerId: '01KZZZZZZZZZZZZZZZZZZZZZZZ' }), t.ctx)).rejects.toMatchObject({
        code: 'REFERRER_NOT_FOUND',
      });
      await expect(enrolMember(t.db, form({}), { ...t.ctx, ref: null })).rejects.toMatchObject({
        code: 'CARD_RANGE_EXHAUSTED',
      });
      // A range of one number, held already: nothing left to give.
      const held = first.slice(0, 12);
      const lastRange = { ...t.ctx.ref!, cardRanges: [{ first: held, last: held }] };
      await expect(enrolMember(t.db, form({}), { ...t.ctx, ref: lastRange })).rejects.toMatchObject({
        code: 'CARD_RANGE_EXHAUSTED',
      });
      expect(await journalSize(t.db)).toBe(before);
      // A referrer from the member store is taken.
      const d = await enrolMember(t.db, form({ name: 'Di', referrerId: demoUlid(3) }), t.ctx);
      expect(d.member.state.referredBy).toBe(demoUlid(3));
    } finally {
      await closeTill(t);
    }
  });
});
