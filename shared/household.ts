/**
 * A member joined to a household at the till, as journal documents. Pure; the
 * caller makes the ids and the consecutive tillSeqs.
 *
 * Invariants:
 * - One join, then (when the member has points) the two `transfer` entries that
 *   move all of them to the household's account, in this order and always
 *   together: `-points` on the member, `+points` on the account. Their natural
 *   ids name both members and the side (`household:<member>:<account>:out|in`),
 *   so a join pushed twice moves the points once.
 * - The account is the household's holder: a member who shares someone's
 *   account is never an account of their own, so joining "their" household
 *   joins the holder's (`householdAccount`).
 * - A member joins one household, never their own; the till refuses both
 *   (HOUSEHOLD_SELF, HOUSEHOLD_ALREADY) before writing anything, and the server
 *   parks what the till could not see (the member holds an account others share).
 */
import { journalDocSchema, type EntryDoc, type MemberDoc } from './documents';
import type { MemberState } from './engine/member-state';
import { KassaError } from './errors';

/** The override a household join is audited as, and the action its PIN check names. */
export const HOUSEHOLD_JOIN_ACTION = 'household-join';

export type HouseholdJoin = {
  memberId: string;
  /** The household's account holder (see `householdAccount`). */
  householdId: string;
  /** The member's own balance as the till sees it: it all moves to the account. */
  points: number;
  cashierId: string;
  /** The supervisor whose PIN allowed it (a signed-in supervisor names themselves). */
  supervisorId: string;
};

/** The account a household member's points live on: the holder's id for a member who shares one, else their own. */
export function householdAccount(memberId: string, state: Pick<MemberState, 'householdId'>): string {
  return state.householdId ?? memberId;
}

/** The transfer entries' natural ids: one move per join, however often it is pushed. */
export function householdTransferId(memberId: string, householdId: string, side: 'out' | 'in'): string {
  return `household:${memberId}:${householdId}:${side}`;
}

/**
 * Throws HOUSEHOLD_SELF (the member and the household's holder are one) or HOUSEHOLD_ALREADY (the member shares
 * an account already). `joiner` is the member's state as the till sees it; `accountId` the household's holder.
 */
export function checkHouseholdJoin(
  joiner: { id: string; state: Pick<MemberState, 'householdId'> },
  accountId: string,
): void {
  if (joiner.id === accountId)
    throw new KassaError('HOUSEHOLD_SELF', 'A member cannot join their own household', { memberId: joiner.id });
  if (joiner.state.householdId !== null)
    throw new KassaError('HOUSEHOLD_ALREADY', 'This member shares a household account already', {
      householdId: joiner.state.householdId,
    });
}

function parsed(row: unknown, what: string) {
  const r = journalDocSchema.safeParse(row);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new KassaError(
      'DOCUMENT_INVALID',
      `This ${what} cannot be recorded: ${issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid'}`,
    );
  }
  return r.data;
}

/** The join and its transfer entries (none when the member has no points), checked with the wire schema. */
export function householdJoinDocuments(
  ctx: { tillId: string; storeId: string },
  j: HouseholdJoin,
  ids: { join: string; out: string; in: string },
  seq: number,
  at: string,
): [MemberDoc, ...EntryDoc[]] {
  const join = parsed(
    {
      id: ids.join,
      tillId: ctx.tillId,
      tillSeq: seq,
      at,
      memberId: j.memberId,
      kind: 'member',
      body: {
        type: 'household-join',
        storeId: ctx.storeId,
        cashierId: j.cashierId,
        supervisorId: j.supervisorId,
        householdId: j.householdId,
        points: j.points,
      },
    },
    'household join',
  ) as MemberDoc;
  if (j.points === 0) return [join];
  const entry = (id: string, tillSeq: number, memberId: string, points: number, side: 'out' | 'in') =>
    parsed(
      {
        id,
        tillId: ctx.tillId,
        tillSeq,
        at,
        memberId,
        kind: 'entry',
        body: {
          memberId,
          saleId: null,
          type: 'transfer',
          points,
          reason: side === 'out' ? 'Moved to the household account' : 'Moved in from a household member',
          naturalId: householdTransferId(j.memberId, j.householdId, side),
          ruleId: null,
        },
      },
      'household transfer',
    ) as EntryDoc;
  return [
    join,
    entry(ids.out, seq + 1, j.memberId, -j.points, 'out'),
    entry(ids.in, seq + 2, j.householdId, j.points, 'in'),
  ];
}

/** How many documents a join writes (the tillSeqs to take). */
export function householdJoinDocCount(points: number): number {
  return points === 0 ? 1 : 3;
}
