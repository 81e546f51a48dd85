/**
 * The loyalty engine: pure, deterministic functions of (program, member
 * state, basket, time).
 * - `quote`   prices a basket and explains every discount and point;
 * - `commit`  the ledger entries (and member-state effects) of a sale;
 * - `refund`  reversal entries for returned lines;
 * - `expire`  expiry entries as of a date (server only);
 * - `grantBonus` sign-up, confirmed e-mail and review bonuses.
 */
import { KassaError } from '../errors';
import type { LedgerEntryBody } from '../documents';
import { quote, type MemberEffects, type Quote, type QuoteInput } from './quote';

export {
  programSchema,
  validateProgram,
  formatPath,
  type Program,
  type ProgramInput,
  type Reward,
  type Tier,
  type Perk,
} from './program';
export { memberStateSchema, emptyMemberState, type MemberState } from './member-state';
export {
  quote,
  codesOf,
  promotionUseKey,
  couponIssuedKey,
  couponsHeld,
  lineAmountMinor,
  matchesFilter,
  currentTier,
  type BasketLine,
  type Quote,
  type QuoteError,
  type Explanation,
  type QuoteInput,
  type QuoteLine,
  type LineStamps,
  type RedeemChoice,
  type MemberEffects,
  type BonusGrant,
  NO_MEMBER_EFFECTS,
} from './quote';
export { sayCodes, sayEnglish, sayParams, type SayCode, type SayParams } from './explain';
export { refund, type RefundResult, type ReturnedLine } from './refund';
export { expire, expiryWarnings, expiryWarningsAfterSale, lotExpiries } from './expiry';
export { grantBonus, type BonusKind } from './bonuses';
export { memberOverview, type MemberOverview, type PerkKind } from './overview';
export { localDate, localParts } from './time';
export {
  checkWalletMoves,
  walletMoves,
  walletRefundLeft,
  walletSpendable,
  walletTopUpRoom,
  withWalletEffects,
  WALLET_TOPUP_LINE_ID,
  WALLET_TOPUP_PRODUCT_ID,
  type WalletContext,
} from './wallet';

export type Committed = { entries: LedgerEntryBody[]; effects: MemberEffects };

/** The ledger entries and state effects of a sale. Throws when the quote has an error: an invalid redeem is never committed. */
export const commitSale = (input: QuoteInput & { saleId: string }): Committed => commitQuoted(input, quote(input));

/** `commitSale` on a quote already made of the same input (the server's re-check quotes once for both). */
export function commitQuoted(input: QuoteInput & { saleId: string }, q: Quote): Committed {
  const first = q.errors[0];
  if (first) {
    const code =
      first.code === 'NOT_ENOUGH_POINTS' || first.code === 'OFFLINE_CAP_REACHED' || first.code === 'BASKET_TOO_SMALL'
        ? first.code
        : 'NOT_ALLOWED';
    throw new KassaError(code, first.message);
  }
  if (!input.member) return { entries: [], effects: q.effects };
  const account = input.member.accountId ?? input.member.id;
  const entries: LedgerEntryBody[] = [];
  if (q.pointsRedeemed > 0) {
    const r = input.redeem;
    entries.push({
      memberId: account,
      saleId: input.saleId,
      type: 'redeem',
      points: -q.pointsRedeemed,
      reason: q.donation
        ? `Donation to ${q.donation.cause}`
        : q.explanation
            .filter((e) => (e.points ?? 0) < 0)
            .map((e) => e.text)
            .join('; '),
      naturalId: null,
      ruleId: r?.kind === 'reward' ? `reward:${r.rewardId}` : 'pay-with-points',
    });
  }
  const earned = q.earnedByRule.reduce((s, e) => s + e.points, 0);
  if (earned > 0) {
    entries.push({
      memberId: account,
      saleId: input.saleId,
      type: 'earn',
      points: earned,
      reason: q.earnedByRule.map((e) => `+${e.points} ${e.text}`).join('; '),
      naturalId: null,
      ruleId: 'earn',
    });
  }
  for (const b of q.bonuses) {
    entries.push({
      memberId: b.memberId,
      saleId: input.saleId,
      type: 'bonus',
      points: b.points,
      reason: b.text,
      naturalId: b.naturalId,
      ruleId: b.ruleId,
    });
  }
  return { entries, effects: q.effects };
}

/** The ledger entries of a sale (see `commitSale` for the state effects too). */
export const commit = (input: QuoteInput & { saleId: string }): LedgerEntryBody[] => commitSale(input).entries;
