/**
 * The member as a till sees it: the server's snapshot plus this till's
 * unconfirmed facts, through the same projection the server applies. After
 * every offline sale this is what the server will compute once it has the
 * till's journal (stamps, offer uses, grants and the day's redemptions
 * included), so consecutive offline sales see each other.
 *
 * Households: points live on the shared account; everything else (stamps,
 * offers, birthday, the day's redemptions, the eWallet) on the member who shops.
 */
import type { MemberState } from '../engine/member-state';
import { project, type HouseholdFact, type LedgerFact, type ProjectionContext } from './project';

export type MemberSnapshot = { id: string; state: MemberState };

export type MemberView = { memberId: string; accountId: string; state: MemberState };

export function memberView(input: {
  member: MemberSnapshot;
  /** The household account when the member shares one (null: the member is their own account). */
  account: MemberSnapshot | null;
  /** This till's unconfirmed facts for the member and the account. */
  pending: readonly LedgerFact[];
  ctx: ProjectionContext;
}): MemberView {
  const { member, account, pending, ctx } = input;
  const own = project(
    member.state,
    pending.filter((f) => f.memberId === member.id),
    ctx,
  );
  if (!account || account.id === member.id) return { memberId: member.id, accountId: member.id, state: own };
  const shared = project(
    account.state,
    pending.filter((f) => f.memberId === account.id),
    ctx,
  );
  return { memberId: member.id, accountId: account.id, state: { ...own, balance: shared.balance, lots: shared.lots } };
}

/**
 * The account a member's points live on: the household in their snapshot, else one this till joined them to and
 * the server has not confirmed yet (a fact in `pending`), else their own.
 */
export function accountIdOf(member: MemberSnapshot, pending: readonly LedgerFact[]): string {
  const joined = pending.find((f): f is HouseholdFact => f.kind === 'household' && f.memberId === member.id);
  return member.state.householdId ?? joined?.householdId ?? member.id;
}
