/**
 * A household join as the till writes it (shared/household.ts) and as the one projection reads it: the join and
 * its two transfers, the till's refusals, the member's account from an unconfirmed join, and the shared
 * balance the view shows; the server's shape check of the transfers (src-server/ingest/rules.ts).
 */
import { describe, expect, it } from 'vitest';
import type { EntryDoc, MemberDoc } from '../../shared/documents';
import { emptyMemberState } from '../../shared/engine/member-state';
import { KassaError } from '../../shared/errors';
import {
  checkHouseholdJoin,
  householdAccount,
  householdJoinDocCount,
  householdJoinDocuments,
  householdTransferId,
} from '../../shared/household';
import { accountIdOf, factsFromJournal, memberView, project } from '../../shared/ledger';
import { householdTransferViolation } from '../../src-server/ingest/rules';

const JOINER = '01KDVDNA000000000000000006';
const HOLDER = '01KDVDNA000000000000000002';
const ids = { join: '01KDVDNB000000000000000001', out: '01KDVDNB000000000000000002', in: '01KDVDNB000000000000000003' };
const ctx = { tillId: 'till-1', storeId: 'store-1' };
const at = '2026-12-06T10:00:00.000Z';
const tz = { timeZone: 'Europe/Amsterdam' };

function join(points: number) {
  return householdJoinDocuments(
    ctx,
    { memberId: JOINER, householdId: HOLDER, points, cashierId: 'cashier-1', supervisorId: 'supervisor-1' },
    ids,
    41,
    at,
  );
}

function withBalance(balance: number) {
  const state = emptyMemberState();
  return project(
    state,
    [{ kind: 'entry', id: 'E1', memberId: 'x', type: 'earn', points: balance, at, naturalId: null, ruleId: null }],
    tz,
  );
}

describe('household join documents', () => {
  it('are the join and the transfer of every point, in consecutive tillSeqs, with one natural id a side', () => {
    const docs = join(120);
    expect(docs).toHaveLength(householdJoinDocCount(120));
    const [j, out, into] = docs as [MemberDoc, EntryDoc, EntryDoc];
    expect(j).toMatchObject({ kind: 'member', memberId: JOINER, tillSeq: 41, body: { type: 'household-join' } });
    expect(out).toMatchObject({ tillSeq: 42, memberId: JOINER, body: { type: 'transfer', points: -120 } });
    expect(into).toMatchObject({ tillSeq: 43, memberId: HOLDER, body: { type: 'transfer', points: 120 } });
    expect(out.body.naturalId).toBe(householdTransferId(JOINER, HOLDER, 'out'));
    expect(into.body.naturalId).toBe(`household:${JOINER}:${HOLDER}:in`);
    expect(householdTransferViolation(j, [out, into])).toBeNull();
  });

  it('are the join alone when the member has no points; a bad id is a coded error', () => {
    expect(join(0)).toHaveLength(1);
    expect(householdJoinDocCount(0)).toBe(1);
    expect(householdTransferViolation(join(0)[0], [])).toBeNull();
    expect(() =>
      householdJoinDocuments(
        ctx,
        { memberId: 'nope', householdId: HOLDER, points: 5, cashierId: 'c', supervisorId: 's' },
        ids,
        1,
        at,
      ),
    ).toThrow(expect.objectContaining({ code: 'DOCUMENT_INVALID' }));
  });

  it('the server refuses transfers that are missing, tampered with or aimed at someone else', () => {
    const [j, out, into] = join(120) as [MemberDoc, EntryDoc, EntryDoc];
    expect(householdTransferViolation(j, [out])?.code).toBe('HOUSEHOLD_TRANSFER_INVALID');
    const more = { ...into, body: { ...into.body, points: 500 } };
    expect(householdTransferViolation(j, [out, more])?.code).toBe('HOUSEHOLD_TRANSFER_INVALID');
    const elsewhere = { ...into, memberId: JOINER, body: { ...into.body, memberId: JOINER } };
    expect(householdTransferViolation(j, [out, elsewhere])?.code).toBe('HOUSEHOLD_TRANSFER_INVALID');
  });
});

describe('household join at the till', () => {
  it('refuses a member with themselves and a member who shares an account already, with codes', () => {
    const free = { id: JOINER, state: { householdId: null } };
    expect(() => checkHouseholdJoin(free, JOINER)).toThrow(KassaError);
    expect(() => checkHouseholdJoin(free, JOINER)).toThrow(expect.objectContaining({ code: 'HOUSEHOLD_SELF' }));
    expect(() => checkHouseholdJoin({ id: JOINER, state: { householdId: HOLDER } }, HOLDER)).toThrow(
      expect.objectContaining({ code: 'HOUSEHOLD_ALREADY' }),
    );
    expect(() => checkHouseholdJoin(free, HOLDER)).not.toThrow();
    // Joining a member who shares someone's account joins the holder's.
    expect(householdAccount(HOLDER, { householdId: null })).toBe(HOLDER);
    expect(householdAccount(JOINER, { householdId: HOLDER })).toBe(HOLDER);
  });

  it('an unconfirmed join moves the account and the points at once; the first join stands', () => {
    const facts = factsFromJournal(join(120));
    expect(facts.map((f) => f.kind)).toEqual(['household', 'entry', 'entry']);
    const joiner = { id: JOINER, state: withBalance(120) };
    const holder = { id: HOLDER, state: withBalance(300) };
    expect(accountIdOf(joiner, [])).toBe(JOINER);
    expect(accountIdOf(joiner, facts)).toBe(HOLDER);
    const v = memberView({ member: joiner, account: holder, pending: facts, ctx: tz });
    expect(v).toMatchObject({ memberId: JOINER, accountId: HOLDER });
    expect(v.state.balance).toBe(420);
    expect(v.state.householdId).toBe(HOLDER);
    // The member's own points are all on the account now.
    expect(
      project(
        joiner.state,
        facts.filter((f) => f.memberId === JOINER),
        tz,
      ).balance,
    ).toBe(0);
    // A second join (which the server parks) changes nothing.
    const other = { kind: 'household' as const, id: 'J2', memberId: JOINER, at, householdId: JOINER };
    expect(project(joiner.state, [...facts, other], tz).householdId).toBe(HOLDER);
    // An enrolment document is no fact.
    expect(factsFromJournal([{ ...join(0)[0], body: { type: 'enrol' } } as never])).toEqual([]);
  });
});
