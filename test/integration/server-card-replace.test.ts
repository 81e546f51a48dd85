/**
 * Lost cards replaced at the till, taken by the server over real HTTP on PGlite: the member keeps id and balance,
 * gets the new number (tills pull it), and the old number is blocked for good (an enrolment with it is flagged
 * and given a retired card). Parked whole, nothing changed: no supervisor, a stale old card (replaced already),
 * a new card another member holds, a range number outside the till's ranges.
 */
import { monotonicFactory } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { journalDocSchema, type CardReplaceBody, type JournalDoc } from '../../shared/documents';
import { memberStateSchema } from '../../shared/engine/member-state';
import { demoCardNumber, demoUlid } from '../../src-server/seed';
import { pull, startHarness, type Harness } from '../support/server-harness';
import { TestTill } from '../support/test-till';

const nextId = monotonicFactory();

describe('lost cards replaced at the till', () => {
  let h: Harness & { tokens: string[] };
  let till: TestTill;
  beforeAll(async () => {
    h = await startHarness('pglite', ['CARD-REPLACE-TILL-1']);
    till = new TestTill(h.url, h.tokens[0]!, 'till-1');
    await till.sync();
  });
  afterAll(async () => h?.close());

  async function member(id: string) {
    const [r] = await h.db.query<{ card_number: string; state: unknown; seq: string }>(
      'SELECT card_number, state, seq FROM members WHERE id = $1',
      [id],
    );
    return { card: r!.card_number, balance: memberStateSchema.parse(r!.state).balance, seq: Number(r!.seq) };
  }

  function replace(
    memberId: string,
    body: Partial<CardReplaceBody> & Pick<CardReplaceBody, 'oldCardNumber' | 'newCardNumber'>,
  ): JournalDoc {
    const doc = journalDocSchema.parse({
      id: nextId(),
      tillId: 'till-1',
      tillSeq: till.nextSeq(),
      at: new Date().toISOString(),
      memberId,
      kind: 'member',
      body: {
        type: 'card-replace',
        storeId: 'store-1',
        cashierId: 'cashier-1',
        supervisorId: 'supervisor-1',
        cardSource: 'card',
        ...body,
      },
    });
    return till.write(doc)[0]!;
  }

  it('moves the member to the new card with their balance; the old card is blocked for good', async () => {
    const id = demoUlid(5);
    const before = await member(id);
    const NEW = '2997000000017';
    const doc = replace(id, { oldCardNumber: before.card, newCardNumber: NEW });
    const [reply] = await till.pushAll();
    expect(reply!.parked).toEqual([]);
    const after = await member(id);
    expect(after).toMatchObject({ card: NEW, balance: before.balance });
    expect(after.seq).toBeGreaterThan(before.seq);
    const [blocked] = await h.db.query<{ member_id: string; doc_id: string }>(
      'SELECT member_id, doc_id FROM blocked_cards WHERE card_number = $1',
      [before.card],
    );
    expect(blocked).toEqual({ member_id: id, doc_id: doc.id });
    // Tills pull the new number.
    const { body } = await pull(h.url, h.token, 'members', before.seq, 1000);
    expect(body.documents.find((d) => d.id === id)?.cardNumber).toBe(NEW);
    const audited = await h.db.query<{ actor: string }>(
      "SELECT actor FROM audit_log WHERE action = 'till-event.card-replace' AND target = $1",
      [id],
    );
    expect(audited).toEqual([{ actor: 'cashier:supervisor-1' }]);
  });

  it('parks what it cannot take, changing nothing', async () => {
    const id = demoUlid(8);
    const before = await member(id);
    const noSupervisor = replace(id, {
      oldCardNumber: before.card,
      newCardNumber: '2997000000024',
      supervisorId: 'cashier-1',
    });
    const stale = replace(id, { oldCardNumber: demoCardNumber(99), newCardNumber: '2997000000031' });
    const inUse = replace(id, { oldCardNumber: before.card, newCardNumber: demoCardNumber(9) });
    const blocked = replace(id, { oldCardNumber: before.card, newCardNumber: demoCardNumber(5) });
    const outOfRange = replace(id, { oldCardNumber: before.card, newCardNumber: '2997000000048', cardSource: 'range' });
    const replies = await till.pushAll();
    const parked = new Map(replies.flatMap((r) => r.parked.map((p) => [p.id, p.code])));
    expect([noSupervisor, stale, inUse, blocked, outOfRange].map((d) => parked.get(d.id))).toEqual([
      'CARD_REPLACE_NOT_APPROVED',
      'CARD_REPLACE_STALE',
      'CARD_IN_USE',
      'CARD_IN_USE',
      'CARD_NOT_IN_RANGE',
    ]);
    expect((await member(id)).card).toBe(before.card);
  });
});
