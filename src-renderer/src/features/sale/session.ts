/**
 * One customer's sale at the till, as a reducer: the basket, the member it
 * is for, the reward or points chosen, and the payment in progress. Pure:
 * the screen dispatches, this decides; tested without a DOM.
 *
 * Invariants:
 * - while the pay dialog is open the basket and member are fixed: a scan is
 *   refused (`scanRefusal`), never added, so the amount due cannot change
 *   under the cashier;
 * - a completed, voided or cleared sale leaves a fresh session: no member,
 *   so the next customer never earns for (or spends) someone else's points;
 * - tenders are whole minor units; only cash may exceed what is due (the
 *   difference is change); the sale may commit once the tenders cover the
 *   total exactly.
 */
import { codesOf, type BasketLine, type RedeemChoice } from '../../../../shared/engine';
import { percentOff } from '../../../../shared/money';
import type { MemberRecord } from '../../../../shared/member-snapshot';
import type { GiftCardLoad } from '../../../../shared/sale-journal';
import type { ProductRow } from '../../db/schemas';
import type { ScannedLine } from './scanned-line';

/**
 * A price changed at the till: a discount with its reason, or a price override (a supervisor's). The line's
 * `unitPriceMinor` is the new price; this keeps the price it replaced and why, for the receipt and the sale.
 */
export type PriceChange = {
  kind: 'discount' | 'override';
  fromMinor: number;
  /** The percentage taken off, for a discount. */
  percent?: number;
  reason: string;
  /** The supervisor whose PIN allowed it (the signed-in supervisor's own id when they did it), else null. */
  supervisorId: string | null;
};

export type SessionLine = BasketLine & { product: ProductRow; priceChange?: PriceChange };

/** wallet: paid from the member's eWallet (shared/engine/wallet.ts); giftcard: from a gift card (shared/gift-cards.ts). */
export type TenderKind = 'cash' | 'card' | 'wallet' | 'giftcard';

/**
 * A tender taken: `amountMinor` is what it pays of the sale; cash also says what was handed over, a gift card
 * tender names its card.
 */
export type Tender = { kind: TenderKind; amountMinor: number; tenderedMinor?: number; giftCard?: string };

export type SaleSession = {
  phase: 'selling' | 'paying';
  lines: SessionLine[];
  member: MemberRecord | null;
  redeem: RedeemChoice;
  /** Promo codes entered or scanned on this sale, in capitals, each once. */
  codes: string[];
  /** The line the last scan added to or changed: highlighted on screen. */
  lastLineId: string | null;
  /** Tenders taken in the pay dialog, in order. */
  tenders: Tender[];
  /** Money the sale puts on the member's eWallet (0: none); a line after the goods. */
  topUpMinor: number;
  /** Gift cards the sale sells or reloads, each card once, in the order they were added; lines after the top-up. */
  giftCardLoads: GiftCardLoad[];
  /** Counter behind line ids (`L0001`…), kept across sales so a receipt's line ids never repeat in a session. */
  lineCounter: number;
};

export type SessionAction =
  | { type: 'add-product'; product: ProductRow; scanned: ScannedLine }
  | { type: 'change-quantity'; lineId: string; delta: number }
  | { type: 'remove-line'; lineId: string }
  /** The keypad's line: the one the next quantity, weight, price or discount is for. */
  | { type: 'select-line'; lineId: string }
  | { type: 'set-quantity'; lineId: string; quantity: number }
  | { type: 'set-weight'; lineId: string; grams: number }
  | { type: 'set-price'; lineId: string; unitPriceMinor: number; change: PriceChange }
  /** A basket kept across a restart of the till, put back as it was (features/sale/basket-store.ts). */
  | { type: 'restore'; session: SaleSession }
  | { type: 'attach-member'; member: MemberRecord }
  | { type: 'clear-member' }
  | { type: 'redeem'; choice: RedeemChoice }
  | { type: 'add-code'; code: string }
  /** Puts this much on the member's eWallet with the sale (0 takes the top-up off). */
  | { type: 'set-top-up'; amountMinor: number }
  /** Puts this much on gift card `giftCard` with the sale (replacing what was on the sale for it; 0 takes it off). */
  | { type: 'set-gift-card'; giftCard: string; amountMinor: number }
  | { type: 'remove-code'; code: string }
  | { type: 'open-pay' }
  | { type: 'close-pay' }
  | { type: 'add-tender'; tender: Tender }
  | { type: 'remove-tender'; index: number }
  /** The sale and its entries are committed: the next customer starts fresh. */
  | { type: 'completed' }
  /** The basket is voided (or cleared) without a sale. */
  | { type: 'void' };

export function newSession(lineCounter = 0): SaleSession {
  return {
    phase: 'selling',
    lines: [],
    member: null,
    redeem: null,
    codes: [],
    lastLineId: null,
    tenders: [],
    topUpMinor: 0,
    giftCardLoads: [],
    lineCounter,
  };
}

/** Whether the sale has nothing on it yet: no goods, no eWallet top-up, no gift card. */
export function saleEmpty(s: {
  lines: readonly unknown[];
  topUpMinor: number;
  giftCardLoads: readonly unknown[];
}): boolean {
  return s.lines.length === 0 && s.topUpMinor === 0 && s.giftCardLoads.length === 0;
}

/** Why a scan may not change this session now, or null when it may. */
export function scanRefusal(s: SaleSession): 'SCAN_DURING_PAYMENT' | null {
  return s.phase === 'paying' ? 'SCAN_DURING_PAYMENT' : null;
}

export function saleSession(s: SaleSession, a: SessionAction): SaleSession {
  switch (a.type) {
    case 'add-product': {
      if (s.phase !== 'selling') return s;
      const { product, scanned } = a;
      const same = scanned.mergeable
        ? s.lines.find(
            (l) =>
              l.productId === product.id &&
              l.grams === null &&
              l.priceChange === undefined &&
              l.unitPriceMinor === scanned.line.unitPriceMinor,
          )
        : undefined;
      if (same)
        return {
          ...s,
          lines: s.lines.map((l) =>
            l === same ? { ...l, quantity: Math.min(MAX_LINE_QUANTITY, l.quantity + scanned.line.quantity) } : l,
          ),
          lastLineId: same.lineId,
        };
      const lineCounter = s.lineCounter + 1;
      const line: SessionLine = {
        lineId: `L${String(lineCounter).padStart(4, '0')}`,
        productId: product.id,
        ean: product.ean,
        name: product.name,
        categoryId: product.categoryId,
        tags: product.tags ?? [],
        ...(product.taxRateBp === undefined ? {} : { taxRateBp: product.taxRateBp }),
        ...scanned.line,
        product,
      };
      return { ...s, lines: [...s.lines, line], lastLineId: line.lineId, lineCounter };
    }
    case 'change-quantity':
      if (s.phase !== 'selling') return s;
      // Never below 1 (remove the line instead); a weighed line's quantity is its weight.
      return {
        ...s,
        lines: s.lines.map((l) =>
          l.lineId === a.lineId && l.grams === null ? { ...l, quantity: Math.max(1, l.quantity + a.delta) } : l,
        ),
        lastLineId: a.lineId,
      };
    case 'remove-line': {
      if (s.phase !== 'selling') return s;
      const lines = s.lines.filter((l) => l.lineId !== a.lineId);
      return { ...s, lines, lastLineId: s.lastLineId === a.lineId ? (lines.at(-1)?.lineId ?? null) : s.lastLineId };
    }
    case 'select-line':
      if (s.phase !== 'selling' || !s.lines.some((l) => l.lineId === a.lineId)) return s;
      return { ...s, lastLineId: a.lineId };
    case 'set-quantity':
      if (s.phase !== 'selling' || !validQuantity(a.quantity)) return s;
      return {
        ...s,
        lines: s.lines.map((l) => (l.lineId === a.lineId && l.grams === null ? { ...l, quantity: a.quantity } : l)),
        lastLineId: a.lineId,
      };
    case 'set-weight':
      if (s.phase !== 'selling' || !validGrams(a.grams)) return s;
      return {
        ...s,
        lines: s.lines.map((l) => (l.lineId === a.lineId && l.unit === 'kg' ? { ...l, grams: a.grams } : l)),
        lastLineId: a.lineId,
      };
    case 'set-price':
      if (s.phase !== 'selling' || !Number.isSafeInteger(a.unitPriceMinor) || a.unitPriceMinor < 0) return s;
      return {
        ...s,
        lines: s.lines.map((l) =>
          l.lineId === a.lineId
            ? {
                ...l,
                unitPriceMinor: a.unitPriceMinor,
                // A second change keeps the price the line first had.
                priceChange: { ...a.change, fromMinor: l.priceChange?.fromMinor ?? a.change.fromMinor },
              }
            : l,
        ),
        lastLineId: a.lineId,
      };
    case 'restore':
      // Only onto a fresh session: a basket in progress is never replaced.
      return saleEmpty(s) && s.phase === 'selling'
        ? {
            ...a.session,
            codes: a.session.codes ?? [],
            topUpMinor: a.session.topUpMinor ?? 0,
            giftCardLoads: a.session.giftCardLoads ?? [],
            lineCounter: Math.max(s.lineCounter, a.session.lineCounter),
          }
        : s;
    case 'attach-member':
      if (s.phase !== 'selling') return s;
      // Another member's reward choice and top-up never carry over.
      return { ...s, member: a.member, redeem: null, topUpMinor: s.member?.id === a.member.id ? s.topUpMinor : 0 };
    case 'clear-member':
      if (s.phase !== 'selling') return s;
      return { ...s, member: null, redeem: null, topUpMinor: 0 };
    case 'set-top-up':
      // A wallet is a member's: no member, no top-up.
      if (s.phase !== 'selling' || !s.member || !Number.isSafeInteger(a.amountMinor) || a.amountMinor < 0) return s;
      return { ...s, topUpMinor: a.amountMinor };
    case 'set-gift-card': {
      // No member needed: a gift card is whoever holds it. The amount is checked by the dialog (shared/gift-cards.ts).
      if (s.phase !== 'selling' || !Number.isSafeInteger(a.amountMinor) || a.amountMinor < 0) return s;
      const others = s.giftCardLoads.filter((l) => l.giftCard !== a.giftCard);
      const at = s.giftCardLoads.findIndex((l) => l.giftCard === a.giftCard);
      if (a.amountMinor === 0) return { ...s, giftCardLoads: others };
      const load = { giftCard: a.giftCard, amountMinor: a.amountMinor };
      // A card already on the sale keeps its place (its line number on the receipt).
      return {
        ...s,
        giftCardLoads: at < 0 ? [...others, load] : s.giftCardLoads.map((l, i) => (i === at ? load : l)),
      };
    }
    case 'redeem':
      if (s.phase !== 'selling') return s;
      return { ...s, redeem: s.member ? a.choice : null };
    case 'add-code': {
      // Codes go in as the engine reads them; the same code twice is one (the engine refuses what it cannot use).
      const code = codesOf([a.code])[0];
      if (s.phase !== 'selling' || !code || s.codes.includes(code)) return s;
      return { ...s, codes: [...s.codes, code] };
    }
    case 'remove-code':
      return s.phase === 'selling' ? { ...s, codes: s.codes.filter((c) => c !== a.code) } : s;
    case 'open-pay':
      return s.phase === 'selling' && !saleEmpty(s) ? { ...s, phase: 'paying', tenders: [] } : s;
    case 'close-pay':
      return s.phase === 'paying' ? { ...s, phase: 'selling', tenders: [] } : s;
    case 'add-tender':
      return s.phase === 'paying' ? { ...s, tenders: [...s.tenders, a.tender] } : s;
    case 'remove-tender':
      return s.phase === 'paying' ? { ...s, tenders: s.tenders.filter((_, i) => i !== a.index) } : s;
    case 'completed':
    case 'void':
      return newSession(s.lineCounter);
  }
}

/** The most of one product on one line, and the heaviest weighed line (10 t): beyond them a typing slip. */
export const MAX_LINE_QUANTITY = 9_999;
export const MAX_LINE_GRAMS = 10_000_000;

export function validQuantity(q: number): boolean {
  return Number.isSafeInteger(q) && q >= 1 && q <= MAX_LINE_QUANTITY;
}

export function validGrams(g: number): boolean {
  return Number.isSafeInteger(g) && g >= 1 && g <= MAX_LINE_GRAMS;
}

/** A unit price less `percent` % (1–100), rounded half up to a whole minor unit. */
export function discountedPrice(unitPriceMinor: number, percent: number): number {
  return percentOff(unitPriceMinor, percent);
}

export type TenderProblem = 'TENDER_NOT_POSITIVE' | 'TENDER_OVER_DUE' | 'SALE_COVERED' | 'WALLET_SHORT';

/** What is paid and still due of `totalMinor`, and the change owed. */
export function tenderSummary(
  totalMinor: number,
  tenders: readonly Tender[],
): { paidMinor: number; dueMinor: number; changeMinor: number; covered: boolean } {
  const paidMinor = tenders.reduce((sum, t) => sum + t.amountMinor, 0);
  const changeMinor = tenders.reduce((sum, t) => sum + (t.tenderedMinor ?? t.amountMinor) - t.amountMinor, 0);
  const dueMinor = Math.max(0, totalMinor - paidMinor);
  return { paidMinor, dueMinor, changeMinor, covered: paidMinor >= totalMinor };
}

/**
 * The tender for `kind` with `givenMinor` handed over (null: exactly what is due), or why it cannot be taken.
 * Cash pays at most what is due and gives the rest back as change; a card pays no more than is due; the eWallet
 * pays no more than `walletMinor` (what it may still pay on this sale: its spendable balance, the goods only).
 */
export function takeTender(
  totalMinor: number,
  tenders: readonly Tender[],
  kind: Exclude<TenderKind, 'giftcard'>,
  givenMinor: number | null,
  walletMinor = 0,
): { ok: true; tender: Tender } | { ok: false; code: TenderProblem } {
  const { dueMinor, covered } = tenderSummary(totalMinor, tenders);
  if (covered) return { ok: false, code: 'SALE_COVERED' };
  const room = Math.max(0, walletMinor - tenders.reduce((n, t) => n + (t.kind === 'wallet' ? t.amountMinor : 0), 0));
  const given = givenMinor ?? (kind === 'wallet' ? Math.min(dueMinor, room) : dueMinor);
  if (kind === 'wallet' && room === 0) return { ok: false, code: 'WALLET_SHORT' };
  if (!Number.isSafeInteger(given) || given <= 0) return { ok: false, code: 'TENDER_NOT_POSITIVE' };
  if (kind === 'wallet') {
    if (given > dueMinor) return { ok: false, code: 'TENDER_OVER_DUE' };
    if (given > room) return { ok: false, code: 'WALLET_SHORT' };
    return { ok: true, tender: { kind, amountMinor: given } };
  }
  if (kind === 'card') {
    if (given > dueMinor) return { ok: false, code: 'TENDER_OVER_DUE' };
    return { ok: true, tender: { kind, amountMinor: given } };
  }
  const amountMinor = Math.min(given, dueMinor);
  return {
    ok: true,
    tender: given > amountMinor ? { kind, amountMinor, tenderedMinor: given } : { kind, amountMinor },
  };
}
