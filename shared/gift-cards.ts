/**
 * Gift cards: numbered stored-value cards (shared/gift-card-number.ts) that anyone may hold, no member needed.
 *
 * - Sold or reloaded as a basket line (`kind: 'giftcard'`): money in, no points, no discount, outside VAT (VAT is
 *   charged on what the card later buys). Not returnable.
 * - Spent as a tender (`kind: 'giftcard'`), in part or in full, on the goods of a sale; what is left stays on the
 *   card. A return of a sale paid with a card gives back to the card what it paid (after the wallet and the bank
 *   card, before cash).
 * - A card is valid `validMonths` after the latest store day money was put on it (a reload extends it).
 * - The server keeps the ledger (its `gift_cards` and `gift_card_moves`); each card reaches the tills as one
 *   reference document (`giftcard:<programId>:<number>`) holding its state and, per till database, the highest
 *   tillSeq of that database's sales already counted in it. A till adds its own sales above that mark through
 *   the one fold below, exactly as the server applies them, so the card's balance is right on that till offline.
 * - Offline, a till lets a card spend at most the program's cap per store day. Two offline tills spending the same
 *   money leave a negative balance: the server flags it (`gift-card-overdraft`) and the next load covers it.
 *
 * Every move is a commutative increment (balance and the day's spend are sums, validity a maximum, the first load
 * a minimum), so any order of any number of tills' sales gives the same card.
 */
import { z } from 'zod';
import type { SaleBody } from './documents';
import type { Program } from './engine/program';
import { addMonths, addOnDay, amountOnDay, localDate } from './engine/time';
import { KassaError } from './errors';
import { isoDateSchema, isoTimeSchema } from './primitives';
import { giftCardNumberOf, giftCardNumberSchema } from './gift-card-number';

export { giftCardNumberOf, giftCardNumberSchema } from './gift-card-number';

/** The product id and category of a gift card line. */
export const GIFT_CARD_PRODUCT_ID = 'gift-card';

export const giftCardStateSchema = z.object({
  number: giftCardNumberSchema,
  programId: z.string().min(1).max(64),
  /** Minor units; below zero only after two offline tills spent the same money (flagged). */
  balanceMinor: z.number().int(),
  /** The last store-local day the card may be spent (inclusive); null: never loaded, or the program never expires cards. */
  validUntil: isoDateSchema.nullable(),
  /** When money was first put on the card; null: never (a number nobody sold). */
  issuedAt: isoTimeSchema.nullable(),
  /** Spent on the latest store-local day seen, for the offline cap. */
  spentToday: z.object({ date: isoDateSchema, minor: z.number().int() }).nullable(),
  /** Per till database (epoch): the highest tillSeq of its sales counted here. */
  tillMarks: z.record(z.string(), z.number().int().nonnegative()).default({}),
});
export type GiftCardState = z.infer<typeof giftCardStateSchema>;

/** A card nobody has put money on yet. */
export function emptyGiftCard(number: string, programId: string): GiftCardState {
  return { number, programId, balanceMinor: 0, validUntil: null, issuedAt: null, spentToday: null, tillMarks: {} };
}

/** The reference document id a card reaches the tills under. */
export function giftCardRefId(programId: string, number: string): string {
  return `giftcard:${programId}:${number}`;
}

/** What a sale does to one card: money put on it (its lines) and paid from it (negative on a return: given back). */
export type GiftCardMove = { loadMinor: number; paidMinor: number };

type MovesOf = Pick<SaleBody, 'lines' | 'tenders'>;

/** A sale's moves per card number, in the order the sale names the cards. */
export function giftCardMoves(body: MovesOf): Map<string, GiftCardMove> {
  const out = new Map<string, GiftCardMove>();
  const of = (n: string): GiftCardMove => {
    let m = out.get(n);
    if (!m) out.set(n, (m = { loadMinor: 0, paidMinor: 0 }));
    return m;
  };
  for (const l of body.lines) if (l.kind === 'giftcard' && l.giftCard) of(l.giftCard).loadMinor += l.amountMinor;
  for (const t of body.tenders) if (t.kind === 'giftcard' && t.giftCard) of(t.giftCard).paidMinor += t.amountMinor;
  return out;
}

/** What a sale puts on gift cards in all (its gift card lines). */
export function giftCardLoadsMinor(body: Pick<SaleBody, 'lines'>): number {
  return body.lines.reduce((s, l) => s + (l.kind === 'giftcard' ? l.amountMinor : 0), 0);
}

export type GiftCardFoldContext = { at: string; timeZone: string; validMonths: number };

/** One sale's move applied to a card: the fold the till's view and the server's ledger share. */
export function applyGiftCardMove(card: GiftCardState, move: GiftCardMove, ctx: GiftCardFoldContext): GiftCardState {
  if (move.loadMinor === 0 && move.paidMinor === 0) return card;
  const day = localDate(ctx.at, ctx.timeZone);
  const loaded = move.loadMinor > 0;
  const until = loaded && ctx.validMonths > 0 ? addMonths(day, ctx.validMonths) : null;
  return {
    ...card,
    balanceMinor: card.balanceMinor + move.loadMinor - move.paidMinor,
    validUntil: until !== null && (card.validUntil === null || until > card.validUntil) ? until : card.validUntil,
    issuedAt:
      loaded && (card.issuedAt === null || Date.parse(ctx.at) < Date.parse(card.issuedAt)) ? ctx.at : card.issuedAt,
    spentToday: addOnDay(card.spentToday, 'minor', day, Math.max(0, move.paidMinor)),
  };
}

/** A sale in a till's journal, as the card view reads it. */
export type GiftCardSale = { tillSeq: number; at: string; body: MovesOf };

/**
 * A card as a till sees it: the server's state (or an empty card) plus this till database's sales above the
 * card's mark for it, through the one fold.
 */
export function giftCardView(input: {
  number: string;
  programId: string;
  server: GiftCardState | null;
  epoch: string;
  sales: readonly GiftCardSale[];
  timeZone: string;
  validMonths: number;
}): GiftCardState {
  const base = input.server ?? emptyGiftCard(input.number, input.programId);
  const mark = base.tillMarks[input.epoch] ?? 0;
  let card = base;
  for (const s of input.sales) {
    if (s.tillSeq <= mark) continue;
    const move = giftCardMoves(s.body).get(input.number);
    if (move)
      card = applyGiftCardMove(card, move, { at: s.at, timeZone: input.timeZone, validMonths: input.validMonths });
  }
  return card;
}

export type GiftCardContext = { offline: boolean; at: string; timeZone: string };

/** Whether the card's validity ended before the store-local day of `at`. */
export function giftCardExpired(card: GiftCardState, at: string, timeZone: string): boolean {
  return card.validUntil !== null && localDate(at, timeZone) > card.validUntil;
}

/** What may be paid from the card now: its balance, nothing once it expired, and offline no more than the day's cap leaves. */
export function giftCardSpendable(program: Program, card: GiftCardState | null, ctx: GiftCardContext): number {
  const rules = program.giftCards;
  if (!rules || !card || giftCardExpired(card, ctx.at, ctx.timeZone)) return 0;
  const balance = Math.max(0, card.balanceMinor);
  if (!ctx.offline) return balance;
  const spent = amountOnDay(card.spentToday, 'minor', localDate(ctx.at, ctx.timeZone));
  return Math.min(balance, Math.max(0, rules.offlineSpendCapPerDayMinor - spent));
}

/** The most a sale may put on the card now (0 when it is full or the program sells no cards). */
export function giftCardLoadRoom(program: Program, card: GiftCardState | null): number {
  const rules = program.giftCards;
  if (!rules) return 0;
  return Math.max(0, rules.maxBalanceMinor - (card?.balanceMinor ?? 0));
}

/** Why a gift card amount is refused: the details' `why` of a GIFT_CARD_BAD_AMOUNT. */
export type GiftCardAmountWhy = 'whole' | 'min' | 'loaded-here' | 'goods-only';

function badAmount(message: string, why: GiftCardAmountWhy, details: Record<string, unknown> = {}): KassaError {
  return new KassaError('GIFT_CARD_BAD_AMOUNT', message, { ...details, why });
}

/**
 * What the eWallet and gift cards may still pay of a sale: its goods (`goodsMinor`, after discounts) less what they
 * pay already among `tenders`. Below zero, they pay for more than goods: stored value pays for goods only, never
 * for gift cards sold or the eWallet topped up on the same sale. The till's pay dialog, its check before writing a
 * sale and the server's rules all ask this.
 */
export function storedValueGoodsLeft(
  goodsMinor: number,
  tenders: ReadonlyArray<Pick<SaleBody['tenders'][number], 'kind' | 'amountMinor'>>,
): number {
  let paid = 0;
  for (const t of tenders) if (t.kind === 'wallet' || t.kind === 'giftcard') paid += t.amountMinor;
  return goodsMinor - paid;
}

/**
 * Checks a sale's gift card moves before it is written. `cards` holds the till's view of every card the sale names
 * (null: one the till knows nothing of); `goodsMinor` is what the sale's goods cost (its tenders say what the eWallet
 * pays). Throws a coded error a cashier can act on; a GIFT_CARD_BAD_AMOUNT says why in its details.
 */
export function checkGiftCardMoves(
  program: Program,
  cards: ReadonlyMap<string, GiftCardState | null>,
  body: MovesOf,
  goodsMinor: number,
  ctx: GiftCardContext,
): void {
  const moves = giftCardMoves(body);
  if (moves.size === 0) return;
  const rules = program.giftCards;
  if (!rules) throw new KassaError('GIFT_CARD_NOT_OFFERED', 'This store’s program sells no gift cards');
  for (const [number, move] of moves) {
    if (giftCardNumberOf(number, rules.prefix) !== number)
      throw new KassaError('GIFT_CARD_BAD_NUMBER', `${number} is not one of this store’s gift card numbers`, {
        number,
      });
    const { loadMinor, paidMinor } = move;
    if (!Number.isSafeInteger(loadMinor) || !Number.isSafeInteger(paidMinor) || loadMinor < 0 || paidMinor < 0)
      throw badAmount('A gift card amount is a whole number of minor units above zero', 'whole', { number });
    if (loadMinor > 0 && paidMinor > 0)
      throw badAmount('A sale does not pay with the card it puts money on', 'loaded-here', { number });
    const card = cards.get(number) ?? null;
    if (loadMinor > 0) {
      if (loadMinor < rules.minLoadMinor)
        throw badAmount(`A gift card takes at least ${rules.minLoadMinor} minor units`, 'min', {
          number,
          minLoadMinor: rules.minLoadMinor,
        });
      const room = giftCardLoadRoom(program, card);
      if (loadMinor > room)
        throw new KassaError('GIFT_CARD_OVER_LIMIT', `A gift card holds at most ${rules.maxBalanceMinor} minor units`, {
          number,
          roomMinor: room,
        });
    }
    if (paidMinor === 0) continue;
    if (!card || card.issuedAt === null)
      throw new KassaError('GIFT_CARD_UNKNOWN', `Gift card ${number} was never sold`, { number });
    if (giftCardExpired(card, ctx.at, ctx.timeZone))
      throw new KassaError('GIFT_CARD_EXPIRED', `Gift card ${number} expired on ${card.validUntil}`, {
        number,
        validUntil: card.validUntil,
      });
    const spendable = giftCardSpendable(program, card, ctx);
    if (paidMinor > spendable) {
      const overCap = ctx.offline && paidMinor <= Math.max(0, card.balanceMinor);
      throw overCap
        ? new KassaError(
            'GIFT_CARD_OFFLINE_CAP',
            `Offline, at most ${spendable} more may be paid from ${number} today`,
            {
              number,
              spendableMinor: spendable,
            },
          )
        : new KassaError('GIFT_CARD_INSUFFICIENT', `Gift card ${number} holds ${Math.max(0, card.balanceMinor)}`, {
            number,
            spendableMinor: spendable,
          });
    }
  }
  if (storedValueGoodsLeft(goodsMinor, body.tenders) < 0)
    throw badAmount('Gift cards pay for goods, not for gift cards or top-ups', 'goods-only');
}

/** What a return may still give back to `number`: what the sale paid from it, less earlier returns' refunds. */
export function giftCardRefundLeft(sale: MovesOf, priorReturns: readonly MovesOf[], number: string): number {
  const paid = giftCardMoves(sale).get(number)?.paidMinor ?? 0;
  const given = priorReturns.reduce((s, r) => s - (giftCardMoves(r).get(number)?.paidMinor ?? 0), 0);
  return Math.max(0, paid - given);
}
