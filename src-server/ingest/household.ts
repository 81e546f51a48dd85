/**
 * A household join from a till (shared/household.ts), taken with the transfer entries that follow it.
 *
 * Invariants:
 * - Audited once, naming the supervisor who approved it. A join no supervisor of the store approved, of a
 *   member or account the server does not have, of a member with themselves, of a member who shares an account
 *   already or holds one others share, or to an account that is itself someone's member, is parked with its
 *   transfers: nothing moves.
 * - The member's points all end on the account, whatever the till saw: the till's transfers are applied when
 *   they are well formed and the member has that many; otherwise they are parked (and flagged) and the server
 *   moves the balance itself. Points the member earned that the till did not know of follow with a server
 *   transfer of the rest. The member's own balance is zero after the join.
 * - The join is a fact (`household`) through the one projection: the member's state names the account from
 *   then on, and later sales in the same push already earn into it.
 */
import { monotonicFactory } from 'ulid';
import type { EntryDoc, HouseholdJoinBody, MemberDoc } from '../../shared/documents';
import { householdTransferId } from '../../shared/household';
import { householdFact } from '../../shared/ledger';
import { audit } from '../admin/access';
import type { Query } from '../db';
import { flag, memberRow, parsedState, park, pendingPoints, queueEntry, type Batch, type MemberRow } from './batch';
import { staffRole } from './events';
import { householdTransferViolation, type RuleViolation } from './rules';

const nextId = monotonicFactory();

/** Why the join cannot stand, or null. */
async function joinViolation(
  q: Query,
  b: Batch,
  doc: MemberDoc,
  join: HouseholdJoinBody,
): Promise<{ v: RuleViolation } | { member: MemberRow }> {
  const no = (code: string, reason: string) => ({ v: { code, reason } });
  if ((await staffRole(q, b.till.storeId, join.supervisorId)) !== 'supervisor')
    return no(
      'HOUSEHOLD_NOT_APPROVED',
      `The household join names ${join.supervisorId}, who is not a supervisor of store ${b.till.storeId}`,
    );
  const member = await memberRow(q, b, doc.memberId);
  if (!member) return no('UNKNOWN_MEMBER', `No member ${doc.memberId} on the server`);
  const account = await memberRow(q, b, join.householdId);
  if (!account) return no('HOUSEHOLD_INVALID', `No member ${join.householdId} to share an account with`);
  if (doc.memberId === join.householdId) return no('HOUSEHOLD_INVALID', 'A member cannot join their own household');
  const mine = parsedState(member.state).householdId;
  if (mine !== null) return no('HOUSEHOLD_INVALID', `Member ${doc.memberId} shares the account of ${mine} already`);
  const theirs = parsedState(account.state).householdId;
  if (theirs !== null)
    return no('HOUSEHOLD_INVALID', `Member ${join.householdId} shares the account of ${theirs}: join that account`);
  const sharing = [...b.memberRows.values()].some((r) => r && parsedState(r.state).householdId === doc.memberId);
  const [holder] = sharing
    ? [{ id: '' }]
    : await q<{ id: string }>("SELECT id FROM members WHERE state->>'householdId' = $1 LIMIT 1", [doc.memberId]);
  if (holder)
    return no(
      'HOUSEHOLD_INVALID',
      `Member ${doc.memberId} holds a household account others share: they cannot join another`,
    );
  return { member };
}

/** Server transfers of `points` from the member to the account (the rest the till's did not move). */
function bookTransfer(b: Batch, doc: MemberDoc, householdId: string, points: number): void {
  for (const [memberId, signed, side] of [
    [doc.memberId, -points, 'out'],
    [householdId, points, 'in'],
  ] as const) {
    queueEntry(b, {
      id: nextId(),
      tillSeq: 0,
      at: doc.at,
      epoch: 'server',
      body: {
        memberId,
        saleId: null,
        type: 'transfer',
        points: signed,
        reason: `Household join ${doc.id}: the member's points the till did not move`,
        naturalId: `${householdTransferId(doc.memberId, householdId, side)}:${doc.id}`,
        ruleId: null,
      },
    });
  }
}

export async function takeHouseholdJoin(
  q: Query,
  b: Batch,
  doc: MemberDoc,
  join: HouseholdJoinBody,
  transfers: readonly EntryDoc[],
): Promise<void> {
  const till = b.till.tillId;
  await audit(
    q,
    { id: `cashier:${join.supervisorId}`, source: `till:${till}` },
    'till-event.household-join',
    doc.memberId,
    {
      docId: doc.id,
      cashierId: join.cashierId,
      supervisorId: join.supervisorId,
      householdId: join.householdId,
      points: join.points,
      tillTime: doc.at,
    },
  );
  const checked = await joinViolation(q, b, doc, join);
  if ('v' in checked) {
    await flag(q, 'household-join-parked', doc.memberId, till, doc.id, checked.v);
    for (const d of [doc, ...transfers]) await park(q, b, d, checked.v);
    return;
  }
  const { member } = checked;
  const balance = parsedState(member.state).balance + pendingPoints(b, doc.memberId);
  const shape = householdTransferViolation(doc, transfers);
  const v =
    shape ??
    (join.points > balance
      ? { code: 'HOUSEHOLD_TRANSFER_SHORT', reason: `The till moved ${join.points} points; the member has ${balance}` }
      : null);
  let moved = 0;
  if (v) {
    await flag(q, 'household-transfer-corrected', doc.memberId, till, doc.id, v);
    for (const e of transfers) await park(q, b, e, v);
  } else {
    for (const e of transfers) queueEntry(b, { ...e, epoch: b.epoch });
    moved = join.points;
  }
  if (balance - moved > 0) bookTransfer(b, doc, join.householdId, balance - moved);
  b.writes.order.push({ fact: householdFact(doc)!, entryId: null });
  // Later units of this push (the member's next sales) see the join: their points go to the account.
  b.memberRows.set(doc.memberId, {
    ...member,
    state: { ...parsedState(member.state), householdId: join.householdId },
  });
  b.touched.add(doc.memberId);
  b.touched.add(join.householdId);
}
