/**
 * Business rules a well-formed journal document must keep before the server
 * applies it as sent. Pure: each check names the first rule a document
 * breaks, with a stable code and a reason an operator understands; a
 * document that breaks one is parked verbatim (never applied as sent, never
 * refused: the goods have left the store).
 *
 * What is checked here is what needs no program or member state: which
 * entry kinds a till may write, signs, natural ids that name the right
 * member and kind, lines and totals that add up, prices below zero only on
 * declared discount or return lines, stored-value lines of the right shape. The
 * engine re-check (recheck.ts) covers what the program allows; the gift card
 * ledger (gift-cards.ts) what a card holds.
 */
import { percentOff } from '../../shared/money';
import type { EntryDoc, EventDoc, MemberDoc, SaleDoc } from '../../shared/documents';
import { householdTransferId } from '../../shared/household';
import { adjustNaturalId, TILL_ADJUST_MAX_POINTS } from '../../shared/staff/points-adjust';
import { lineAmountMinor } from '../../shared/engine';
import { giftCardMoves, giftCardNumberOf, storedValueGoodsLeft } from '../../shared/gift-cards';
import { saleGoodsMinor } from '../../shared/ledger';

export type RuleViolation = { code: string; reason: string };

/**
 * Entry kinds a till may write on their own; `adjust` only right after a supervisor's approval
 * (`tillAdjustViolation`); `expire` and `transfer` are the server's alone.
 */
const TILL_ENTRY_TYPES = new Set(['earn', 'redeem', 'bonus', 'refund']);

function violation(code: string, reason: string): RuleViolation {
  return { code, reason };
}

/**
 * `giftCardPrefix`: what the sale's gift card numbers start with under its program (ingest/gift-cards.ts); null
 * or absent: the program sells none, and any well-formed number stands (a card sold before keeps its money).
 */
export function saleViolation(doc: SaleDoc, opts: { giftCardPrefix?: string | null } = {}): RuleViolation | null {
  const b = doc.body;
  const prefix = opts.giftCardPrefix ?? null;
  const badNumber = (n: string | undefined) =>
    n === undefined || (prefix !== null && giftCardNumberOf(n, prefix) !== n);
  if ((b.memberId ?? '') !== doc.memberId)
    return violation('MEMBER_MISMATCH', `The sale's member (${b.memberId ?? 'none'}) is not its index member`);
  const isReturn = b.refundOf !== null;
  let subtotal = 0;
  let discount = 0;
  for (const [i, l] of b.lines.entries()) {
    const n = i + 1;
    if (l.kind === 'return' && !isReturn)
      return violation('RETURN_LINE_OUTSIDE_RETURN', `Line ${n} is a return line in a sale that returns nothing`);
    if (l.kind === 'item') {
      if (l.unitPriceMinor < 0 || l.amountMinor < 0 || l.discountMinor < 0)
        return violation('NEGATIVE_PRICE', `Line ${n} (${l.name}) has a price below zero`);
      const expected = lineAmountMinor(l);
      if (l.amountMinor !== expected)
        return violation(
          'LINE_AMOUNT_MISMATCH',
          `Line ${n} (${l.name}): amount ${l.amountMinor} is not quantity × price (${expected})`,
        );
      if (l.discountMinor > l.amountMinor)
        return violation('LINE_DISCOUNT_TOO_LARGE', `Line ${n} (${l.name}) is discounted below zero`);
      if (l.points < 0) return violation('NEGATIVE_POINTS', `Line ${n} (${l.name}) earns negative points`);
      const change = l.priceChange;
      if (change?.kind === 'discount' && l.unitPriceMinor !== percentOff(change.fromMinor, change.percent!))
        return violation(
          'PRICE_CHANGE_MISMATCH',
          `Line ${n} (${l.name}): ${change.percent} % off ${change.fromMinor} is not ${l.unitPriceMinor}`,
        );
    } else if (l.kind === 'topup') {
      if (isReturn) return violation('TOPUP_IN_RETURN', `Line ${n} puts money on a wallet in a return`);
      if (!b.memberId)
        return violation('WALLET_WITHOUT_MEMBER', `Line ${n} tops up a wallet on a sale without a member`);
      if (!storedValueLineShaped(l))
        return violation(
          'TOPUP_LINE_INVALID',
          `Line ${n} (a wallet top-up) is one unit above zero, with no discount and no points`,
        );
    } else if (l.kind === 'giftcard') {
      if (isReturn) return violation('GIFT_CARD_IN_RETURN', `Line ${n} puts money on a gift card in a return`);
      if (badNumber(l.giftCard))
        return violation('GIFT_CARD_BAD_NUMBER', `Line ${n} names no gift card number of this program`);
      if (!storedValueLineShaped(l))
        return violation(
          'GIFT_CARD_LINE_INVALID',
          `Line ${n} (gift card ${l.giftCard}) is one unit above zero, with no discount and no points`,
        );
    } else if (l.kind === 'discount' && (l.amountMinor > 0 || l.unitPriceMinor > 0)) {
      return violation('DISCOUNT_LINE_POSITIVE', `Discount line ${n} adds money instead of taking it off`);
    } else if (l.kind === 'return' && (l.amountMinor > 0 || l.unitPriceMinor > 0)) {
      return violation('RETURN_LINE_POSITIVE', `Return line ${n} charges money instead of giving it back`);
    }
    if (l.kind !== 'giftcard' && l.giftCard !== undefined)
      return violation('GIFT_CARD_LINE_INVALID', `Line ${n} (${l.name}) names a gift card but is no gift card line`);
    subtotal += l.amountMinor;
    discount += l.discountMinor;
  }
  if (subtotal !== b.subtotalMinor)
    return violation('TOTALS_MISMATCH', `Subtotal ${b.subtotalMinor} is not the sum of the lines (${subtotal})`);
  if (discount !== b.discountMinor)
    return violation(
      'TOTALS_MISMATCH',
      `Discount ${b.discountMinor} is not the sum of the line discounts (${discount})`,
    );
  if (b.totalMinor !== b.subtotalMinor - b.discountMinor)
    return violation('TOTALS_MISMATCH', `Total ${b.totalMinor} is not subtotal − discount`);
  if (!isReturn && b.totalMinor < 0)
    return violation('NEGATIVE_TOTAL', 'A sale that returns nothing has a negative total');
  const tendered = b.tenders.reduce((s, t) => s + t.amountMinor, 0);
  if (!isReturn && (b.tenders.some((t) => t.amountMinor < 0) || tendered < b.totalMinor))
    return violation('TENDERS_SHORT', `Tenders (${tendered}) do not cover the total (${b.totalMinor})`);
  for (const [i, t] of b.tenders.entries()) {
    if (t.tenderedMinor !== undefined && (t.kind !== 'cash' || t.tenderedMinor < t.amountMinor))
      return violation(
        'TENDER_CHANGE_INVALID',
        `Tender ${i + 1} (${t.kind}) says ${t.tenderedMinor} was handed over for ${t.amountMinor}: only cash gives change`,
      );
  }
  if (!b.memberId && b.tenders.some((t) => t.kind === 'wallet'))
    return violation('WALLET_WITHOUT_MEMBER', 'A sale without a member is paid from a wallet');
  const cardViolation = giftCardTenderViolation(b, isReturn, badNumber);
  if (cardViolation) return cardViolation;
  if (new Set(b.entryIds).size !== b.entryIds.length)
    return violation('DUPLICATE_ENTRY_IDS', 'The sale lists the same entry twice');
  if (!b.memberId && b.entryIds.length > 0)
    return violation('ENTRIES_WITHOUT_MEMBER', 'A sale without a member cannot carry ledger entries');
  return null;
}

/** A line that puts money on stored value (a top-up, a gift card): one unit above zero, no discount, no points. */
function storedValueLineShaped(l: SaleDoc['body']['lines'][number]): boolean {
  return (
    l.amountMinor > 0 &&
    l.quantity === 1 &&
    l.unitPriceMinor === l.amountMinor &&
    l.discountMinor === 0 &&
    l.points === 0
  );
}

/**
 * A sale's gift card tenders: numbers of the program; never the card the same sale puts money on; together with the
 * eWallet, paying for goods only (not for gift cards or top-ups), as the till checks (shared/gift-cards.ts).
 */
function giftCardTenderViolation(
  b: SaleDoc['body'],
  isReturn: boolean,
  badNumber: (n: string | undefined) => boolean,
): RuleViolation | null {
  for (const [i, t] of b.tenders.entries()) {
    if (t.kind === 'giftcard' && badNumber(t.giftCard))
      return violation('GIFT_CARD_BAD_NUMBER', `Tender ${i + 1} names no gift card number of this program`);
  }
  if (isReturn) return null;
  let paid = 0;
  for (const [number, move] of giftCardMoves(b)) {
    if (move.loadMinor > 0 && move.paidMinor > 0)
      return violation('GIFT_CARD_BAD_AMOUNT', `Gift card ${number} pays for the money the same sale puts on it`);
    paid += move.paidMinor;
  }
  if (paid === 0) return null;
  const goods = saleGoodsMinor(b);
  if (storedValueGoodsLeft(goods, b.tenders) < 0)
    return violation(
      'GIFT_CARD_BAD_AMOUNT',
      `Gift cards pay ${paid} of goods worth ${goods}: they pay for goods, not for gift cards or top-ups`,
    );
  return null;
}

/** The member a natural id belongs to, by kind; null when the id has no known shape. */
function naturalIdOwner(naturalId: string): { kind: string; members: string[] } | null {
  const p = naturalId.split(':');
  switch (p[0]) {
    case 'signup':
    case 'email-confirmed':
      return p.length === 2 ? { kind: p[0], members: [p[1]!] } : null;
    case 'review':
      return p.length === 3 ? { kind: 'review', members: [p[1]!] } : null;
    case 'birthday':
      return p.length === 3 && /^\d{4}$/.test(p[2]!) ? { kind: 'birthday', members: [p[1]!] } : null;
    case 'referral':
      // referral:<referrer>:<referee>:<side>
      return p.length === 4 && (p[3] === 'referee' || p[3] === 'referrer')
        ? { kind: 'referral', members: [p[3] === 'referrer' ? p[1]! : p[2]!] }
        : null;
    default:
      return null;
  }
}

/**
 * `sale`: the sale this entry was written with (null for a grant outside a sale); `shopperAccount`
 * maps the sale's member to the account points go to (households).
 */
export function entryViolation(
  doc: EntryDoc,
  sale: SaleDoc | null,
  shopperAccount: string | null,
): RuleViolation | null {
  const e = doc.body;
  if (e.memberId !== doc.memberId)
    return violation('MEMBER_MISMATCH', `The entry's member (${e.memberId}) is not its index member`);
  if (!TILL_ENTRY_TYPES.has(e.type))
    return violation(
      'ENTRY_KIND_NOT_ALLOWED',
      e.type === 'adjust'
        ? 'A till writes an "adjust" entry only right after the supervisor approval that names it'
        : `A till may not write "${e.type}" entries; only the server does`,
    );
  if (e.points === 0) return violation('ZERO_POINTS', 'An entry of 0 points changes nothing and is not kept');
  if ((e.type === 'earn' || e.type === 'bonus') && e.points < 0)
    return violation('WRONG_SIGN', `An ${e.type} entry cannot take points away`);
  if (e.type === 'redeem' && e.points > 0) return violation('WRONG_SIGN', 'A redeem entry cannot add points');
  if (e.saleId !== null && (!sale || sale.id !== e.saleId || !sale.body.entryIds.includes(doc.id)))
    return violation('ENTRY_SALE_MISMATCH', `The entry names sale ${e.saleId}, which did not list it before it`);
  if (e.saleId === null && e.type !== 'bonus')
    return violation('ENTRY_WITHOUT_SALE', `A till writes "${e.type}" entries only with a sale`);
  if (e.type === 'refund' && (!sale || sale.body.refundOf === null))
    return violation('REFUND_OUTSIDE_RETURN', 'A refund entry belongs to a return');
  if (e.type !== 'bonus') {
    if (e.naturalId !== null) return violation('NATURAL_ID_NOT_ALLOWED', `A "${e.type}" entry carries no natural id`);
    return null;
  }
  if (e.naturalId === null) return violation('NATURAL_ID_MISSING', 'A bonus needs its natural id (one grant each)');
  const owner = naturalIdOwner(e.naturalId);
  if (!owner) return violation('NATURAL_ID_MALFORMED', `"${e.naturalId}" is not a known kind of grant`);
  if (e.ruleId !== null && e.ruleId !== `bonus:${owner.kind}`)
    return violation('NATURAL_ID_KIND_MISMATCH', `Natural id "${e.naturalId}" does not match rule "${e.ruleId}"`);
  // The grant's member must be the one whose points move (or, inside a sale, the shopper whose account they move).
  const allowed = new Set([e.memberId]);
  if (sale?.body.memberId && shopperAccount === e.memberId) allowed.add(sale.body.memberId);
  if (!owner.members.every((m) => allowed.has(m)))
    return violation('NATURAL_ID_MEMBER_MISMATCH', `Natural id "${e.naturalId}" belongs to another member`);
  if (owner.kind === 'birthday' || owner.kind === 'referral') {
    if (!sale) return violation('ENTRY_WITHOUT_SALE', `A ${owner.kind} bonus is granted with a sale`);
  }
  return null;
}

/**
 * A points adjustment made at the till (shared/staff/points-adjust.ts): the `adjust` entry right after the
 * `points-adjust` approval that names it, with the same member and points, within the till's limit.
 */
export function tillAdjustViolation(doc: EntryDoc, approval: EventDoc): RuleViolation | null {
  const e = doc.body;
  const d = approval.body.details;
  if (e.memberId !== doc.memberId)
    return violation('MEMBER_MISMATCH', `The entry's member (${e.memberId}) is not its index member`);
  if (e.type !== 'adjust') return violation('ADJUST_NOT_ADJUST', `The approval names an "${e.type}" entry`);
  if (d.entryId !== doc.id || d.memberId !== e.memberId || d.points !== e.points)
    return violation('ADJUST_APPROVAL_MISMATCH', 'The entry is not the member and points its approval names');
  if (e.saleId !== null) return violation('ADJUST_IN_SALE', 'A points adjustment is made outside a sale');
  if (e.points === 0 || Math.abs(e.points) > TILL_ADJUST_MAX_POINTS)
    return violation(
      'ADJUST_BAD_POINTS',
      `A till adjusts from 1 to ${TILL_ADJUST_MAX_POINTS} points at a time, not ${e.points}`,
    );
  if (e.naturalId !== adjustNaturalId(e.memberId, doc.id) || e.ruleId !== null)
    return violation('NATURAL_ID_MALFORMED', `An adjustment's natural id is ${adjustNaturalId(e.memberId, doc.id)}`);
  return null;
}

/**
 * A household join's transfer entries (shared/household.ts): none when it moved no points, else exactly the two
 * right after it — `-points` on the member, `+points` on the household's account, with their natural ids.
 */
export function householdTransferViolation(join: MemberDoc, entries: readonly EntryDoc[]): RuleViolation | null {
  if (join.body.type !== 'household-join')
    return violation('NOT_A_HOUSEHOLD_JOIN', 'The document is no household join');
  const { householdId, points } = join.body;
  const expected =
    points === 0
      ? []
      : [
          {
            memberId: join.memberId,
            points: -points,
            naturalId: householdTransferId(join.memberId, householdId, 'out'),
          },
          { memberId: householdId, points, naturalId: householdTransferId(join.memberId, householdId, 'in') },
        ];
  if (entries.length !== expected.length)
    return violation(
      'HOUSEHOLD_TRANSFER_INVALID',
      `A household join moving ${points} points comes with ${expected.length} transfer entries, not ${entries.length}`,
    );
  for (const [i, want] of expected.entries()) {
    const e = entries[i]!;
    if (
      e.memberId !== want.memberId ||
      e.body.memberId !== want.memberId ||
      e.body.type !== 'transfer' ||
      e.body.points !== want.points ||
      e.body.naturalId !== want.naturalId ||
      e.body.saleId !== null ||
      e.body.ruleId !== null
    )
      return violation(
        'HOUSEHOLD_TRANSFER_INVALID',
        `Transfer ${i + 1} of the join is not ${want.points} points on ${want.memberId} (${want.naturalId})`,
      );
  }
  return null;
}
