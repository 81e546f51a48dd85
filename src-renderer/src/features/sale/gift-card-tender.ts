/**
 * Gift cards at the till, the decisions without a DOM: what a card may pay of the sale in the pay dialog, what a
 * sale may put on a card in the gift card dialog, and the coded refusal a cashier sees for each (every refusal
 * changes nothing). The rules are shared/gift-cards.ts's; this adds what only the sale in progress knows: the
 * tenders already taken (from this card, from the eWallet and from other cards) and the cards it loads.
 *
 * Invariants: a tender never pays more than is due, more than the card may spend now (its balance; offline no more
 * than the day's cap leaves), nor, with the eWallet and the other cards, more than the goods (gift cards do not pay
 * for gift cards or top-ups); a card the sale loads never pays on it.
 */
import type { Program } from '../../../../shared/engine';
import { isKassaError } from '../../../../shared/errors';
import {
  checkGiftCardMoves,
  giftCardExpired,
  giftCardSpendable,
  storedValueGoodsLeft,
  type GiftCardAmountWhy,
  type GiftCardContext,
  type GiftCardState,
} from '../../../../shared/gift-cards';
import { giftCardLine, type GiftCardLoad } from '../../../../shared/sale-journal';
import { tenderSummary, type Tender } from './session';

/** A refusal with its code and what the cashier's message needs. */
export type GiftCardProblem =
  | { code: 'GIFT_CARD_NOT_OFFERED' }
  | { code: 'GIFT_CARD_BAD_NUMBER' }
  | { code: 'GIFT_CARD_UNKNOWN' }
  | { code: 'GIFT_CARD_EXPIRED'; validUntil: string }
  | { code: 'GIFT_CARD_INSUFFICIENT'; spendableMinor: number }
  | { code: 'GIFT_CARD_OFFLINE_CAP'; spendableMinor: number }
  | { code: 'GIFT_CARD_OVER_LIMIT'; roomMinor: number }
  /**
   * whole: not whole minor units above zero; min: below the smallest load; goods-only: cards pay for goods only;
   * loaded-here: the sale puts money on it.
   */
  | { code: 'GIFT_CARD_BAD_AMOUNT'; why: GiftCardAmountWhy; minLoadMinor?: number }
  | { code: 'TENDER_NOT_POSITIVE' | 'TENDER_OVER_DUE' | 'SALE_COVERED' };

/** A shared/gift-cards.ts refusal (from `checkGiftCardMoves`, or the sale's check at commit) as a problem; else null. */
export function giftCardProblemOf(e: unknown): GiftCardProblem | null {
  if (!isKassaError(e)) return null;
  const d = (e.details ?? {}) as Record<string, unknown>;
  const minor = (key: string) => (typeof d[key] === 'number' ? d[key] : 0);
  switch (e.code) {
    case 'GIFT_CARD_NOT_OFFERED':
    case 'GIFT_CARD_BAD_NUMBER':
    case 'GIFT_CARD_UNKNOWN':
      return { code: e.code };
    case 'GIFT_CARD_EXPIRED':
      return { code: e.code, validUntil: typeof d.validUntil === 'string' ? d.validUntil : '' };
    case 'GIFT_CARD_INSUFFICIENT':
    case 'GIFT_CARD_OFFLINE_CAP':
      return { code: e.code, spendableMinor: minor('spendableMinor') };
    case 'GIFT_CARD_OVER_LIMIT':
      return { code: e.code, roomMinor: minor('roomMinor') };
    case 'GIFT_CARD_BAD_AMOUNT': {
      // The shared check says why in its details.
      const why = d.why === 'min' || d.why === 'loaded-here' || d.why === 'goods-only' ? d.why : 'whole';
      return why === 'min' ? { code: e.code, why, minLoadMinor: minor('minLoadMinor') } : { code: e.code, why };
    }
    default:
      return null;
  }
}

export type GiftCardSale = {
  program: Program;
  /** The sale's total (goods and stored value) and its goods as the engine quoted them. */
  totalMinor: number;
  goodsMinor: number;
  tenders: readonly Tender[];
  loads: readonly GiftCardLoad[];
  ctx: GiftCardContext;
};

/** What `card` may pay of this sale now, and why not when it may pay nothing. */
export function giftCardTenderRoom(
  sale: GiftCardSale,
  card: GiftCardState,
): { ok: true; spendableMinor: number; maxMinor: number } | { ok: false; problem: GiftCardProblem } {
  const { dueMinor, covered } = tenderSummary(sale.totalMinor, sale.tenders);
  if (covered) return { ok: false, problem: { code: 'SALE_COVERED' } };
  if (!sale.program.giftCards) return { ok: false, problem: { code: 'GIFT_CARD_NOT_OFFERED' } };
  if (sale.loads.some((l) => l.giftCard === card.number))
    return { ok: false, problem: { code: 'GIFT_CARD_BAD_AMOUNT', why: 'loaded-here' } };
  if (card.issuedAt === null) return { ok: false, problem: { code: 'GIFT_CARD_UNKNOWN' } };
  if (giftCardExpired(card, sale.ctx.at, sale.ctx.timeZone))
    return { ok: false, problem: { code: 'GIFT_CARD_EXPIRED', validUntil: card.validUntil ?? '' } };
  const fromThisCard = paidFrom(sale.tenders, (t) => t.kind === 'giftcard' && t.giftCard === card.number);
  const spendableMinor = Math.max(0, giftCardSpendable(sale.program, card, sale.ctx) - fromThisCard);
  const goodsLeft = Math.max(0, storedValueGoodsLeft(sale.goodsMinor, sale.tenders));
  if (goodsLeft === 0) return { ok: false, problem: { code: 'GIFT_CARD_BAD_AMOUNT', why: 'goods-only' } };
  if (spendableMinor === 0) return { ok: false, problem: shortOf(card, fromThisCard, 0, sale.ctx) };
  return { ok: true, spendableMinor, maxMinor: Math.min(spendableMinor, dueMinor, goodsLeft) };
}

/**
 * The tender that pays `givenMinor` (null: as much as it may, up to what is due) of the sale from `card`, or why it
 * may not.
 */
export function takeGiftCardTender(
  sale: GiftCardSale,
  card: GiftCardState,
  givenMinor: number | null,
): { ok: true; tender: Tender } | { ok: false; problem: GiftCardProblem } {
  const room = giftCardTenderRoom(sale, card);
  if (!room.ok) return room;
  const given = givenMinor ?? room.maxMinor;
  if (!Number.isSafeInteger(given) || given <= 0) return { ok: false, problem: { code: 'TENDER_NOT_POSITIVE' } };
  const { dueMinor } = tenderSummary(sale.totalMinor, sale.tenders);
  if (given > dueMinor) return { ok: false, problem: { code: 'TENDER_OVER_DUE' } };
  if (given > room.spendableMinor) {
    const fromThisCard = paidFrom(sale.tenders, (t) => t.kind === 'giftcard' && t.giftCard === card.number);
    return { ok: false, problem: shortOf(card, fromThisCard, given, sale.ctx, room.spendableMinor) };
  }
  if (given > room.maxMinor) return { ok: false, problem: { code: 'GIFT_CARD_BAD_AMOUNT', why: 'goods-only' } };
  return { ok: true, tender: { kind: 'giftcard', amountMinor: given, giftCard: card.number } };
}

/**
 * Checks `amountMinor` put on `card` by a sale (the amount the sale had on it before is replaced, so the card's
 * room is the card's own); null when it may.
 */
export function giftCardLoadProblem(
  program: Program,
  card: GiftCardState,
  amountMinor: number,
): GiftCardProblem | null {
  try {
    checkGiftCardMoves(
      program,
      new Map([[card.number, card]]),
      { lines: [giftCardLine({ giftCard: card.number, amountMinor }, 1)], tenders: [] },
      0,
      // Loads are checked the same online and offline, at any time: only what is paid from a card depends on them.
      { offline: false, at: new Date().toISOString(), timeZone: 'UTC' },
    );
    return null;
  } catch (e) {
    const problem = giftCardProblemOf(e);
    if (problem) return problem;
    throw e;
  }
}

function paidFrom(tenders: readonly Tender[], which: (t: Tender) => boolean): number {
  return tenders.reduce((n, t) => n + (which(t) ? t.amountMinor : 0), 0);
}

/** Not enough on the card: over the offline cap when the balance itself would do, else insufficient. */
function shortOf(
  card: GiftCardState,
  alreadyPaid: number,
  wantedMinor: number,
  ctx: GiftCardContext,
  spendableMinor = 0,
): GiftCardProblem {
  const balanceLeft = Math.max(0, card.balanceMinor - alreadyPaid);
  const capped = ctx.offline && balanceLeft > 0 && Math.max(wantedMinor, 1) <= balanceLeft;
  return capped
    ? { code: 'GIFT_CARD_OFFLINE_CAP', spendableMinor }
    : { code: 'GIFT_CARD_INSUFFICIENT', spendableMinor };
}
