/**
 * One-off bonuses outside a sale: sign-up, confirmed e-mail, review. Each has
 * a natural id, so the same grant made by two offline tills is one entry on
 * the server. (Birthday and referral bonuses are granted with a sale: see
 * quote.ts.)
 */
import type { LedgerEntryBody } from '../documents';
import type { MemberState } from './member-state';
import type { Program } from './program';

export type BonusKind = 'signup' | 'email-confirmed' | 'review';

export const grantBonus = (input: {
  program: Program;
  memberId: string;
  state: MemberState;
  kind: BonusKind;
  reviewId?: string;
}): LedgerEntryBody | null => {
  const { program, memberId, state, kind } = input;
  const points =
    kind === 'signup'
      ? program.bonuses.signup
      : kind === 'email-confirmed'
        ? program.bonuses.emailConfirmed
        : program.bonuses.review;
  if (!points) return null;
  const naturalId = kind === 'review' ? `review:${memberId}:${input.reviewId ?? 'first'}` : `${kind}:${memberId}`;
  if (state.grants.includes(naturalId)) return null;
  const reason =
    kind === 'signup' ? 'Welcome bonus' : kind === 'email-confirmed' ? 'E-mail confirmed' : 'Thank you for your review';
  return { memberId, saleId: null, type: 'bonus', points, reason, naturalId, ruleId: `bonus:${kind}` };
};
